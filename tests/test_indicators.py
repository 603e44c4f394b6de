"""Hand-computed cases for every computation rule of mir-domain §4."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from conftest import load_pinned_params
from mirbook.errors import UsageError
from mirbook.formatting import pct_csv, pct_es, round2
from mirbook.indicators import (
    AVISO_POSTERIORES,
    AVISO_SIN_JUSTIFICACION,
    AVISO_SIN_PROGRAMACION,
    by_flujo,
    by_quarter,
    by_tipo,
    by_unidad,
    cumplimiento_pct,
    evaluate,
    classify_semaforo,
)
from mirbook.model import Period, Programacion, Registro, YearData, parse_quarter, parse_year

MIR = load_pinned_params().mir  # the tests' own metas, thresholds and frequencies
ALL_QUARTERS = ["2026-02-10", "2026-05-10", "2026-08-10", "2026-11-10"]


def plan(indicador: str, unidad: str, by_quarter: dict[int, int]) -> list[Programacion]:
    return [Programacion(indicador, unidad, q, n, 2 + i) for i, (q, n) in enumerate(by_quarter.items())]


def recs(indicador: str, unidad: str, fechas: list[str], tipo: str = "", flujo: str = "") -> list[Registro]:
    return [
        Registro(f"{indicador}-{i}", indicador, unidad, date.fromisoformat(f), f"t{i}", "oficio", tipo, flujo, i + 2)
        for i, f in enumerate(fechas)
    ]


def year_data(programacion=(), registros=(), justificaciones=(), year: int = 2026) -> YearData:
    return YearData(year, tuple(programacion), tuple(registros), tuple(justificaciones))


def one(clave: str, realizado: int, programado: int, quarter: int = 3, unidad: str = "DRII"):
    """Evaluate a single activity with ``realizado`` records and ``programado`` all in quarter 1."""
    data = year_data(plan(clave, unidad, {1: programado}), recs(clave, unidad, ["2026-01-15"] * realizado))
    return evaluate(MIR, data, Period(2026, quarter)).get(clave)


@pytest.mark.parametrize(
    ("realizado", "programado", "expected"),
    [
        (10, 10, "verde"),
        (9, 10, "verde"),  # 90 %: lower verde bound, inclusive
        (11, 10, "verde"),  # 110 %: upper verde bound, inclusive
        (8, 10, "amarillo"),  # 80 %: lower amarillo bound, inclusive
        (12, 10, "amarillo"),  # 120 %: upper amarillo bound, inclusive
        (79, 100, "rojo"),
        (121, 100, "rojo"),
        (5, 4, "rojo"),  # 125 %: over-achievement is rojo too
        (0, 3, "rojo"),
        (27, 30, "verde"),  # 90 % again through a different fraction
        (89, 100, "amarillo"),
        (111, 100, "amarillo"),
    ],
)
def test_semaforo_bounds_are_exact(realizado, programado, expected):
    assert one("A1.3", realizado, programado).semaforo == expected


def test_bounds_that_float_arithmetic_gets_wrong():
    # 11/10*100 in floating point is 110.00000000000001 — exact arithmetic keeps it verde.
    assert one("A2.2", 11, 10, unidad="CEM").semaforo == "verde"
    assert one("A2.2", 33, 30, unidad="CEM").semaforo == "verde"
    assert classify_semaforo(Fraction(110), Fraction(10), Fraction(20)) == "verde"
    assert classify_semaforo(Fraction(80), Fraction(10), Fraction(20)) == "amarillo"
    assert classify_semaforo(Fraction(7999, 100), Fraction(10), Fraction(20)) == "rojo"


def test_cumulative_figures_and_percentages():
    result = one("A1.1", 2, 3, unidad="DPPIM")
    assert (result.realizado, result.programado) == (2, 3)
    assert result.avance_pct == Fraction(200, 3)
    assert result.cumplimiento_pct == Fraction(200, 3)
    assert pct_csv(result.avance_pct) == "66.67"
    assert pct_csv(result.meta_pct) == "100.00"


def test_rounding_is_half_up_and_only_on_output():
    assert pct_csv(Fraction(1, 8) * 100) == "12.50"
    assert pct_csv(Fraction(1, 32) * 100) == "3.13"  # 3.125 → 3.13 (half-up)
    assert pct_csv(Fraction(2, 3) * 100) == "66.67"
    assert pct_csv(Fraction(1, 3) * 100) == "33.33"
    assert pct_csv(None) == ""
    assert str(round2(Fraction(-1, 8))) == "-0.12"
    assert pct_es(Fraction(106667, 100)) == "1,066.67 %"
    # A deviation of 10.004 points rounds to 10.00 when shown, but is amarillo.
    assert classify_semaforo(Fraction(8999600, 100000), Fraction(10), Fraction(20)) == "amarillo"


def test_programado_zero_gives_empty_avance_no_aplica_and_a_warning():
    evaluation = evaluate(MIR, year_data([], recs("A1.3", "DRII", ["2026-02-19"])), Period(2026, 1))
    result = evaluation.get("A1.3")
    assert result.programado == 0 and result.realizado == 1
    assert result.avance_pct is None and result.cumplimiento_pct is None
    assert result.semaforo == "no_aplica"
    assert [a.tipo for a in evaluation.avisos_de("A1.3")] == [AVISO_SIN_PROGRAMACION]
    # Nothing programmed and nothing done: no warning, still no_aplica.
    assert evaluation.get("A1.1").semaforo == "no_aplica"
    assert evaluation.avisos_de("A1.1") == ()


@pytest.mark.parametrize(
    ("clave", "frecuencia", "reporting_quarters"),
    [
        ("FIN", "anual", {4}),
        ("PROP", "anual", {4}),
        ("C1", "semestral", {2, 4}),
        ("C2", "semestral", {2, 4}),
        ("A1.1", "trimestral", {1, 2, 3, 4}),
        ("A2.3", "trimestral", {1, 2, 3, 4}),
    ],
)
def test_each_frequency_in_each_period(clave, frecuencia, reporting_quarters):
    assert MIR.get(clave).frecuencia == frecuencia
    unidad = "CEM" if clave in ("PROP", "C2", "A2.3") else "DPPIM" if clave in ("FIN", "A1.1") else "CPM"
    data = year_data(plan(clave, unidad, {1: 1, 2: 1, 3: 1, 4: 1}), recs(clave, unidad, ALL_QUARTERS))
    for quarter in (1, 2, 3, 4):
        result = evaluate(MIR, data, Period(2026, quarter)).get(clave)
        assert result.reporta is (quarter in reporting_quarters)
        # The cumulative figures are computed whether or not it reports.
        assert (result.realizado, result.programado) == (quarter, quarter)
        assert result.semaforo_informativo == "verde"
        assert result.semaforo == ("verde" if quarter in reporting_quarters else "no_aplica")


def test_quarter_boundary_dates():
    data = year_data(
        plan("A2.1", "CEM", {1: 2, 2: 2}),
        recs("A2.1", "CEM", ["2026-01-01", "2026-03-31", "2026-04-01", "2026-06-30", "2026-07-01"]),
    )
    t1 = evaluate(MIR, data, Period(2026, 1))
    assert t1.get("A2.1").realizado == 2  # 1 January and 31 March count; 1 April does not
    assert t1.registros_posteriores == 3
    assert any(a.tipo == AVISO_POSTERIORES and "3 registro" in a.mensaje for a in t1.avisos)
    t2 = evaluate(MIR, data, Period(2026, 2))
    assert t2.get("A2.1").realizado == 4 and t2.get("A2.1").programado == 4
    assert t2.registros_posteriores == 1


def test_records_of_other_years_never_count():
    data = year_data(plan("A2.1", "CEM", {1: 1}), recs("A2.1", "CEM", ["2025-12-31", "2026-01-01", "2027-01-01"]))
    assert evaluate(MIR, data, Period(2026, 4)).get("A2.1").realizado == 1


def test_programado_accumulates_quarters_up_to_the_period_across_units():
    data = year_data(
        plan("A1.1", "DPPIM", {1: 2, 2: 3, 4: 5}) + plan("A1.1", "DRII", {2: 1, 3: 4}),
        recs("A1.1", "DPPIM", ["2026-03-01"]) + recs("A1.1", "DRII", ["2026-06-01", "2026-09-30"]),
    )
    expected = {1: (1, 2), 2: (2, 6), 3: (3, 10), 4: (3, 15)}
    for quarter, (done, planned) in expected.items():
        result = evaluate(MIR, data, Period(2026, quarter)).get("A1.1")
        assert (result.realizado, result.programado) == (done, planned)


def test_amarillo_or_rojo_without_justification_warns_only_when_missing():
    from mirbook.model import Justificacion

    base = plan("A1.2", "DRII", {1: 10})
    data = year_data(base, recs("A1.2", "DRII", ["2026-01-10"] * 7))  # 70 %: rojo
    evaluation = evaluate(MIR, data, Period(2026, 1))
    assert [a.tipo for a in evaluation.avisos_de("A1.2")] == [AVISO_SIN_JUSTIFICACION]
    justified = year_data(base, data.registros, [Justificacion("A1.2", 1, "c", "e", "o", 2)])
    assert evaluate(MIR, justified, Period(2026, 1)).avisos_de("A1.2") == ()
    # A justification of another quarter does not count.
    other = year_data(base, data.registros, [Justificacion("A1.2", 2, "c", "e", "o", 2)])
    assert [a.tipo for a in evaluate(MIR, other, Period(2026, 1)).avisos_de("A1.2")] == [AVISO_SIN_JUSTIFICACION]
    # A verde indicator needs no justification; a non-reporting one neither.
    verde = year_data(plan("C1", "CPM", {1: 10}), recs("C1", "CPM", ["2026-01-10"] * 5))
    assert evaluate(MIR, verde, Period(2026, 1)).avisos_de("C1") == ()


def test_meta_per_year_and_descendente(monkeypatch):
    from dataclasses import replace

    indicator = replace(MIR.get("A1.1"), metas_pct_por_anio={2026: Fraction(80)})
    assert indicator.meta_for(2026) == 80 and indicator.meta_for(2025) == 100
    assert cumplimiento_pct(Fraction(72), Fraction(80)) == 90
    assert cumplimiento_pct(Fraction(50), Fraction(40), "descendente") == 80
    assert cumplimiento_pct(Fraction(0), Fraction(40), "descendente") is None
    assert cumplimiento_pct(Fraction(50), Fraction(0)) is None


def test_breakdowns():
    fin = MIR.get("FIN")
    data = year_data(
        plan("FIN", "DPPIM", {1: 1, 2: 1}) + plan("FIN", "DRII", {2: 2}),
        recs("FIN", "DPPIM", ["2026-02-01", "2026-04-02"], flujo="retorno")
        + recs("FIN", "DRII", ["2026-05-01"], flujo="tránsito")
        + recs("FIN", "DEPCMH", ["2026-05-02"], flujo="retorno"),
    )
    period = Period(2026, 2)
    quarters = by_quarter(MIR, fin, data, period)
    assert [(q.trimestral.realizado, q.trimestral.programado) for q in quarters] == [(1, 1), (3, 3)]
    assert [(q.acumulado.realizado, q.acumulado.programado) for q in quarters] == [(1, 1), (4, 4)]
    assert [q.reporta for q in quarters] == [False, False]
    units = by_unidad(fin, data, period, ["DPPIM", "DPRCM", "DRII", "DEPCMH"])
    assert [(u.unidad, u.figures.realizado, u.figures.programado) for u in units] == [
        ("DPPIM", 2, 2), ("DRII", 1, 2), ("DEPCMH", 1, 0)
    ]
    assert dict(by_flujo(fin, data, period)) == {"inmigración": 0, "emigración": 0, "tránsito": 1, "retorno": 3}
    a22 = MIR.get("A2.2")
    stats = year_data([], recs("A2.2", "CEM", ["2026-01-05", "2026-01-06"], tipo="serie histórica"))
    counts = dict(by_tipo(a22, stats, Period(2026, 1)))
    assert counts["serie histórica"] == 2 and counts["boletín estadístico"] == 0


@pytest.mark.parametrize("bad", ["T5", "T0", "3", "Q3", "", "T3 ", "T33", "t"])
def test_period_parsing_refuses_anything_but_t1_to_t4(bad):
    if bad == "T3 ":
        assert parse_quarter(bad) == 3  # surrounding spaces are forgiven
        return
    with pytest.raises(UsageError, match="Periodo no válido"):
        parse_quarter(bad)


@pytest.mark.parametrize("bad", ["20x6", "26", "../2026", "2026/..", "99999", "1800"])
def test_year_parsing(bad):
    with pytest.raises(UsageError, match="Año no válido"):
        parse_year(bad)
    assert parse_year("2026") == 2026
    assert Period.parse("2026", "T3").end == date(2026, 9, 30)
