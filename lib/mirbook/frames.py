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

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .formatting import decimal_es, int_es, pct_es, round2
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


def _exact(value: Any) -> Fraction:
    """An exact value from an int, a Fraction or a float (a float through its shortest repr, so
    ``62.5`` is 125/2 and ``0.1`` is 1/10, as the reader sees it)."""
    return Fraction(value) if isinstance(value, (int, Fraction)) else Fraction(repr(float(value)))


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds (``np.int64(3)`` → ``3``); anything else as is."""
    return value.item() if type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 0 else value


def _cell(value: Any, kind: str) -> dict[str, Any]:
    """One cell: ``{"tipo", "valor", "num"}``, the value already written out (escaped later)."""
    value = _plain(value)
    if _missing(value):
        return {"tipo": "texto", "valor": VACIO, "num": kind in ("pct", "pp", "num")}
    if kind == "sem":
        return {"tipo": "sem", "valor": value}
    if kind == "anio":
        return {"tipo": "texto", "valor": str(value), "num": False}
    if kind == "pct":
        return {"tipo": "texto", "valor": pct_es(_exact(value)), "num": True}
    if kind == "pp":
        return {"tipo": "texto", "valor": f"{round2(_exact(value)):+,.2f} pp", "num": True}
    if isinstance(value, bool):
        return {"tipo": "texto", "valor": "Sí" if value else "No", "num": False}
    if isinstance(value, int):
        return {"tipo": "texto", "valor": int_es(value), "num": True}
    if isinstance(value, (float, Fraction)):
        return {"tipo": "texto", "valor": decimal_es(_exact(value)), "num": True}
    if isinstance(value, (datetime, date)):
        day = value.date() if isinstance(value, datetime) else value
        return {"tipo": "texto", "valor": f"{day.day:02d}/{day.month:02d}/{day.year}", "num": False}
    return {"tipo": "texto", "valor": str(value), "num": False}


def _kind(name: str, values: list[Any], porcentajes: set[str]) -> str:
    """How a column is written: ``sem``, ``pct``, ``pp``, ``anio`` (no separator), ``num`` or ``valor``."""
    if _is_semaforo_column(values):
        return "sem"
    if name in porcentajes or name.endswith(("_pct", "_pct_float")) or "_pct_" in name:
        return "pct"
    if name.endswith(("_pp", "_pp_float")):
        return "pp"
    if name == "anio":
        return "anio"
    present = [_plain(v) for v in values if not _missing(v)]
    if present and all(isinstance(v, (int, float, Fraction)) and not isinstance(v, bool) for v in present):
        return "num"
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
    kinds = [_kind(str(c), list(frame[c].astype(object)), porcentajes) for c in frame.columns]
    columns = [{"etiqueta": _header(c, labels), "num": kind in ("pct", "pp", "num")}
               for c, kind in zip(frame.columns, kinds)]
    claves = dict(zip(wb.mir.claves, (i.nombre for i in wb.mir.indicadores))) if wb is not None else {}
    rows = []
    for record in frame.itertuples(index=False, name=None):
        row = []
        for position, (column, value, kind) in enumerate(zip(frame.columns, record, kinds)):
            if str(column) in _CLAVE_COLUMNS and isinstance(value, str) and (value in claves or position == 0):
                row.append({"tipo": "clave", "valor": value, "detalle": claves.get(value)})
                continue
            cell = _cell(value, kind)
            if position == 0 and cell["tipo"] == "texto" and not cell["num"]:
                cell = {"tipo": "encabezado", "valor": cell["valor"]}
            row.append(cell)
        rows.append(row)
    from .templating import render  # the one autoescaping environment, with the shared ``sem`` macro

    html = render("report/tabla_datos.html.j2", columnas=columns, filas=rows, titulo=titulo, fuente=fuente)
    return TablaReporte(html)
