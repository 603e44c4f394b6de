"""The indicator engine: the computation rules of mir-domain §4, exactly.

All arithmetic uses :class:`fractions.Fraction`, so comparisons with the semáforo
bounds are exact (90 % is verde, 80 % amarillo, 110 % verde, 120 % amarillo);
rounding happens only when figures are written out (:mod:`mirbook.formatting`).

Choices documented here:

* ``cumplimiento`` for a *descendente* indicator is meta / avance × 100 (the
  lower the avance, the better); it is undefined when avance is 0, as it is for
  any indicator whose meta is 0. An undefined cumplimiento gives ``no_aplica``.
* Realizado counts the records of all units dated from 1 January to the end of
  the quarter; records dated later in the year are left out and counted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

from .model import SEMAFOROS, Indicator, Justificacion, Mir, Period, Registro, YearData, quarter_of

HUNDRED = Fraction(100)

#: Kinds of notice shown in the reports.
AVISO_SIN_PROGRAMACION = "realizado_sin_programacion"
AVISO_SIN_JUSTIFICACION = "sin_justificacion"
AVISO_POSTERIORES = "registros_posteriores"
AVISO_SIN_CUMPLIMIENTO = "cumplimiento_indefinido"


@dataclass(frozen=True)
class Aviso:
    """A notice for the report: ``advertencia`` (data to review) or ``informacion``."""

    tipo: str
    nivel: str
    indicador: str | None
    mensaje: str


def avance_pct(realizado: int, programado: int) -> Fraction | None:
    """realizado / programado × 100; ``None`` when nothing was programmed."""
    if programado == 0:
        return None
    return Fraction(realizado, programado) * HUNDRED


def cumplimiento_pct(avance: Fraction | None, meta: Fraction, sentido: str = "ascendente") -> Fraction | None:
    """Avance against the meta, in percent (see the module docstring for *descendente*)."""
    if avance is None:
        return None
    if sentido == "descendente":
        return None if avance == 0 else meta / avance * HUNDRED
    return None if meta == 0 else avance / meta * HUNDRED


def desviacion(cumplimiento: Fraction | None) -> Fraction | None:
    """|cumplimiento − 100|: points away from the meta, over- or under-achieving."""
    return None if cumplimiento is None else abs(cumplimiento - HUNDRED)


def classify_semaforo(cumplimiento: Fraction | None, umbral_verde: Fraction, umbral_rojo: Fraction) -> str:
    """Classify a cumplimiento: ``verde`` if the deviation ≤ umbral_verde, ``amarillo`` if ≤ umbral_rojo, else ``rojo``."""
    dev = desviacion(cumplimiento)
    if dev is None:
        return "no_aplica"
    if dev <= umbral_verde:
        return "verde"
    if dev <= umbral_rojo:
        return "amarillo"
    return "rojo"


@dataclass(frozen=True)
class Figures:
    """Realizado against programado and everything derived from them for one indicator."""

    realizado: int
    programado: int
    avance_pct: Fraction | None
    meta_pct: Fraction
    cumplimiento_pct: Fraction | None
    desviacion: Fraction | None
    semaforo: str

    @classmethod
    def compute(cls, indicator: Indicator, year: int, realizado: int, programado: int) -> Figures:
        """Apply the rules to one pair of counts."""
        meta = indicator.meta_for(year)
        avance = avance_pct(realizado, programado)
        cumplimiento = cumplimiento_pct(avance, meta, indicator.sentido)
        return cls(
            realizado=realizado,
            programado=programado,
            avance_pct=avance,
            meta_pct=meta,
            cumplimiento_pct=cumplimiento,
            desviacion=desviacion(cumplimiento),
            semaforo=classify_semaforo(cumplimiento, indicator.umbral_verde, indicator.umbral_rojo),
        )


@dataclass(frozen=True)
class IndicatorResult:
    """One indicator in one period: cumulative figures and the official semáforo."""

    period: Period
    indicator: Indicator
    reporta: bool
    figures: Figures
    semaforo: str
    justificacion: Justificacion | None

    @property
    def clave(self) -> str:
        """The indicator's clave (``FIN``, ``A2.1``…)."""
        return self.indicator.clave

    @property
    def realizado(self) -> int:
        """Products delivered from 1 January to the end of the period (all units)."""
        return self.figures.realizado

    @property
    def programado(self) -> int:
        """Products programmed for quarters 1…q (all units)."""
        return self.figures.programado

    @property
    def avance_pct(self) -> Fraction | None:
        """realizado / programado × 100, exact; ``None`` when nothing was programmed."""
        return self.figures.avance_pct

    @property
    def meta_pct(self) -> Fraction:
        """The indicator's meta for the period's year, in percent."""
        return self.figures.meta_pct

    @property
    def cumplimiento_pct(self) -> Fraction | None:
        """Avance against the meta, in percent, exact; ``None`` when it cannot be computed."""
        return self.figures.cumplimiento_pct

    @property
    def falta_justificacion(self) -> bool:
        """Amarillo or rojo without the justification (causa, efecto) the period asks for."""
        return self.semaforo in ("amarillo", "rojo") and self.justificacion is None

    @property
    def semaforo_informativo(self) -> str:
        """What the figures say, even when the indicator does not report this period."""
        return self.figures.semaforo


