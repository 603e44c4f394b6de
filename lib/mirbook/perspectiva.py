"""Perspectiva al cierre: how each indicator will close the year, and what it still needs.

A director reading T2 asks which indicators end the year outside verde at this pace and
how many products each still needs. The rules (issue 13), for an indicator with
programado anual P > 0 (the four quarters of the plan in force at the period's end,
see :func:`mirbook.ajustes.vigente`), realizado acumulado r, meta m (%), thresholds uv, ur:

* verde at year end means |cumplimiento − 100| ≤ uv with cumplimiento computed on (r, P).
  *Ascendente* (cumplimiento = (r/P·100)/m·100): verde ⇔ P·m/100·(100−uv)/100 ≤ r ≤ P·m/100·(100+uv)/100,
  so ``min_verde`` = ceil(P·m/100·(100−uv)/100) and ``max_verde`` = floor(P·m/100·(100+uv)/100).
* *Descendente* — the mirror rule. Its cumplimiento is m / avance × 100 = P·m/r
  (:mod:`mirbook.indicators`), so verde ⇔ P·m/100·100/(100+uv) ≤ r ≤ P·m/100·100/(100−uv):
  the same target r* = P·m/100 (where cumplimiento is exactly 100) with the two factors
  inverted. ``min_verde`` = ceil(P·m/(100+uv)), at least 1 (with r = 0 cumplimiento is
  undefined); ``max_verde`` = floor(P·m/(100−uv)), undefined (empty) when uv ≥ 100.
* ``min_verde`` is never below 0 (a threshold of 100 points or more makes 0 products verde).
  When m = 0 no realizado is verde: both bounds and what depends on them are empty.
  When the interval holds no whole number (min_verde > max_verde) the bounds are written as they are.
* ``faltan_para_verde`` = max(0, min_verde − r); ``margen_sobre_verde`` = max_verde − r
  (negative: already past verde by over-achievement, which more products cannot undo).
* ``proyeccion_cierre`` = r × 4 / q, exact: the average pace per elapsed quarter carried to the
  year end (in T4 it is r, the year's result). ``semaforo_proyectado`` is the semáforo of
  mir-domain §4 applied to (proyeccion_cierre, P) with the indicator's meta and thresholds,
  through :mod:`mirbook.indicators`' own functions; every indicator reports at year end.
* With P = 0 every derived field is empty.

Figures stay :class:`~fractions.Fraction` here; :func:`to_csv` rounds half-up to two
decimals only when writing. :func:`frases` gives the Spanish sentences of the report.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from .ajustes import vigente
from .formatting import round2
from .indicators import HUNDRED, avance_pct, classify_semaforo, cumplimiento_pct, programado, realizado
from .model import Ajuste, Indicator, Mir, Period, YearData

CSV_COLUMNS = (
    "anio", "periodo", "clave", "programado_anual", "realizado", "min_verde", "max_verde",
    "faltan_para_verde", "margen_sobre_verde", "proyeccion_cierre", "semaforo_proyectado",
)


@dataclass(frozen=True)
class Perspectiva:
    """The year-end outlook of one indicator in one period (``None``: undefined, written empty)."""

    period: Period
    indicator: Indicator
    programado_anual: int
    realizado: int
    min_verde: int | None
    max_verde: int | None
    faltan_para_verde: int | None
    margen_sobre_verde: int | None
    proyeccion_cierre: Fraction | None
    semaforo_proyectado: str | None

    @property
    def clave(self) -> str:
        """The indicator's clave."""
        return self.indicator.clave


