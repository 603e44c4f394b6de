"""Load ``params/reportes.yaml``: the limits of a report (how many products a section lists).

Why a file of its own: how long a report may get is the evaluation area's choice, not the
MIR's, and a year of hundreds of thousands of records must not make a PDF of thousands of
pages (issue 15). The limit lives in params; the sections list up to it and the complete
list is the revision's ``registros_periodo.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import ParamsError

FILE = "reportes.yaml"
#: Used when ``params/reportes.yaml`` is absent (an older project's params folder).
DEFAULT_MAX_PRODUCTOS = 200
#: Where a revision keeps the complete list of the period's records (written by every run,
#: :func:`mirbook.table.period_records_csv`): what a section cut short points to.
ANNEX = "registros_periodo.csv"


@dataclass(frozen=True)
class Reportes:
    """The limits of the reports."""

    max_productos_listados: int = DEFAULT_MAX_PRODUCTOS


def load_reportes(folder: Path) -> Reportes:
    """``folder/reportes.yaml``, checked; the defaults when the file is absent."""
    path = Path(folder) / FILE
    if not path.is_file():
        return Reportes()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ParamsError(f"{path}: no se puede leer ({type(exc).__name__}).") from None
    if not isinstance(raw, dict) or set(raw) - {"max_productos_listados"}:
        raise ParamsError(f"{path}: solo admite la clave max_productos_listados.")
    value = raw.get("max_productos_listados", DEFAULT_MAX_PRODUCTOS)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ParamsError(f"{path}: max_productos_listados debe ser un número entero mayor que 0 (se leyó {value!r}).")
    return Reportes(value)
