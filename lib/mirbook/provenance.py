"""Where a revision comes from: its input files, the code, the package versions, the git state.

Why a module of its own: the run decides "nothing changed, nothing to do" from one
fingerprint (``huella``) over everything that shapes a revision, and the manifest records
the same facts for whoever audits the archive later. Both must agree on what counts, so
what counts is listed here once: the period's data files and the previous year's, every
file in ``params/``, the notebooks, the package's own code and templates, the versions
of the packages that draw the reports, the list of year folders in the data folder, and
every other data file a notebook read through :mod:`mirbook.datos`. Hashing only: nothing
here parses the data; when the run has already read a year's files
(:class:`~mirbook.sources.YearInputs`) their hashes are taken from the very bytes that were
parsed instead of reading the files again.

What a notebook reads is known only after it ran (its read log, see :func:`read_inputs`),
so the fingerprint of a revision covers those files too (:meth:`Provenance.plus`), and
the next run's "nothing changed?" check re-hashes every data file the archived manifest
recorded (:func:`recorded_inputs`): a change in a 2024 file read by a 2026 notebook, or a
new year folder, makes a new revision.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from .archive import sha256_file
from .errors import DataError
from .manifest import GitState, Manifest
from .model import Period
from .paths import data_years, project_root
from .sources import YearInputs, year_files
from .workbook import Params

PACKAGES = (
    "mirbook", "pandas", "numpy", "matplotlib", "seaborn", "papermill", "nbconvert", "nbclient", "nbformat",
    "ipykernel", "great-expectations", "weasyprint", "openpyxl", "pyyaml", "jinja2",
)
_PACKAGE = Path(__file__).resolve().parent


def now() -> datetime:
    """The run's clock: ``$SOURCE_DATE_EPOCH`` when set (reproducible builds), else local time."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.now(timezone.utc).astimezone()


def code_files() -> list[Path]:
    """The package's own source and templates: a change in them makes a new revision."""
    return sorted(p for p in _PACKAGE.rglob("*")
                  if p.is_file() and p.suffix in (".py", ".j2", ".css", ".tpl", ".json", ".html"))


def input_files(data_dir: Path, period: Period, params: Params, notebooks: list[Path]) -> dict[str, Path]:
    """``{label: path}`` of everything a revision is made from (labels are stable, portable names)."""
    files: dict[str, Path] = {}
    for year in (period.year, period.year - 1):
        for path in year_files(data_dir, year):  # the units' files as unidades/<CLAVE>.xlsx…
            files[data_label(data_dir, path)] = path
    for path in sorted(params.folder.glob("*.yaml")):
        files[f"params/{path.name}"] = path
    for path in notebooks:
        files[f"notebooks/{path.name}"] = path
    return files


DATA_LABEL = "datos/"  #: label prefix of a file inside the data folder (``datos/2024/registros.csv``)
OUTSIDE_LABEL = "externos/"  #: label prefix of a data file read from outside it (its absolute path)


def data_label(data_dir: Path, path: Path) -> str:
    """The stable label of a data file: ``datos/<año>/<archivo>`` inside the data folder, else
    ``externos/<ruta absoluta>``."""
    path = Path(path).resolve()
    try:
        return DATA_LABEL + path.relative_to(Path(data_dir).resolve()).as_posix()
    except ValueError:
        return OUTSIDE_LABEL + path.as_posix().lstrip("/")


def label_path(data_dir: Path, label: str) -> Path | None:
    """The file a data label names (the inverse of :func:`data_label`); ``None`` for other labels."""
    if label.startswith(DATA_LABEL):
        return Path(data_dir) / label[len(DATA_LABEL):]
    if label.startswith(OUTSIDE_LABEL):
        return Path("/") / label[len(OUTSIDE_LABEL):]
    return None


def fingerprint(inputs: Mapping[str, str], code: Mapping[str, str], period: Period, versions: Mapping[str, str],
                years: Iterable[int] = ()) -> str:
    """One sha256 over the inputs, the code, the period, the package versions and the data's year folders."""
    digest = hashlib.sha256(f"{period.year}-{period.label}\n".encode())
    digest.update(f"anios={','.join(str(y) for y in years)}\n".encode())
    for group in (inputs, code, versions):
        for key in sorted(group):
            digest.update(f"{key}={group[key]}\n".encode())
    return digest.hexdigest()


