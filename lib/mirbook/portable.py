"""Fallbacks for the three system primitives a run relies on, where they are missing or refused.

Why: the evaluation area's archive may live on a network share (SMB, NFS) and its machines may
run Windows or macOS. A run uses three Linux strengths, each with a fallback that keeps the
same guarantee:

* ``forkserver`` start method (fast, preloaded workers) → ``spawn`` (Windows has no
  forkserver): every task still runs in a fresh process, only without the preload;
* ``renameat2(RENAME_EXCHANGE)`` (one atomic swap of the period folder) → two renames, where a
  crash between them leaves ``.T3.old-<pid>`` that the next run puts back or removes
  (:func:`mirbook.archive.recover`): a revision is either wholly in place or not at all;
* ``flock`` on the reports folder (one run at a time; refused by some SMB/NFS mounts, absent
  on Windows) → a lock file ``.mirbook.lock`` created exclusively, holding the host and the
  process id; a lock left by a process that no longer runs on this host is taken over, one
  from another host is named so the user can remove it.

Each fallback can be forced on Linux for the tests (``MIRBOOK_FALLBACK=spawn,swap,lockfile``).
"""

from __future__ import annotations

import multiprocessing
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FALLBACK_ENV = "MIRBOOK_FALLBACK"
FALLBACKS = ("spawn", "swap", "lockfile")
LOCK_FILE = ".mirbook.lock"


def forced(name: str) -> bool:
    """Whether the fallback ``name`` (one of :data:`FALLBACKS`) is forced by ``$MIRBOOK_FALLBACK``."""
    assert name in FALLBACKS, name
    return name in {part.strip() for part in os.environ.get(FALLBACK_ENV, "").split(",")}


def start_method() -> str:
    """``forkserver`` where the system has it (and it is not forced off), else ``spawn``."""
    if not forced("spawn") and "forkserver" in multiprocessing.get_all_start_methods():
        return "forkserver"
    return "spawn"


class LockBusy(Exception):
    """Another run holds the lock; ``str()`` says who (Spanish)."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists (another user's) or cannot tell: assume alive
    return True


@contextmanager
def lock_file(folder: Path) -> Iterator[None]:
    """Hold ``folder/.mirbook.lock`` (created exclusively) for the duration; raises :class:`LockBusy`."""
    path = Path(folder) / LOCK_FILE
    host = socket.gethostname()
    content = f"{host} {os.getpid()}\n"
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                owner_host, owner_pid = path.read_text(encoding="utf-8").split()
            except (OSError, ValueError):
                owner_host, owner_pid = "", "0"
            if owner_host == host and owner_pid.isdigit() and not _alive(int(owner_pid)):
                path.unlink(missing_ok=True)  # left by a run that was killed on this machine
                continue
            who = f"El proceso {owner_pid} del equipo {owner_host}" if owner_host else "Otro proceso"
            raise LockBusy(
                f"{who} está escribiendo en {folder} (archivo de bloqueo {path}); espere a que termine. "
                f"Si ese proceso ya no existe, borre {path} y vuelva a ejecutar."
            ) from None
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
        break
    else:  # pragma: no cover - the stale lock came back twice: another run took it meanwhile
        raise LockBusy(f"Otro proceso de mirbook está escribiendo en {folder}; espere a que termine.")
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
