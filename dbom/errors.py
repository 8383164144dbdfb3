"""Errors the user can act on: each renders as one line naming the file and the cause."""

from __future__ import annotations


class DbomError(Exception):
    """A problem with the input or environment, reported as `<file>: <cause>` on one line."""

    def __init__(self, path: str | None, cause: str) -> None:
        self.path = path
        self.cause = " ".join(str(cause).split())  # one line, whatever the library said
        super().__init__(f"{path}: {self.cause}" if path else self.cause)

    def __reduce__(self) -> tuple[type, tuple[str | None, str]]:
        # Errors cross process boundaries (the inspection pool); rebuild them from both fields.
        return (self.__class__, (self.path, self.cause))


class FormatError(DbomError):
    """A data file that cannot be read as the format it claims to be (corrupt, truncated, invalid)."""


class ManifestError(DbomError):
    """A manifest (dbom.yaml) that is malformed or has unknown keys."""


class DbomFileError(DbomError):
    """A file that is not a CycloneDX document, or not one that dbom can read."""


class OutputError(DbomError, OSError):
    """A file dbom could not write (a full disk, a read-only folder...), named with the OS's cause.

    Also an OSError, so code that tolerates a failed write (the validation memo: it only costs speed) still does.
    """