@dataclass(frozen=True)
class Evaluation:
    """The whole MIR evaluated for one period."""

    period: Period
    results: tuple[IndicatorResult, ...]
    avisos: tuple[Aviso, ...]
    registros_posteriores: int

    def get(self, clave: str) -> IndicatorResult:
        """The result of indicator ``clave``."""
        for result in self.results:
            if result.clave == clave:
                return result
        raise KeyError(clave)

    def counts(self) -> dict[str, int]:
        """How many indicators have each semáforo (verde, amarillo, rojo, no_aplica)."""
        counter = Counter(r.semaforo for r in self.results)
        return {s: counter.get(s, 0) for s in SEMAFOROS}

    def avisos_de(self, clave: str | None) -> tuple[Aviso, ...]:
        """The notices about one indicator (``None``: the general ones)."""
        return tuple(a for a in self.avisos if a.indicador == clave)


def in_period(registro: Registro, period: Period) -> bool:
    """Whether a record counts for the period (1 January to the end of the quarter)."""
    return period.start <= registro.fecha <= period.end


def realizado(data: YearData, clave: str, period: Period, unidad: str | None = None) -> int:
    """Records of ``clave`` (optionally of one unit) that count for ``period``."""
    return sum(
        1
        for r in data.registros
        if r.indicador == clave and in_period(r, period) and (unidad is None or r.unidad_responsable == unidad)
    )


def programado(data: YearData, clave: str, quarter: int, unidad: str | None = None, exact: bool = False) -> int:
    """Sum of programado of ``clave`` for trimestre ≤ ``quarter`` (``exact``: that quarter alone)."""
    return sum(
        p.programado
        for p in data.programacion
        if p.indicador == clave
        and (p.trimestre == quarter if exact else p.trimestre <= quarter)
        and (unidad is None or p.unidad_responsable == unidad)
    )


def justificacion_for(data: YearData, clave: str, quarter: int) -> Justificacion | None:
    """The justification row of (indicador, trimestre), if any."""
    return next((j for j in data.justificaciones if j.indicador == clave and j.trimestre == quarter), None)


def evaluate_indicator(mir: Mir, indicator: Indicator, data: YearData, period: Period) -> IndicatorResult:
    """Evaluate one indicator for one period."""
    figures = Figures.compute(
        indicator,
        period.year,
        realizado(data, indicator.clave, period),
        programado(data, indicator.clave, period.quarter),
    )
    reporta = mir.reports_in(indicator, period.quarter)
    official = figures.semaforo if reporta else "no_aplica"
    return IndicatorResult(
        period=period,
        indicator=indicator,
        reporta=reporta,
        figures=figures,
        semaforo=official,
        justificacion=justificacion_for(data, indicator.clave, period.quarter),
    )


def _avisos(result: IndicatorResult) -> list[Aviso]:
    clave, label = result.clave, result.period.label
    out = []
    if result.realizado > 0 and result.programado == 0:
        out.append(
            Aviso(
                AVISO_SIN_PROGRAMACION,
                "advertencia",
                clave,
                f"{clave}: hay {result.realizado} producto(s) registrado(s) hasta {label} sin nada programado; "
                "revise la programación.",
            )
        )
    if result.falta_justificacion:
        out.append(
            Aviso(
                AVISO_SIN_JUSTIFICACION,
                "advertencia",
                clave,
                f"{clave}: semáforo {result.semaforo} en {label} sin justificación (causa, efecto, otros motivos) "
                f"para el trimestre {result.period.quarter}.",
            )
        )
    if result.reporta and result.programado > 0 and result.cumplimiento_pct is None:
        out.append(
            Aviso(
                AVISO_SIN_CUMPLIMIENTO,
                "advertencia",
                clave,
                f"{clave}: el cumplimiento no se puede calcular (meta o avance igual a 0); semáforo no aplica.",
            )
        )
    return out


