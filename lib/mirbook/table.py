"""The indicator table of an archived period: ``indicadores.csv`` (mir-domain §5)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from .formatting import bool_csv, pct_csv
from .indicators import Evaluation

if TYPE_CHECKING:
    from .workbook import Workbook

CSV_COLUMNS = (
    "anio", "periodo", "clave", "nivel", "nombre", "frecuencia", "reporta",
    "realizado", "programado", "avance_pct", "meta_pct", "cumplimiento_pct", "semaforo",
)


def rows(evaluation: Evaluation) -> list[dict[str, str]]:
    """One row of text per indicator, in MIR order, formatted as the contract says."""
    out = []
    for result in evaluation.results:
        indicator = result.indicator
        out.append(
            {
                "anio": str(evaluation.period.year),
                "periodo": evaluation.period.label,
                "clave": indicator.clave,
                "nivel": indicator.nivel,
                "nombre": indicator.nombre,
                "frecuencia": indicator.frecuencia,
                "reporta": bool_csv(result.reporta),
                "realizado": str(result.realizado),
                "programado": str(result.programado),
                "avance_pct": pct_csv(result.avance_pct),
                "meta_pct": pct_csv(result.meta_pct),
                "cumplimiento_pct": pct_csv(result.cumplimiento_pct),
                "semaforo": result.semaforo,
            }
        )
    return out


def to_csv(evaluation: Evaluation) -> str:
    """The whole CSV as text (UTF-8 when written, ``\\n`` line endings)."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows(evaluation))
    return buffer.getvalue()


def write_csv(evaluation: Evaluation, path: Path) -> None:
    """Write ``indicadores.csv`` to ``path``."""
    Path(path).write_text(to_csv(evaluation), encoding="utf-8", newline="")


#: Columns of the product annex (``anexos/productos.csv``): the data's own names.
PRODUCT_COLUMNS = ("indicador", "folio", "fecha", "unidad_responsable", "titulo", "tipo", "flujo",
                   "medio_verificacion", "fila")


def products_csv(workbook: Workbook, limit: int) -> str | None:
    """The complete list of the period's products of every indicator, as CSV text, when some
    indicator has more than ``limit`` (its report section lists only ``limit``); else ``None``."""
    from .indicators import products

    lists = [products(ind, workbook.data, workbook.period) for ind in workbook.mir.indicadores]
    if all(len(items) <= limit for items in lists):
        return None
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(PRODUCT_COLUMNS)
    for items in lists:
        for r in items:
            writer.writerow([r.indicador, r.folio, r.fecha.isoformat(), r.unidad_responsable, r.titulo, r.tipo,
                             r.flujo, r.medio_verificacion, r.fila])
    return buffer.getvalue()
