"""A researcher's DataFrame, formatted for the report: one call, static HTML.

``df`` shown as is in a report prints ``66.666667`` and ``1234``; the report's own tables
print ``66.67 %`` and ``1,234`` with the semáforo as a badge. :func:`tabla_reporte` gives a
researcher's table the same look, so a notebook's own tables sit next to the report blocks
without standing out:

* numbers with es-MX separators, rounded half-up to two decimals only when written
  (:mod:`mirbook.formatting`); columns named ``*_pct`` (or listed in ``porcentajes``) as
  percentages, ``*_pp`` as signed percentage points;
* a column whose values are all semáforos (``verde``, ``amarillo``, ``rojo``, ``no_aplica``)
  as the report's badge, colour plus symbol plus word (the ``sem`` macro of
  ``templates/report/macros.html.j2``);
* ``clave``/``indicador`` columns with the MIR name of the indicator under the clave when a
  workbook is given; known column names with their Spanish headers.

The HTML is rendered by the report's Jinja environment, which autoescapes every value: a
title, a header or a cell written by a user can never inject markup. The object returned
displays itself in JupyterLab (``_repr_html_``), so nbconvert puts it in the HTML and PDF.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .formatting import int_es, pct_es, round2
from .model import SEMAFOROS

if TYPE_CHECKING:
    import pandas as pd

    from .workbook import Workbook

#: Spanish headers of the column names used by :mod:`mirbook.datos`.
ETIQUETAS = {
    "anio": "Año", "periodo": "Periodo", "trimestre": "Trimestre", "clave": "Clave", "indicador": "Indicador",
    "nivel": "Nivel", "nombre": "Indicador", "frecuencia": "Frecuencia", "reporta": "Reporta",
    "unidad_responsable": "Unidad responsable", "unidad": "Unidad responsable", "folio": "Folio",
    "fecha": "Fecha", "titulo": "Título", "medio_verificacion": "Medio de verificación", "tipo": "Tipo",
    "flujo": "Flujo", "productos": "Productos", "realizado": "Realizado", "programado": "Programado",
    "avance_pct": "Avance", "meta_pct": "Meta", "cumplimiento_pct": "Cumplimiento", "semaforo": "Semáforo",
    "semaforo_informativo": "Semáforo (informativo)", "justificacion": "Justificación",
    "realizado_anterior": "Realizado (año anterior)", "avance_pct_anterior": "Avance (año anterior)",
    "cumplimiento_pct_anterior": "Cumplimiento (año anterior)", "semaforo_anterior": "Semáforo (año anterior)",
    "diferencia_pp": "Diferencia (pp)", "trimestral_realizado": "Realizado en el trimestre",
    "trimestral_programado": "Programado en el trimestre", "trimestral_avance_pct": "Avance del trimestre",
    "causa": "Causa", "efecto": "Efecto", "otros_motivos": "Otros motivos", "fila": "Fila", "archivo": "Archivo",
}
VACIO = "—"
_CLAVE_COLUMNS = ("clave", "indicador")

_TEMPLATE = """\
{%- from "macros.html.j2" import sem -%}
<div class="tabla">
<table class="tabla-datos">
{% if titulo %}<caption>{{ titulo }}</caption>
{% endif %}
<thead>
<tr>{% for c in columnas %}<th scope="col"{% if c.num %} class="num"{% endif %}>{{ c.etiqueta }}</th>{% endfor %}</tr>
</thead>
<tbody>
{% for fila in filas %}
<tr>
{%- for c in fila %}
{%- if c.tipo == "sem" %}<td>{{ sem(c.valor) }}</td>
{%- elif c.tipo == "clave" %}<th scope="row" class="clave">{{ c.valor }}{% if c.detalle %}<span class="detalle">{{ c.detalle }}</span>{% endif %}</th>
{%- elif c.tipo == "encabezado" %}<th scope="row">{{ c.valor }}</th>
{%- else %}<td{% if c.num %} class="num"{% endif %}>{{ c.valor }}</td>
{%- endif %}
{%- endfor -%}
</tr>
{% endfor %}
</tbody>
</table>
</div>
{% if fuente %}<p class="fuente">Fuente: {{ fuente }}</p>
{% endif %}"""


@dataclass(frozen=True)
class TablaReporte:
    """A DataFrame formatted for the report; displays itself as HTML in Jupyter and in the report."""

    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


def _missing(value: Any) -> bool:
    """None, NaN, NaT or pandas' NA."""
    import pandas as pd

    return value is None or (pd.api.types.is_scalar(value) and not isinstance(value, str) and bool(pd.isna(value)))


def _is_semaforo_column(values: list[Any]) -> bool:
    present = [v for v in values if not _missing(v)]
    return bool(present) and all(isinstance(v, str) and v in SEMAFOROS for v in present)


def _number(value: Any) -> str:
    if isinstance(value, bool):
        return "Sí" if value else "No"
    if isinstance(value, int) or (hasattr(value, "is_integer") and not isinstance(value, (float, Fraction))):
        return int_es(int(value))
    exact = Fraction(value) if isinstance(value, Fraction) else Fraction(str(float(value)))
    return f"{round2(exact):,.2f}"


