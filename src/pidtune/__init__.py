"""pidtune: fast, exact controller tuning for the comma.ai Controls Challenge."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("pidtune")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"