def evaluate(mir: Mir, data: YearData, period: Period) -> Evaluation:
    """Evaluate the whole MIR for ``period`` from the data of its year."""
    if data.year != period.year:
        raise ValueError(f"data of {data.year} cannot evaluate {period}")
    results = tuple(evaluate_indicator(mir, indicator, data, period) for indicator in mir.indicadores)
    avisos = [aviso for result in results for aviso in _avisos(result)]
    later = sum(1 for r in data.registros if r.fecha.year == period.year and r.fecha > period.end)
    if later:
        avisos.append(
            Aviso(
                AVISO_POSTERIORES,
                "informacion",
                None,
                f"{later} registro(s) con fecha posterior al {period.end.isoformat()} no cuentan en {period} "
                "(se contarán en el periodo que les corresponde).",
            )
        )
    return Evaluation(period=period, results=results, avisos=tuple(avisos), registros_posteriores=later)


# --- breakdowns for the reports ---------------------------------------------------------------


@dataclass(frozen=True)
class QuarterRow:
    """One quarter of an indicator: that quarter alone and accumulated to its end."""

    trimestre: int
    reporta: bool
    trimestral: Figures
    acumulado: Figures


def by_quarter(mir: Mir, indicator: Indicator, data: YearData, period: Period) -> list[QuarterRow]:
    """Quarters 1…q of the period's year, each alone and cumulative."""
    rows = []
    for quarter in range(1, period.quarter + 1):
        upto = Period(period.year, quarter)
        alone = sum(
            1 for r in data.registros
            if r.indicador == indicator.clave and r.fecha.year == period.year and quarter_of(r.fecha) == quarter
        )
        rows.append(
            QuarterRow(
                trimestre=quarter,
                reporta=mir.reports_in(indicator, quarter),
                trimestral=Figures.compute(
                    indicator, period.year, alone, programado(data, indicator.clave, quarter, exact=True)
                ),
                acumulado=Figures.compute(
                    indicator, period.year, realizado(data, indicator.clave, upto),
                    programado(data, indicator.clave, quarter),
                ),
            )
        )
    return rows


@dataclass(frozen=True)
class UnitRow:
    """Cumulative figures of one unit for one indicator."""

    unidad: str
    figures: Figures


def by_unidad(indicator: Indicator, data: YearData, period: Period, unidades: list[str] | tuple[str, ...]) -> list[UnitRow]:
    """Cumulative realizado and programado per unit (units with neither are left out).

    ``unidades`` gives the order (usually the organisation's); units found in the
    data but not listed come after them.
    """
    seen = [u for u in unidades]
    for item in list(data.programacion) + list(data.registros):
        if item.indicador == indicator.clave and item.unidad_responsable not in seen:
            seen.append(item.unidad_responsable)
    rows = []
    for unidad in seen:
        figures = Figures.compute(
            indicator,
            period.year,
            realizado(data, indicator.clave, period, unidad),
            programado(data, indicator.clave, period.quarter, unidad),
        )
        if figures.realizado or figures.programado:
            rows.append(UnitRow(unidad, figures))
    return rows


def _count_by(data: YearData, indicator: Indicator, period: Period, attribute: str, known: tuple[str, ...]) -> list[tuple[str, int]]:
    counter = Counter(
        getattr(r, attribute) or "" for r in data.registros if r.indicador == indicator.clave and in_period(r, period)
    )
    rows = [(value, counter.pop(value, 0)) for value in known]
    rows += sorted(counter.items())
    return [(value, n) for value, n in rows if n or value in known]


def by_tipo(indicator: Indicator, data: YearData, period: Period) -> list[tuple[str, int]]:
    """Products delivered per ``tipo`` (the MIR's types first, ``""`` = not stated)."""
    return _count_by(data, indicator, period, "tipo", indicator.tipos_producto)


def by_flujo(indicator: Indicator, data: YearData, period: Period) -> list[tuple[str, int]]:
    """Products delivered per migration ``flujo`` (FIN)."""
    return _count_by(data, indicator, period, "flujo", indicator.flujos)


def products(indicator: Indicator, data: YearData, period: Period) -> list[Registro]:
    """The products that count for the period, by date and folio."""
    return sorted(
        (r for r in data.registros if r.indicador == indicator.clave and in_period(r, period)),
        key=lambda r: (r.fecha, r.folio),
    )


def justifications(indicator: Indicator, data: YearData, period: Period) -> list[Justificacion]:
    """The justifications of the indicator for quarters up to the period's."""
    return sorted(
        (j for j in data.justificaciones if j.indicador == indicator.clave and j.trimestre <= period.quarter),
        key=lambda j: j.trimestre,
    )
