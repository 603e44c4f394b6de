"""Tidy pandas tables for a researcher's own analysis, and the register of the files they read.

The report blocks (:mod:`mirbook.report`) answer the official questions; a researcher's
notebook asks its own, with ordinary pandas. This module hands over the same figures as
tidy DataFrames instead of nested dataclasses of ``Fraction``s:

* one row per record, programación row, justificación or indicator result, for the
  workbook's year, several years or every year with data (``anio`` column);
* ``fecha`` as ``datetime64`` (so ``.dt`` works) and the ``trimestre`` of each record;
* ``indicador``/``clave`` as categoricals in MIR order and ``unidad_responsable`` in the
  organisation's order, so groupbys and charts come out in the order of the reports;
* percentages twice: the exact ``Fraction`` (``avance_pct``…) for comparisons and the
  ``float`` twin (``avance_pct_float``, NaN when undefined) for plotting.

Nothing here computes a rule: every figure comes from :mod:`mirbook.indicators`
(``evaluate``, ``by_quarter``, ``by_unidad``, ``by_tipo``, ``by_flujo``) on data read by
:func:`mirbook.records.load_year`, so a table here always agrees with the report.

Why a register of files read: a notebook that reads 2024 through this module depends on
the 2024 files, and the archive must say so (manifest and fingerprint). Every year read
here is recorded in a process-wide register (:func:`archivos_leidos`) and, when the
environment variable ``MIRBOOK_READ_LOG`` names a file, appended to it as JSON lines, so
the process running the notebook (a kernel or a worker) can hand the list to the pipeline.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .indicators import Evaluation, Figures, by_flujo, by_quarter, by_tipo, by_unidad, evaluate
from .model import SEMAFOROS, Justificacion, Period, Programacion, Registro, YearData, quarter_of
from .paths import data_years
from .records import load_year
from .workbook import plan_in_force

if TYPE_CHECKING:
    import pandas as pd

    from .workbook import Workbook

#: Environment variable naming the JSON-lines file where every read is appended.
READ_LOG_ENV = "MIRBOOK_READ_LOG"

_READS: list[dict[str, Any]] = []
_LOGGED: set[tuple[str, str]] = set()

Anios = int | Iterable[int] | str | None


# --- the register of files read --------------------------------------------------------------


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _log(entry: dict[str, Any]) -> None:
    """Keep ``entry`` in the register and append it to ``$MIRBOOK_READ_LOG`` when set, each once:
    a read already registered (same file, same content) is not repeated in the register, nor in
    the same log file; a new log file (the next notebook's) gets it again."""
    if entry not in _READS:
        _READS.append(entry)
    target = os.environ.get(READ_LOG_ENV)
    if target:
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True)
        if (target, line) not in _LOGGED:
            with open(target, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")
            _LOGGED.add((target, line))


def _record_year(data: YearData) -> None:
    for tabla, path in sorted(data.archivos.items()):
        path = Path(path).resolve()
        # a table the units delivered names their folder (unidades/): every file in it was read
        files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith((".", "~$"))) \
            if path.is_dir() else [path]
        for file in files:
            _log({"tipo": "archivo", "anio": data.year, "tabla": tabla, "ruta": str(file), "sha256": _sha256(file)})


def archivos_leidos() -> list[Path]:
    """Every input file read through this module since the process started (or since
    :func:`reiniciar_registro`), without repetitions, in the order first read."""
    seen: dict[str, None] = {}
    for entry in _READS:
        if entry["tipo"] == "archivo":
            seen.setdefault(entry["ruta"], None)
    return [Path(p) for p in seen]


def lecturas() -> list[dict[str, Any]]:
    """The register itself: one dict per read (``tipo`` ``archivo`` with ``anio``, ``tabla``,
    ``ruta``, ``sha256``; or ``carpeta`` with ``ruta`` and the ``anios`` listed in it)."""
    return [dict(entry) for entry in _READS]


def reiniciar_registro() -> None:
    """Empty the register (a process that runs several notebooks calls it before each one)."""
    _READS.clear()
    _LOGGED.clear()


