"""Search stages (grid, tournament, pipeline) over blended 2-PID gains: plain Python, no Click."""
