"""Error types whose message is meant for the user (in Spanish).

Every error raised for bad input or bad usage carries a complete Spanish
message; the CLI prints it without a traceback and exits non-zero.
"""

from __future__ import annotations


class MirbookError(Exception):
    """Base class: ``str(error)`` is a complete Spanish message for the user."""

    exit_code = 1


class UsageError(MirbookError):
    """Bad command-line arguments (year, period, paths)."""

    exit_code = 2


class ParamsError(MirbookError):
    """The files in ``params/`` are missing keys or carry invalid values."""


class DataError(MirbookError):
    """An input file does not follow the data contract.

    ``problems`` holds one Spanish line per problem found; the message joins them.
    """

    def __init__(self, problems: str | list[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class DiskError(MirbookError):
    """The system refused a write or a folder (full disk, read-only, a file where a folder goes)."""


#: errno values that mean "no room left": the disk or the user's quota is full.
NO_SPACE = (28, 122)  # ENOSPC, EDQUOT


def is_no_space(exc: BaseException) -> bool:
    """Whether ``exc`` is a full disk or quota (also when it came back from a worker as text)."""
    if isinstance(exc, OSError):
        return exc.errno in NO_SPACE
    return "[Errno 28]" in str(exc) or "No space left on device" in str(exc)


def _megabytes(count: int) -> str:
    return f"{max(1, -(-count // (1 << 20)))} MB"


def os_error_message(exc: OSError, folder: object, needed: int | None = None, archived: bool | None = None) -> str:
    """One Spanish line for an ``OSError`` met while writing in ``folder``.

    ``needed``: bytes the write needs (named for a full disk); ``archived``: whether the
    revision of the period was archived before the failure (said when known).
    """
    import errno
    import shutil

    where = exc.filename or folder
    if is_no_space(exc):
        try:
            free = f" (quedan {_megabytes(shutil.disk_usage(str(folder)).free)} libres)" if folder else ""
        except OSError:
            free = ""
        need = f"se necesitan al menos {_megabytes(needed)} libres{free}" if needed else f"el disco está lleno{free}"
        text = f"No queda espacio en el disco de {folder}: {need}. Libere espacio y vuelva a ejecutar."
    elif exc.errno == errno.EROFS:
        text = f"La carpeta {where} está en un disco de solo lectura; elija otra carpeta (--reports-dir)."
    elif exc.errno in (errno.EACCES, errno.EPERM):
        text = f"No hay permiso para escribir en {where}; pida permiso de escritura o elija otra carpeta."
    elif exc.errno in (errno.EEXIST, errno.ENOTDIR):
        text = f"{where} es un archivo, no una carpeta; indique una carpeta."
    elif exc.errno == errno.EISDIR:
        text = f"{where} es una carpeta, no un archivo; indique un archivo."
    else:
        text = f"No se pudo escribir en {where}: {exc.strerror or exc}."
    if archived is True:
        text += " La revisión sí se archivó."
    elif archived is False:
        text += " La revisión no se archivó y el archivo de reportes no se modificó."
    return text
