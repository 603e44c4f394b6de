"""Load ``params/captura.yaml``: the deadlines by which the units deliver each quarter.

Why: the capture workbooks tell each unit when its quarter is due, and those dates are
an institutional decision the evaluation area changes every year — data, not code. The
file is optional (no file: no published deadlines), but when present it is checked
strictly: an unknown key, a quarter other than T1–T4, a date that does not exist or a
deadline on or before the end of the quarter it closes is a :class:`ParamsError`
naming the file, the year and the quarter.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from .errors import ParamsError
from .model import Period, parse_quarter
from .params import _check_keys

_KEYS = {"plazos"}


class _DatesAsText(yaml.SafeLoader):
    """A safe loader that leaves dates as text, so an impossible date is our message, not a traceback."""


_DatesAsText.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def _read(path: Path) -> object:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_DatesAsText)  # noqa: S506 - a safe loader
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ParamsError(f"{path}: el archivo YAML no se puede leer ({exc}).") from None


def _deadline(value: object, where: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ParamsError(f"{where}: se esperaba una fecha AAAA-MM-DD (se encontró «{value}»).")


def load_plazos(path: Path) -> dict[int, dict[int, date]]:
    """Year → quarter → deadline; ``{}`` when the file does not exist."""
    path = Path(path)
    if not path.is_file():
        return {}
    raw = _check_keys(_read(path), _KEYS, str(path))
    years = raw["plazos"] or {}
    if not isinstance(years, dict):
        raise ParamsError(f"{path}: «plazos» debe ser una tabla año: {{T1: fecha, …}}.")
    out: dict[int, dict[int, date]] = {}
    for year_key, quarters in years.items():
        where = f"{path}, plazos, año «{year_key}»"
        if isinstance(year_key, bool) or not isinstance(year_key, int) or not 1900 <= year_key <= 2999:
            raise ParamsError(f"{where}: el año debe escribirse con cuatro cifras, sin comillas.")
        if not isinstance(quarters, dict) or not quarters:
            raise ParamsError(f"{where}: se esperaba una tabla T1: fecha, T2: fecha, …")
        out[year_key] = {}
        for label, value in quarters.items():
            try:
                quarter = parse_quarter(str(label))
            except Exception:  # noqa: BLE001 - any bad label becomes the params message below
                raise ParamsError(f"{where}: «{label}» no es un trimestre; use T1, T2, T3 o T4.") from None
            deadline = _deadline(value, f"{where}, {label}")
            end = Period(year_key, quarter).end
            if deadline <= end:
                raise ParamsError(
                    f"{where}, {label}: la fecha límite {deadline.isoformat()} debe ser posterior al cierre "
                    f"del trimestre ({end.isoformat()})."
                )
            out[year_key][quarter] = deadline
    return out
