"""A quick screen of the input tables, in plain Python: does validation need to run at all?

Why: ``mirbook indicadores`` must refuse exactly the data ``mirbook validar`` refuses (a
clave it cannot read, ``a1.1`` or ``A9.9``, used to print wrong figures), yet it must stay
fast and light: no pandas, no Great Expectations. So this screen runs every *error* rule of
:mod:`mirbook.validation.checks` (required columns, empty cells, claves and units known to
``params/``, who may report what, tipos and flujos, whole numbers, quarters, real dates in
the year, repeated folios and combinations) straight on the raw text, with the contract's
own regular expressions (:mod:`mirbook.contract`). It only answers *whether* something is
wrong; when it is, the caller runs the full validation (Great Expectations), which phrases
every problem exactly as ``validar`` does. A false alarm costs time, never a wrong answer;
a miss would be a wrong table, so every error check declared in :mod:`.checks` has its
counterpart here (tests/test_cli_indicadores.py runs the screen against validation).
Warnings (extra columns, repeated justifications) never stop a run and are not screened.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING

from ..contract import INT_REGEX, ISO_DATE_REGEX, QUARTER, TABLES
from ..sources import RawTable

if TYPE_CHECKING:
    from ..workbook import Params

_INT = re.compile(INT_REGEX)
_DATE = re.compile(ISO_DATE_REGEX)

#: Cells that must not be empty, per table (the ``_not_null`` checks of :mod:`.checks`).
_NOT_EMPTY = {
    "programacion": ("indicador", "unidad_responsable", "trimestre", "programado"),
    "registros": ("folio", "indicador", "unidad_responsable", "fecha", "titulo", "medio_verificacion"),
    "justificaciones": ("indicador", "trimestre", "causa", "efecto"),
}


def _number(text: str) -> int | None:
    """A whole number as validation's regex reads it (sign allowed); ``None`` when it is not one."""
    if not _INT.match(text):
        return None
    return int(text.split(".")[0])


def _quarter_ok(text: str) -> bool:
    number = _number(text)
    return number is not None and QUARTER.minimum <= number <= QUARTER.maximum  # type: ignore[operator]


def _table_problems(table: RawTable, params: Params, year: int) -> Iterator[str]:
    """Why ``table`` would fail validation (short internal reasons; the first is enough)."""
    name = table.name
    if any(col not in table.columns for col in TABLES[name].required_columns):
        yield "columna obligatoria ausente"
        return
    mir, org = params.mir, params.organizacion
    claves, units = set(mir.claves), set(org.claves)
    reports = {(c, u.clave) for u in org.unidades for c in u.puede_reportar}
    tipos = {i.clave: set(i.tipos_producto) for i in mir.indicadores}
    flujos = {i.clave: set(i.flujos) for i in mir.indicadores}
    seen: set[tuple[str, ...]] = set()
    first, last = date(year, 1, 1).isoformat(), date(year, 12, 31).isoformat()
    for _, values in table.rows:
        if any(not values.get(col) for col in _NOT_EMPTY[name]):
            yield "celda vacía"
            return
        clave = values["indicador"]
        if clave not in claves:
            yield f"indicador {clave}"
            return
        if name == "justificaciones":
            if not _quarter_ok(values["trimestre"]):
                yield "trimestre"
                return
            continue
        unit = values["unidad_responsable"]
        if unit not in units or (clave, unit) not in reports:
            yield f"unidad {unit}"
            return
        if name == "programacion":
            programado = _number(values["programado"])
            key = (clave, unit, values["trimestre"])
            if not _quarter_ok(values["trimestre"]) or programado is None or programado < 0 or key in seen:
                yield "programación"
                return
        else:
            fecha, tipo, flujo = values["fecha"], values.get("tipo") or "", values.get("flujo") or ""
            key = (values["folio"],)
            if not _DATE.match(fecha) or not first <= fecha <= last or key in seen:
                yield "fecha o folio"
                return
            if (tipo and tipos[clave] and tipo not in tipos[clave]) or (flujos[clave] and flujo not in flujos[clave]):
                yield "tipo o flujo"
                return
        seen.add(key)


def needs_validation(tables: dict[str, RawTable], params: Params, year: int) -> bool:
    """Whether any table read would fail validation (then run :func:`mirbook.validation.validate`)."""
    return any(next(_table_problems(table, params, year), None) for table in tables.values()
               if table.name in _NOT_EMPTY)