def _cell(value: Any, kind: str) -> dict[str, Any]:
    """One cell: ``{"tipo", "valor", "num"}``, the value already written out (escaped later)."""
    if _missing(value):
        return {"tipo": "texto", "valor": VACIO, "num": kind in ("pct", "pp", "num")}
    if kind == "sem":
        return {"tipo": "sem", "valor": value}
    if kind in ("pct", "pp"):
        exact = Fraction(value) if isinstance(value, (int, Fraction)) else Fraction(str(float(value)))
        if kind == "pct":
            return {"tipo": "texto", "valor": pct_es(exact), "num": True}
        return {"tipo": "texto", "valor": f"{round2(exact):+,.2f} pp", "num": True}
    if isinstance(value, (datetime, date)) or hasattr(value, "to_pydatetime"):
        day = value.date() if isinstance(value, datetime) or hasattr(value, "to_pydatetime") else value
        return {"tipo": "texto", "valor": f"{day.day:02d}/{day.month:02d}/{day.year}", "num": False}
    if isinstance(value, (bool, int, float, Fraction)) or _is_numpy_number(value):
        return {"tipo": "texto", "valor": _number(value.item() if _is_numpy_number(value) else value),
                "num": not isinstance(value, bool)}
    return {"tipo": "texto", "valor": str(value), "num": False}


def _is_numpy_number(value: Any) -> bool:
    import numpy as np

    return isinstance(value, (np.integer, np.floating, np.bool_))


def _kind(name: str, values: list[Any], porcentajes: set[str], anio_columns: set[str]) -> str:
    if _is_semaforo_column(values):
        return "sem"
    if name in porcentajes or name.endswith(("_pct", "_pct_float")) or "_pct_" in name:
        return "pct"
    if name.endswith("_pp") or name.endswith("_pp_float"):
        return "pp"
    if name in anio_columns:
        return "anio"
    return "valor"


def _header(name: Any, labels: dict[str, str]) -> str:
    """The Spanish header of a column; a ``*_float`` twin takes the header of its exact column."""
    text = str(name)
    if text in labels:
        return labels[text]
    base = text[: -len("_float")] if text.endswith("_float") else text
    return labels.get(base, text)


def tabla_reporte(
    df: pd.DataFrame,
    wb: Workbook | None = None,
    titulo: str | None = None,
    fuente: str | None = None,
    porcentajes: Iterable[str] = (),
    etiquetas: dict[str, str] | None = None,
) -> TablaReporte:
    """``df`` as a report table (see the module docstring for the rules); returns a
    :class:`TablaReporte`, which Jupyter and the report show as HTML.

    ``wb``: the workbook, to write the MIR name under each indicator clave. ``titulo``: the
    caption; ``fuente``: a source line under the table. ``porcentajes``: more columns to show
    as percentages. ``etiquetas``: headers for your own columns (``{"n": "Productos"}``).
    A named or non-default index becomes the first columns (row headers).
    """
    import pandas as pd

    frame = df
    if not isinstance(frame.index, pd.RangeIndex) or any(n is not None for n in frame.index.names):
        frame = frame.reset_index()
    labels = {**ETIQUETAS, **(etiquetas or {})}
    porcentajes = set(porcentajes)
    columns, kinds = [], []
    for column in frame.columns:
        values = list(frame[column].astype(object)) if len(frame) else []
        kind = _kind(str(column), values, porcentajes, {"anio"})
        kinds.append(kind)
        numeric = kind in ("pct", "pp") or (
            kind == "valor" and pd.api.types.is_numeric_dtype(frame[column]) and
            not pd.api.types.is_bool_dtype(frame[column])
        ) or (kind == "valor" and values and all(isinstance(v, Fraction) or _missing(v) for v in values))
        columns.append({"etiqueta": _header(column, labels), "num": bool(numeric)})
    claves = dict(zip(wb.mir.claves, (i.nombre for i in wb.mir.indicadores))) if wb is not None else {}
    rows = []
    for record in frame.itertuples(index=False, name=None):
        row = []
        for position, (column, value, kind) in enumerate(zip(frame.columns, record, kinds)):
            if kind == "anio" and not _missing(value):
                row.append({"tipo": "texto", "valor": str(int(value)), "num": False})
            elif str(column) in _CLAVE_COLUMNS and isinstance(value, str) and (value in claves or position == 0):
                row.append({"tipo": "clave", "valor": value, "detalle": claves.get(value)})
            else:
                cell = _cell(value, kind if kind != "anio" else "valor")
                if position == 0 and cell["tipo"] == "texto" and not cell["num"]:
                    cell = {"tipo": "encabezado", "valor": cell["valor"]}
                row.append(cell)
        rows.append(row)
    from .report import _env  # the report's autoescaping environment, with its ``sem`` macro

    html = _env().from_string(_TEMPLATE).render(columnas=columns, filas=rows, titulo=titulo, fuente=fuente)
    return TablaReporte(html)
