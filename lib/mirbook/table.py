"""The tables of an archived period: ``indicadores.csv`` (mir-domain §5) and ``registros_periodo.csv``.

``registros_periodo.csv`` is the evidence behind the figures: every registro counted in the
period (dated 1 January to the period's end) with its ``origen`` — the file, sheet and
Excel row it was read from — so a figure can be traced to the unit's own workbook.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .formatting import bool_csv, pct_csv
from .contract import TABLES
from .indicators import Evaluation
from .model import Period, YearData

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


#: The columns of ``registros_periodo.csv``: the contract's, then where each row was read.
RECORD_COLUMNS = (*TABLES["registros"].column_names, "origen")


def period_records_csv(data: YearData, period: Period) -> str:
    """The registros dated in ``period`` (1 January to its end), in reading order, with their origin."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=RECORD_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in data.registros:
        if period.start <= r.fecha <= period.end:
            row = {c: getattr(r, c) for c in RECORD_COLUMNS}
            writer.writerow({**row, "fecha": r.fecha.isoformat()})
    return buffer.getvalue()