def read_log(path: Path) -> list[dict[str, Any]]:
    """The entries of a ``MIRBOOK_READ_LOG`` file, each once, in the order written (for the pipeline,
    after the notebook ran); no file (nothing read through this module) gives ``[]``."""
    path = Path(path)
    if not path.is_file():
        return []
    entries: list[dict[str, Any]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        if entry not in entries:
            entries.append(entry)
    return entries


# --- years ---------------------------------------------------------------------------------------


def anios_con_datos(wb: Workbook) -> list[int]:
    """The years that have a folder in the workbook's data folder, oldest first (recorded)."""
    folder = Path(wb.data_dir)
    years = data_years(folder)
    _log({"tipo": "carpeta", "ruta": str(folder.resolve()), "anios": years})
    return years


def _years(wb: Workbook, anios: Anios) -> list[int]:
    if anios is None:
        return [wb.period.year]
    if isinstance(anios, str):
        if anios != "todos":
            raise ValueError(f"anios: use un año, una lista de años, None o «todos», no «{anios}»")
        return anios_con_datos(wb)
    if isinstance(anios, int):
        return [anios]
    return sorted(set(int(a) for a in anios))


def datos_del_anio(wb: Workbook, anio: int) -> YearData:
    """The typed data of one year: the workbook's own for its year, else read from its data folder.

    Raises :class:`mirbook.errors.DataError` (a Spanish message naming the file) when the year
    has no folder or its files cannot be read. Every call is recorded (:func:`archivos_leidos`).
    """
    data = wb.data if anio == wb.period.year else load_year(Path(wb.data_dir), anio)
    _record_year(data)
    return data


# --- the same period of the previous year ---------------------------------------------------------


@dataclass(frozen=True)
class MismoPeriodo:
    """The same period of another year, aligned: data cut at the same quarter's end and its evaluation."""

    period: Period
    data: YearData
    evaluation: Evaluation


def cut_to_period(data: YearData, period: Period) -> YearData:
    """Only what belongs to ``period``: records dated 1 January…end of the quarter, programación and
    justificaciones of quarters 1…q."""
    return YearData(
        year=data.year,
        programacion=tuple(p for p in data.programacion if p.trimestre <= period.quarter),
        registros=tuple(r for r in data.registros if period.start <= r.fecha <= period.end),
        justificaciones=tuple(j for j in data.justificaciones if j.trimestre <= period.quarter),
        archivos=dict(data.archivos),
        ajustes=data.ajustes,
    )


def mismo_periodo_anterior(wb: Workbook) -> MismoPeriodo | None:
    """The same period of the previous year (2025 T3 for 2026 T3), aligned; ``None`` without that year.

    Unlike ``wb.previous`` (the whole previous year, records after the quarter included), the
    data stop at the same quarter's end, so counts compare like with like. Its evaluation is the
    engine's one for that period (the same as ``wb.previous_evaluation``).
    """
    period = wb.period.previous_year()
    if not (Path(wb.data_dir) / str(period.year)).is_dir():
        return None
    full = plan_in_force(datos_del_anio(wb, period.year), period)
    return MismoPeriodo(period, cut_to_period(full, period), evaluate(wb.mir, full, period))


# --- tidy tables -----------------------------------------------------------------------------------


def _ordered(values: Iterable[str], known: Iterable[str]) -> list[str]:
    order = list(dict.fromkeys(known))
    extra = sorted({v for v in values if v not in order})
    return order + extra


def _categorical(frame: pd.DataFrame, column: str, known: Iterable[str]) -> None:
    import pandas as pd

    frame[column] = pd.Categorical(frame[column], categories=_ordered(frame[column], known), ordered=True)


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(rows, columns=columns)


def _claves_mir(frame: pd.DataFrame, wb: Workbook, column: str) -> pd.DataFrame:
    _categorical(frame, column, wb.mir.claves)
    return frame


def _unidades(frame: pd.DataFrame, wb: Workbook, column: str = "unidad_responsable") -> pd.DataFrame:
    _categorical(frame, column, wb.organizacion.claves)
    return frame


def _cut(wb: Workbook, data: YearData, al_corte: bool) -> YearData:
    return cut_to_period(data, Period(data.year, wb.period.quarter)) if al_corte else data


REGISTROS_COLUMNS = ["anio", "folio", "indicador", "unidad_responsable", "fecha", "trimestre", "titulo",
                     "medio_verificacion", "tipo", "flujo", "archivo", "fila"]


def registros(wb: Workbook, anios: Anios = None, al_corte: bool = False) -> pd.DataFrame:
    """One row per record (product delivered) of the years asked for.

    ``anios``: ``None`` (the workbook's year), a year, a list of years, or ``"todos"`` (every year
    with a folder). ``al_corte=True`` keeps, in every year, only the records dated from 1 January to
    the end of the workbook's quarter (the same period of each year). ``fecha`` is ``datetime64``;
    ``trimestre`` is the quarter of the date.
    """
    import pandas as pd

    rows = []
    for year in _years(wb, anios):
        data = _cut(wb, datos_del_anio(wb, year), al_corte)
        archivo = Path(data.archivos.get("registros", "")).name
        rows += [_registro_row(year, r, archivo) for r in data.registros]
    frame = _frame(rows, REGISTROS_COLUMNS)
    frame["fecha"] = pd.to_datetime(frame["fecha"]).astype("datetime64[ns]")
    frame = frame.astype({"anio": "int64", "trimestre": "int64", "fila": "int64"})
    return _unidades(_claves_mir(frame, wb, "indicador"), wb)


def _registro_row(year: int, r: Registro, archivo: str) -> dict[str, Any]:
    return {"anio": year, "folio": r.folio, "indicador": r.indicador, "unidad_responsable": r.unidad_responsable,
            "fecha": r.fecha, "trimestre": quarter_of(r.fecha), "titulo": r.titulo,
            "medio_verificacion": r.medio_verificacion, "tipo": r.tipo, "flujo": r.flujo,
            "archivo": archivo, "fila": r.fila}


def programacion(wb: Workbook, anios: Anios = None, al_corte: bool = False) -> pd.DataFrame:
    """One row per programación row (``anio``, ``indicador``, ``unidad_responsable``, ``trimestre``,
    ``programado``, ``fila``); ``al_corte=True``: quarters 1…q of the workbook's quarter only."""
    rows = []
    for year in _years(wb, anios):
        data = _cut(wb, datos_del_anio(wb, year), al_corte)
        rows += [_programacion_row(year, p) for p in data.programacion]
    frame = _frame(rows, ["anio", "indicador", "unidad_responsable", "trimestre", "programado", "fila"])
    frame = frame.astype({"anio": "int64", "trimestre": "int64", "programado": "int64", "fila": "int64"})
    return _unidades(_claves_mir(frame, wb, "indicador"), wb)


def _programacion_row(year: int, p: Programacion) -> dict[str, Any]:
    return {"anio": year, "indicador": p.indicador, "unidad_responsable": p.unidad_responsable,
            "trimestre": p.trimestre, "programado": p.programado, "fila": p.fila}


def justificaciones(wb: Workbook, anios: Anios = None, al_corte: bool = False) -> pd.DataFrame:
    """One row per justificación (``anio``, ``indicador``, ``trimestre``, ``causa``, ``efecto``,
    ``otros_motivos``, ``fila``)."""
    rows = []
    for year in _years(wb, anios):
        data = _cut(wb, datos_del_anio(wb, year), al_corte)
        rows += [_justificacion_row(year, j) for j in data.justificaciones]
    frame = _frame(rows, ["anio", "indicador", "trimestre", "causa", "efecto", "otros_motivos", "fila"])
    frame = frame.astype({"anio": "int64", "trimestre": "int64", "fila": "int64"})
    return _claves_mir(frame, wb, "indicador")


def _justificacion_row(year: int, j: Justificacion) -> dict[str, Any]:
    return {"anio": year, "indicador": j.indicador, "trimestre": j.trimestre, "causa": j.causa,
            "efecto": j.efecto, "otros_motivos": j.otros_motivos, "fila": j.fila}


# --- indicator results and breakdowns ----------------------------------------------------------------

_PCT_FIELDS = ("avance_pct", "meta_pct", "cumplimiento_pct")
#: The columns of a set of figures: counts, exact percentages, their float twins.
FIGURE_COLUMNS = ("realizado", "programado", *_PCT_FIELDS, *(f"{name}_float" for name in _PCT_FIELDS))


def _as_float(value: Fraction | None) -> float:
    return float("nan") if value is None else float(value)


def _figures(figures: Figures, prefix: str = "") -> dict[str, Any]:
    """Counts, exact percentages, their float twins and the semáforo the figures give."""
    out: dict[str, Any] = {f"{prefix}realizado": figures.realizado, f"{prefix}programado": figures.programado}
    for name in _PCT_FIELDS:
        out[f"{prefix}{name}"] = getattr(figures, name)
    for name in _PCT_FIELDS:
        out[f"{prefix}{name}_float"] = _as_float(getattr(figures, name))
    return out


def _semaforo_categorical(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    import pandas as pd

    for column in columns:
        frame[column] = pd.Categorical(frame[column], categories=list(SEMAFOROS))
    return frame


def _periods(wb: Workbook, anios: Anios, trimestre: int | None) -> list[tuple[Period, YearData]]:
    quarter = wb.period.quarter if trimestre is None else int(trimestre)
    # the plan in force at each period's end (ajustes applied), as the reports compute it
    return [(Period(year, quarter), plan_in_force(datos_del_anio(wb, year), Period(year, quarter)))
            for year in _years(wb, anios)]


def _evaluation(wb: Workbook, period: Period, data: YearData) -> Evaluation:
    return wb.evaluation if period == wb.period else evaluate(wb.mir, data, period)


def resultados(wb: Workbook, anios: Anios = None, trimestre: int | None = None) -> pd.DataFrame:
    """One row per indicator and year: the official evaluation at quarter ``trimestre`` (default:
    the workbook's) of each year, as the report shows it (``clave`` in MIR order, ``reporta``,
    ``realizado``, ``programado``, exact and float percentages, ``semaforo``,
    ``semaforo_informativo``, ``justificacion``: whether there is one)."""
    rows = []
    for period, data in _periods(wb, anios, trimestre):
        for r in _evaluation(wb, period, data).results:
            rows.append({"anio": period.year, "periodo": period.label, "clave": r.clave,
                         "nivel": r.indicator.nivel, "nombre": r.indicator.nombre,
                         "frecuencia": r.indicator.frecuencia, "reporta": r.reporta, **_figures(r.figures),
                         "semaforo": r.semaforo, "semaforo_informativo": r.semaforo_informativo,
                         "justificacion": r.justificacion is not None})
    columns = ["anio", "periodo", "clave", "nivel", "nombre", "frecuencia", "reporta", *FIGURE_COLUMNS,
               "semaforo", "semaforo_informativo", "justificacion"]
    frame = _claves_mir(_frame(rows, columns), wb, "clave")
    return _semaforo_categorical(frame, "semaforo", "semaforo_informativo")


def _indicators(wb: Workbook, clave: str | None):
    return [wb.mir.get(clave)] if clave else list(wb.mir.indicadores)


def por_trimestre(wb: Workbook, clave: str | None = None, anios: Anios = None,
                  trimestre: int | None = None) -> pd.DataFrame:
    """Quarters 1…q of each indicator (or of ``clave``): each quarter alone (``*_trimestral``
    columns: realizado, programado, percentages) and accumulated to its end (``realizado``,
    ``programado``, ``avance_pct``… and the ``semaforo`` the cumulative figures give)."""
    rows = []
    for period, data in _periods(wb, anios, trimestre):
        for ind in _indicators(wb, clave):
            for q in by_quarter(wb.mir, ind, data, period):
                rows.append({"anio": period.year, "clave": ind.clave, "trimestre": q.trimestre,
                             "reporta": q.reporta, **_figures(q.trimestral, "trimestral_"),
                             **_figures(q.acumulado), "semaforo": q.acumulado.semaforo})
    columns = ["anio", "clave", "trimestre", "reporta", *(f"trimestral_{c}" for c in FIGURE_COLUMNS),
               *FIGURE_COLUMNS, "semaforo"]
    return _breakdown(wb, rows, columns)


def por_unidad(wb: Workbook, clave: str | None = None, anios: Anios = None,
               trimestre: int | None = None) -> pd.DataFrame:
    """Cumulative figures per unidad responsable (categorical in the organisation's order) of each
    indicator (or of ``clave``); units with nothing programmed or delivered are left out."""
    rows = []
    for period, data in _periods(wb, anios, trimestre):
        for ind in _indicators(wb, clave):
            for u in by_unidad(ind, data, period, wb.organizacion.claves):
                rows.append({"anio": period.year, "clave": ind.clave, "unidad_responsable": u.unidad,
                             **_figures(u.figures), "semaforo": u.figures.semaforo})
    columns = ["anio", "clave", "unidad_responsable", *FIGURE_COLUMNS, "semaforo"]
    return _unidades(_breakdown(wb, rows, columns), wb)


def _breakdown(wb: Workbook, rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """The rows as a frame with every column even when empty; claves in MIR order, semáforo categorical."""
    return _semaforo_categorical(_claves_mir(_frame(rows, columns), wb, "clave"), "semaforo")


def _counts(wb: Workbook, column: str, known: str, count, clave: str | None, anios: Anios,
            trimestre: int | None, trimestral: bool) -> pd.DataFrame:
    """Products per value of ``column`` (cumulative, or each quarter alone when ``trimestral``), as
    the engine's ``count`` gives them; ``known`` names the indicator's list of values (their order)."""
    rows = []
    for period, data in _periods(wb, anios, trimestre):
        for ind in _indicators(wb, clave):
            if not trimestral:
                rows += [{"anio": period.year, "clave": ind.clave, "trimestre": period.quarter, column: value,
                          "productos": n} for value, n in count(ind, data, period)]
                continue
            before: dict[str, int] = {}
            for quarter in range(1, period.quarter + 1):
                upto = dict(count(ind, data, Period(period.year, quarter)))
                for value, n in upto.items():
                    rows.append({"anio": period.year, "clave": ind.clave, "trimestre": quarter, column: value,
                                 "productos": n - before.get(value, 0)})
                before = upto
    frame = _claves_mir(_frame(rows, ["anio", "clave", "trimestre", column, "productos"]), wb, "clave")
    _categorical(frame, column, [v for ind in _indicators(wb, clave) for v in getattr(ind, known)])
    return frame.astype({"anio": "int64", "trimestre": "int64", "productos": "int64"})


def por_tipo(wb: Workbook, clave: str | None = None, anios: Anios = None, trimestre: int | None = None,
             trimestral: bool = False) -> pd.DataFrame:
    """Products delivered per ``tipo`` (the MIR's types first; ``""``: not stated), accumulated to the
    quarter (``trimestre`` column = the quarter of the cut); ``trimestral=True``: one row per quarter
    1…q and tipo with the products of that quarter alone."""
    return _counts(wb, "tipo", "tipos_producto", by_tipo, clave, anios, trimestre, trimestral)


def por_flujo(wb: Workbook, clave: str | None = "FIN", anios: Anios = None, trimestre: int | None = None,
              trimestral: bool = False) -> pd.DataFrame:
    """Products delivered per migration ``flujo`` (the Fin indicator by default); as :func:`por_tipo`."""
    return _counts(wb, "flujo", "flujos", by_flujo, clave, anios, trimestre, trimestral)


def comparacion_anual(wb: Workbook) -> pd.DataFrame:
    """Each indicator in the workbook's period against the same period of the previous year.

    Columns: ``clave``, ``nombre``, ``avance_pct``/``cumplimiento_pct`` of the year and of the
    previous one (``*_anterior``, ``None`` without data), ``diferencia_pp`` (avance minus the
    previous avance, in percentage points, exact) and the float twins of every percentage, the
    ``semaforo`` of each year.
    """
    anterior = mismo_periodo_anterior(wb)
    rows = []
    for r in wb.evaluation.results:
        prev = anterior.evaluation.get(r.clave) if anterior else None
        avance_prev = prev.avance_pct if prev else None
        cumpl_prev = prev.cumplimiento_pct if prev else None
        diff = None if r.avance_pct is None or avance_prev is None else r.avance_pct - avance_prev
        exact = {"avance_pct": r.avance_pct, "avance_pct_anterior": avance_prev, "diferencia_pp": diff,
                 "cumplimiento_pct": r.cumplimiento_pct, "cumplimiento_pct_anterior": cumpl_prev}
        rows.append({"anio": wb.period.year, "periodo": wb.period.label, "clave": r.clave,
                     "nombre": r.indicator.nombre, "realizado": r.realizado,
                     "realizado_anterior": prev.realizado if prev else None, **exact,
                     **{f"{k}_float": _as_float(v) for k, v in exact.items()},
                     "semaforo": r.semaforo, "semaforo_anterior": prev.semaforo if prev else None})
    frame = _claves_mir(_frame(rows, list(rows[0])), wb, "clave")
    return _semaforo_categorical(frame, "semaforo", "semaforo_anterior")
