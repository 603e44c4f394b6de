"""Where things are: the project root, params, the data folder of a year, the archive of a period.

Year and period reach a path only as validated integers (see :mod:`mirbook.model`),
so user input can never walk outside the data or reports folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import DataError
from .model import Period


def project_root() -> Path:
    """The project root: ``$MIRBOOK_ROOT``, else the checkout this package lives in, else the cwd."""
    env = os.environ.get("MIRBOOK_ROOT")
    if env:
        return Path(env).resolve()
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "params" / "mir.yaml").is_file():
        return checkout
    return Path.cwd()


def params_dir() -> Path:
    """``params/`` of the project."""
    return project_root() / "params"


def notebooks_dir() -> Path:
    """``notebooks/`` of the project."""
    return project_root() / "notebooks"


def resolve_dir(value: str | os.PathLike | None, default: str) -> Path:
    """A folder given on the command line (relative to the cwd) or the default (relative to the root)."""
    if value is None or str(value) == "":
        return project_root() / default
    return Path(value).expanduser().resolve()


def year_dir(data_dir: Path, year: int, must_exist: bool = True) -> Path:
    """``<data_dir>/<year>``; a :class:`DataError` when it must exist and does not."""
    if not isinstance(year, int):
        raise TypeError("year must be a validated int")
    folder = Path(data_dir) / str(year)
    if must_exist and not folder.is_dir():
        if not Path(data_dir).is_dir():
            raise DataError(f"No existe la carpeta de datos {data_dir}.")
        raise DataError(
            f"No existe la carpeta del año {year}: {folder}. "
            "Cree la carpeta con los archivos programacion y registros del año."
        )
    return folder


def data_years(data_dir: Path) -> list[int]:
    """The years that have a folder (``<data_dir>/AAAA``), oldest first; none when there is no data folder."""
    folder = Path(data_dir)
    if not folder.is_dir():
        return []
    return sorted(int(p.name) for p in folder.iterdir() if p.is_dir() and p.name.isdigit() and len(p.name) == 4)


def period_dir(reports_dir: Path, period: Period) -> Path:
    """``<reports_dir>/<year>/T<q>``, the archive folder of one period."""
    return Path(reports_dir) / str(period.year) / period.label


DEMO_MARKER = "DEMO"


def is_demo_data(data_dir: Path) -> bool:
    """Whether a data folder holds the synthetic demo data (it carries a ``DEMO`` marker file)."""
    return (Path(data_dir) / DEMO_MARKER).is_file()