def package_versions() -> dict[str, str]:
    """Installed versions of the packages that shape the reports."""
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "no instalado"
    return out


def git_state() -> GitState:
    """The project's git commit and whether the tree had uncommitted changes."""
    root = project_root()
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                                capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return GitState()
    if commit.returncode != 0:
        return GitState()
    return GitState(commit.stdout.strip(), bool(status.stdout.strip()))


@dataclass(frozen=True)
class Provenance:
    """The hashes of everything one revision of a period is made from, and their fingerprint."""

    inputs: dict[str, str]
    code: dict[str, str]
    versions: dict[str, str]
    huella: str
    period: Period
    years: tuple[int, ...] = ()  #: the year folders of the data folder

    def with_read(self, read: Iterable[YearInputs]) -> Provenance:
        """The same facts with the data hashes of the bytes the run has since read and parsed
        (the quick "nothing changed?" check only hashed them)."""
        inputs = {**self.inputs, **{k: v for k, v in read_hashes(read).items() if k in self.inputs}}
        return replace(self, inputs=inputs,
                       huella=fingerprint(inputs, self.code, self.period, self.versions, self.years))

    def plus(self, extra: Mapping[str, str]) -> Provenance:
        """The same with more input files (``{label: sha256}``), and its fingerprint over all of them."""
        inputs = {**self.inputs, **extra}
        return replace(self, inputs=inputs,
                       huella=fingerprint(inputs, self.code, self.period, self.versions, self.years))


def read_hashes(read: Iterable[YearInputs]) -> dict[str, str]:
    """``{label: sha256}`` of the data files already read, labelled as :func:`input_files` does."""
    return {f"datos/{year.year}/{path.relative_to(year.folder).as_posix()}": digest
            for year in read if year.folder is not None for path, digest in year.sha256.items()}


def collect(data_dir: Path, period: Period, params: Params, notebooks: list[Path],
            versions: dict[str, str], read: Iterable[YearInputs] = ()) -> Provenance | None:
    """Hash the inputs and the code of one period; ``None`` when an input cannot be read
    (validation explains why). ``read``: the years' files already read by the run."""
    known = read_hashes(read)
    try:
        files = input_files(data_dir, period, params, notebooks)
        inputs = {k: known[k] if k in known else sha256_file(p) for k, p in files.items()}
    except (OSError, DataError):
        return None
    code = {p.relative_to(_PACKAGE).as_posix(): sha256_file(p) for p in code_files()}
    years = tuple(data_years(data_dir))
    return Provenance(inputs, code, versions, fingerprint(inputs, code, period, versions, years), period, years)


def recorded_inputs(data_dir: Path, manifest: Manifest, known: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every data file the archived ``manifest`` recorded, hashed again now (``{label: sha256}``);
    ``known``: files this run has hashed already, taken as they are (each file is hashed once).

    A file that no longer exists is left out, so the fingerprint differs from the archived one.
    """
    known = known or {}
    out = {}
    for label in manifest.entradas:
        if label in known:
            out[label] = known[label]
            continue
        path = label_path(data_dir, label)
        if path is not None and path.is_file():
            out[label] = sha256_file(path)
    return out


def read_inputs(data_dir: Path, entries: Iterable[Mapping], notebook: str) -> dict[str, str]:
    """The files one notebook read through :mod:`mirbook.datos` (its read log's ``archivo``
    entries), hashed again now: ``{label: sha256}``.

    A file whose content is no longer the one the notebook read (changed or deleted while the
    notebook ran) raises :class:`DataError`: the revision would not say what its figures came from.
    """
    out = {}
    for entry in entries:
        if entry.get("tipo") != "archivo":
            continue
        path = Path(entry["ruta"])
        try:
            digest = sha256_file(path)
        except OSError:
            digest = None
        if digest != entry["sha256"]:
            raise DataError(f"El archivo {path} cambió mientras se ejecutaba el cuaderno {notebook}; "
                            "no se archivó nada. Vuelva a generar el periodo cuando los datos no estén cambiando.")
        out[data_label(data_dir, path)] = digest
    return out
