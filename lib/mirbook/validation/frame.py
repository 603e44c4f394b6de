"""The frame Great Expectations sees: a table's raw text indexed by its Excel row.

Great Expectations sees the *raw text* of each table (``dtype=object``, empty cells
as null) indexed by the row number the user sees in Excel (header = row 1), so every
unexpected index maps straight back to a spreadsheet row. A few derived columns
(prefixed ``__``) hold parsed numbers and dates (parsed by the contract's own rules,
:mod:`mirbook.contract`) so ranges can be checked apart from form; messages always show
the user's own text, never a derived value.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import pandas as pd

from ..contract import TABLES, parse_date, parse_signed_int
from ..sources import RawTable

if TYPE_CHECKING:
    from ..workbook import Params

DERIVED_PREFIX = "__"
#: Name of the frame's index: the row number the user sees in Excel (header = row 1).
ROW_INDEX = "fila"


def pair(indicador: Any, value: Any) -> str:
    """``"A1.1 / DRII"``: an indicator with its unit, tipo or flujo, as derived columns hold them."""
    return f"{indicador} / {value}"


def frame(table: RawTable, params: Params) -> pd.DataFrame:
    """The table's raw text (empty = null) indexed by Excel row, plus derived ``__`` columns.

    Derived: ``__trimestre`` and ``__programado`` (numbers, NaN when not whole numbers),
    ``__fecha`` (a date, NaT when not a real ISO date) and ``__indicador_<col>`` pairs
    ``"A1.1 / DRII"`` of the row's indicator with its unit, tipo or flujo, set only when
    both are given and the indicator (and unit) are known, so that each problem is
    reported once, by the check that owns it.
    """
    optional = TABLES[table.name].optional_columns
    rows = [values for _, values in table.rows]
    data: dict[str, list[Any]] = {col: [v.get(col) or None for v in rows] for col in table.columns}
    for col in optional:
        data.setdefault(col, [None] * len(rows))  # optional columns absent: as if empty
    index = pd.Index([number for number, _ in table.rows], dtype="int64", name=ROW_INDEX)
    df = pd.DataFrame(data, index=index, dtype=object)
    for col in ("trimestre", "programado"):
        if col in df.columns:
            numbers = [parse_signed_int(v) for v in df[col]]
            df[DERIVED_PREFIX + col] = pd.Series(numbers, index=index, dtype="float64")
    if "fecha" in df.columns:
        dates = [parse_date(v) if v else None for v in df["fecha"]]
        df[DERIVED_PREFIX + "fecha"] = pd.to_datetime(pd.Series(dates, index=index, dtype=object))
    if "indicador" in df.columns:
        claves, units = set(params.mir.claves), set(params.organizacion.claves)
        for col in ("unidad_responsable", "tipo", "flujo"):
            if col not in df.columns:
                continue
            pairs = [
                pair(ind, value)
                if ind in claves and value is not None and (col != "unidad_responsable" or value in units)
                else None
                for ind, value in zip(df["indicador"], df[col])
            ]
            df[DERIVED_PREFIX + "indicador_" + col] = pd.Series(pairs, index=index, dtype=object)
    return df
