"""The one base class of errors meant for the user: the CLI prints its one-line message and
exits with status 2 instead of a traceback."""


class FtlibError(ValueError):
    """Bad input: the message names the file or row, the field and the value."""