def verde_bounds(programado_anual: int, meta: Fraction, umbral_verde: Fraction, sentido: str) -> tuple[int | None, int | None]:
    """(min_verde, max_verde): the whole realizado range that closes the year in verde (see the module docstring)."""
    if programado_anual == 0 or meta == 0:
        return None, None
    target = Fraction(programado_anual) * meta / HUNDRED  # the realizado with cumplimiento exactly 100
    if sentido == "descendente":
        low = math.ceil(target * HUNDRED / (HUNDRED + umbral_verde))
        high = math.floor(target * HUNDRED / (HUNDRED - umbral_verde)) if umbral_verde < HUNDRED else None
        return max(1, low), high
    low = math.ceil(target * (HUNDRED - umbral_verde) / HUNDRED)
    high = math.floor(target * (HUNDRED + umbral_verde) / HUNDRED)
    return max(0, low), high


def outlook(indicator: Indicator, period: Period, programado_anual: int, realizado_acumulado: int) -> Perspectiva:
    """The outlook of one indicator from its two counts."""
    if programado_anual == 0:
        return Perspectiva(period, indicator, 0, realizado_acumulado, None, None, None, None, None, None)
    meta = indicator.meta_for(period.year)
    low, high = verde_bounds(programado_anual, meta, indicator.umbral_verde, indicator.sentido)
    projection = Fraction(realizado_acumulado * 4, period.quarter)
    # avance_pct takes counts; Fraction(projection, P) is exact for a fractional projection too.
    cumplimiento = cumplimiento_pct(avance_pct(projection, programado_anual), meta, indicator.sentido)
    return Perspectiva(
        period=period,
        indicator=indicator,
        programado_anual=programado_anual,
        realizado=realizado_acumulado,
        min_verde=low,
        max_verde=high,
        faltan_para_verde=None if low is None else max(0, low - realizado_acumulado),
        margen_sobre_verde=None if high is None else high - realizado_acumulado,
        proyeccion_cierre=projection,
        semaforo_proyectado=classify_semaforo(cumplimiento, indicator.umbral_verde, indicator.umbral_rojo),
    )


def perspectivas(mir: Mir, data: YearData, period: Period, ajustes: Iterable[Ajuste] = ()) -> tuple[Perspectiva, ...]:
    """One outlook per indicator in MIR order, with the plan in force at the period's end.

    ``data`` is the year's data with its original ``programacion``; ``ajustes`` are applied
    here (do not pass data already through :func:`~mirbook.ajustes.vigente` together with
    ajustes dated later than the period: they would not be in force yet).
    """
    plan = vigente(data, ajustes, period)
    return tuple(
        outlook(indicator, period, programado(plan, indicator.clave, 4), realizado(plan, indicator.clave, period))
        for indicator in mir.indicadores
    )


# --- perspectiva.csv ----------------------------------------------------------------------------------


def _int(value: int | None) -> str:
    return "" if value is None else str(value)


def rows(items: Iterable[Perspectiva]) -> list[dict[str, str]]:
    """One row of text per indicator: integers as integers, the projection with 2 decimals, empty when undefined."""
    return [
        {
            "anio": str(p.period.year),
            "periodo": p.period.label,
            "clave": p.clave,
            "programado_anual": str(p.programado_anual),
            "realizado": str(p.realizado),
            "min_verde": _int(p.min_verde),
            "max_verde": _int(p.max_verde),
            "faltan_para_verde": _int(p.faltan_para_verde),
            "margen_sobre_verde": _int(p.margen_sobre_verde),
            "proyeccion_cierre": "" if p.proyeccion_cierre is None else f"{round2(p.proyeccion_cierre):.2f}",
            "semaforo_proyectado": p.semaforo_proyectado or "",
        }
        for p in items
    ]


