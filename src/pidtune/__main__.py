from pidtune.cli import main

main()
