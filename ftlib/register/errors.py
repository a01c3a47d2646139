"""The register's refusal (its own module so that the payload checks, the decision rules and the
procedure steps all raise the same class without importing one another)."""

from ftlib.errors import FtlibError


class ProcedureError(FtlibError):
    """A procedure step refused: the message names case, step, field and value."""