def to_csv(items: Iterable[Perspectiva]) -> str:
    """``perspectiva.csv`` as text (UTF-8 when written, ``\\n`` line endings)."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows(items))
    return buffer.getvalue()


def write_csv(items: Iterable[Perspectiva], path: Path) -> None:
    """Write ``perspectiva.csv`` to ``path`` (the archive makes it atomic)."""
    Path(path).write_text(to_csv(items), encoding="utf-8", newline="")


# --- sentences for the reports ------------------------------------------------------------------------

#: Kinds of sentence, so templates can style or filter them.
FRASE_FALTAN = "faltan"
FRASE_EN_VERDE = "en_verde"
FRASE_EXCEDIDO = "excedido"
FRASE_SIN_VERDE = "sin_verde"
FRASE_CIERRE = "cierre"
FRASE_RITMO = "ritmo"


@dataclass(frozen=True)
class Frase:
    """One sentence of the outlook for the report (text already in Spanish, not yet escaped)."""

    clave: str
    tipo: str
    texto: str


def _productos(n: int) -> str:
    return f"{n} producto{'s' if n != 1 else ''}"


def _restantes(quarter: int) -> str:
    """The quarters still to come: ``en T4``, ``en T3 y T4``, ``entre T2 y T4``."""
    if quarter == 3:
        return "en T4"
    if quarter == 2:
        return "en T3 y T4"
    return "entre T2 y T4"


def frase(p: Perspectiva) -> Frase | None:
    """The sentence for one indicator; ``None`` when there is nothing to say (P = 0)."""
    if p.programado_anual == 0:
        return None
    if p.period.quarter == 4:
        result = f"{_productos(p.realizado)} de {p.programado_anual} programados"
        if p.semaforo_proyectado == "no_aplica":
            return Frase(p.clave, FRASE_CIERRE, f"{p.clave} cerró el año con {result}; el semáforo no aplica.")
        return Frase(p.clave, FRASE_CIERRE, f"{p.clave} cerró el año en {p.semaforo_proyectado}: {result}.")
    if p.min_verde is None or (p.max_verde is not None and p.min_verde > p.max_verde):
        return Frase(
            p.clave, FRASE_SIN_VERDE,
            f"Con la meta y los umbrales vigentes, ningún número de productos cierra {p.clave} en verde; "
            "revise sus parámetros.",
        )
    if p.faltan_para_verde:
        return Frase(
            p.clave, FRASE_FALTAN,
            f"Para cerrar el año en verde, {p.clave} necesita al menos {_productos(p.faltan_para_verde)} más "
            f"{_restantes(p.period.quarter)}.",
        )
    if p.margen_sobre_verde is not None and p.margen_sobre_verde < 0:
        return Frase(
            p.clave, FRASE_EXCEDIDO,
            f"{p.clave} ya rebasa en {_productos(-p.margen_sobre_verde)} el máximo para cerrar en verde "
            f"({p.max_verde}); cerrará el año fuera de verde"
            f"{' por sobrecumplimiento' if p.indicator.sentido != 'descendente' else ''}.",
        )
    if p.margen_sobre_verde is None:
        tail = "y ningún producto adicional lo saca del verde."
    elif p.margen_sobre_verde == 0:
        tail = "un producto más lo sacaría del verde."
    else:
        tail = f"admite hasta {_productos(p.margen_sobre_verde)} más sin salir del verde."
    return Frase(p.clave, FRASE_EN_VERDE, f"{p.clave} ya alcanza el mínimo para cerrar el año en verde; {tail}")


def frase_ritmo(p: Perspectiva) -> Frase | None:
    """Where the current pace leads (T1–T3, P > 0): the projection and its semáforo, in one sentence."""
    if p.programado_anual == 0 or p.period.quarter == 4 or p.proyeccion_cierre is None:
        return None
    projection = f"{round2(p.proyeccion_cierre):,.2f}".replace(".00", "")
    color = "sin semáforo" if p.semaforo_proyectado == "no_aplica" else f"en {p.semaforo_proyectado}"
    return Frase(
        p.clave, FRASE_RITMO,
        f"Al ritmo de lo realizado hasta {p.period.label}, {p.clave} cerraría el año con {projection} de "
        f"{p.programado_anual} productos programados: {color}.",
    )


def frases(items: Sequence[Perspectiva]) -> list[Frase]:
    """The report's sentences, one per indicator with programado anual, in MIR order."""
    return [f for f in (frase(p) for p in items) if f is not None]
