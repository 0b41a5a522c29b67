"""The one exception type for problems a user can fix.

The CLI prints these as a single line (no traceback unless ``--debug``) and exits
with ``exit_code``: 2 for bad usage (flags, values), 1 for failures (files, network).
"""


class PidtuneError(Exception):
    exit_code = 1


class PidtuneUsageError(PidtuneError):
    exit_code = 2
