"""The archive of reports: ``<reports>/<year>/T<q>/``, written atomically, never losing a revision.

Layout of one period folder::

    T3/
      index.html            the period page (evidence: listed in the manifest, see mirbook.site)
      manifest.json         what this revision was made from and what it contains (sha256)
      00_resumen.html/.pdf  … one HTML and one PDF per notebook
      indicadores.csv, validacion.html, captura.html, registros_periodo.csv
      cuadernos/            the executed notebooks
      revisiones/r001/      earlier revisions, each whole, exactly as it was archived
      revisiones/index.html navigation: the list of the period's revisions

Rules:

* A revision is built complete in a staging folder inside the reports folder and then
  swapped into place with one atomic ``renameat2(RENAME_EXCHANGE)`` (or, where that is
  not available, two renames that the next run completes if interrupted).
* Artifacts are immutable and listed with their sha256 in ``manifest.json``, the period page
  ``index.html`` included (since manifest schema 3); only the root, year and ``revisiones/``
  indexes are navigation, rebuilt from the manifests (and older revisions' unlisted pages).
* The archive as a whole is recorded in its ledger (:mod:`mirbook.ledger`) and checked by
  :mod:`mirbook.integrity` before a run writes anything.
* One run at a time per reports folder (``flock`` on the folder itself).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .manifest import FILE as MANIFEST
from .manifest import SIGNATURE as MANIFEST_SIGNATURE
from .manifest import Manifest, read
from .model import Period
from .paths import period_dir
from .portable import LockBusy, forced, lock_file

try:
    import fcntl
except ImportError:  # Windows: the lock file of mirbook.portable
    fcntl = None  # type: ignore[assignment]

REVISIONS = "revisiones"
NOTEBOOKS_SUBDIR = "cuadernos"
STAGING = ".staging"
NAV_PAGE = "index.html"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def write_atomic(path: Path, data: bytes | str, *, durable: bool = False) -> bool:
    """Write ``path`` through a temporary file and ``os.replace``; skip when unchanged.

    ``durable`` also fsyncs the folder after the replace, so the new name survives a power cut (the
    ledger needs it: it is the archive's last word). Filesystems that cannot fsync a folder (SMB,
    Windows) are tolerated: the replace itself stands. Returns whether the file was (re)written.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if path.is_file() and path.read_bytes() == payload:
        return False
    _injected_fault(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if durable:
        _fsync_folder(path.parent)
    return True


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:  # some filesystems (SMB, Windows) cannot fsync a folder; the replace stands
        pass


#: Fault injection for the tests (tests/test_fallas.py, docs/fallas.md): a glob of file names whose
#: atomic write fails as on a full disk, e.g. ``MIRBOOK_FAULT_ENOSPC=index.html``.
FAULT_ENOSPC_ENV = "MIRBOOK_FAULT_ENOSPC"


def _injected_fault(path: Path) -> None:
    pattern = os.environ.get(FAULT_ENOSPC_ENV)
    if pattern and path.match(pattern):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


def artifact_files(folder: Path) -> list[Path]:
    """The artifacts of one revision folder, its period page included (not its manifest, the manifest's
    signature or older revisions)."""
    out = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if not path.is_file() or rel.parts[0] == REVISIONS or rel.as_posix() == MANIFEST:
            continue
        if rel.as_posix() == MANIFEST_SIGNATURE:  # no manifest can list its own signature
            continue
        out.append(path)
    return out


def hash_outputs(folder: Path) -> dict[str, str]:
    """``{relative path: sha256}`` of every artifact of a revision folder."""
    return {path.relative_to(folder).as_posix(): sha256_file(path) for path in artifact_files(folder)}


def read_manifest(folder: Path) -> Manifest | None:
    """The manifest of a revision folder in its current form (:func:`mirbook.manifest.read`), or ``None``."""
    return read(folder)


@contextmanager
def locked(reports_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on the reports folder for the duration of a run: ``flock`` on the
    folder, or the lock file of :func:`mirbook.portable.lock_file` where ``flock`` is missing or
    refused (Windows, some SMB/NFS mounts)."""
    from .errors import MirbookError

    reports_dir.mkdir(parents=True, exist_ok=True)
    if fcntl is None or forced("lockfile"):
        with _lock_file(reports_dir):
            yield
        return
    fd = os.open(reports_dir, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise MirbookError(f"Otro proceso de mirbook está escribiendo en {reports_dir}; espere a que termine.") from None
        except OSError:  # ENOLCK, EOPNOTSUPP…: the mount refuses flock
            os.close(fd)
            fd = -1
            with _lock_file(reports_dir):
                yield
            return
        yield
    finally:
        if fd >= 0:
            os.close(fd)


@contextmanager
def _lock_file(reports_dir: Path) -> Iterator[None]:
    from .errors import MirbookError

    try:
        with lock_file(reports_dir):
            yield
    except LockBusy as exc:
        raise MirbookError(str(exc)) from None


def recover(reports_dir: Path) -> None:
    """Finish or undo what an interrupted run left: restore swapped-out folders, drop staging."""
    if not reports_dir.is_dir():
        return
    for old in reports_dir.glob("*/.T[1-4].old-*"):
        target = old.parent / old.name[1:3]
        if not target.exists():
            os.rename(old, target)
        else:
            shutil.rmtree(old, ignore_errors=True)
    staging = reports_dir / STAGING
    if staging.is_dir():
        shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def staging_dir(reports_dir: Path, period: Period) -> Iterator[Path]:
    """A fresh staging folder on the archive's filesystem; removed whatever happens."""
    root = reports_dir / STAGING
    root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{period.year}-{period.label}-", dir=root))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        try:
            root.rmdir()
        except OSError:
            pass


def _libc_exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths with renameat2(RENAME_EXCHANGE); False if unsupported."""
    if forced("swap"):
        return False
    name = ctypes.util.find_library("c")
    if not name:
        return False
    libc = ctypes.CDLL(name, use_errno=True)
    func = getattr(libc, "renameat2", None)
    if func is None:
        return False
    result = func(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    if ctypes.get_errno() in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(b))


def swap_into_place(new: Path, target: Path) -> None:
    """Make ``new`` be ``target`` in one step; the old content of ``target`` is discarded."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        os.rename(new, target)
        return
    if _libc_exchange(new, target):
        shutil.rmtree(new)
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.rename(target, old)
    os.rename(new, target)
    shutil.rmtree(old)


def _link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def carry_history(current: Path, staged: Path, revision: int | None) -> list[str]:
    """Put every earlier revision into ``staged/revisiones``: the old ones as they are, and the
    current top level as ``r<revision>`` (none when ``revision`` is ``None``: ``mirbook reparar``
    set the top level aside). Returns the relative names of all earlier revisions."""
    names = []
    old_revisions = current / REVISIONS
    if old_revisions.is_dir():
        for path in sorted(old_revisions.rglob("*")):
            if path.is_file() and path.relative_to(old_revisions).as_posix() != NAV_PAGE:
                _link_or_copy(path, staged / REVISIONS / path.relative_to(old_revisions))
        names = sorted(f"{REVISIONS}/{p.name}" for p in old_revisions.iterdir() if p.is_dir())
    if revision is None:
        return names
    name = f"{REVISIONS}/r{revision:03d}"
    for path in sorted(current.rglob("*")):
        rel = path.relative_to(current)
        if path.is_file() and rel.parts[0] != REVISIONS:
            _link_or_copy(path, staged / name / rel)
    return sorted(set(names + [name]))


def period_revisions(folder: Path) -> list[Path]:
    """Every revision folder of a period: the earlier ones, then the top level (newest)."""
    older = sorted(p for p in (folder / REVISIONS).iterdir() if p.is_dir()) if (folder / REVISIONS).is_dir() else []
    return older + ([folder] if (folder / MANIFEST).is_file() else [])


def archived_periods(reports_dir: Path) -> list[Period]:
    """Every period with an archived report, newest first."""
    out = []
    if not reports_dir.is_dir():
        return out
    for year_folder in reports_dir.iterdir():
        if not (year_folder.is_dir() and year_folder.name.isdigit() and len(year_folder.name) == 4):
            continue
        for quarter in (1, 2, 3, 4):
            if (year_folder / f"T{quarter}" / MANIFEST).is_file():
                out.append(Period(int(year_folder.name), quarter))
    return sorted(out, reverse=True)


def current_manifest(reports_dir: Path, period: Period) -> Manifest | None:
    """The manifest of the newest revision of a period, if archived."""
    return read_manifest(period_dir(reports_dir, period))
