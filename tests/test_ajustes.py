"""Ajustes de programación: the plan in force for each period, its history, and programacion_vigente.csv."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from conftest import make_year, registros
from mirbook import ajustes as aj
from mirbook.errors import DataError
from mirbook.indicators import evaluate, programado
from mirbook.model import Ajuste, Period
from mirbook.records import load_year
from mirbook.workbook import load_params

HEADER = list(aj.COLUMNS)


def raw(rows: list[list[str]]) -> list[tuple[int, dict[str, str]]]:
    """Rows as the loader gives them: Excel row number (header = 1) and text by column."""
    return [(n, dict(zip(HEADER, [str(v) for v in row]))) for n, row in enumerate(rows, start=2)]


AJUSTES = [
    ["A2.1", "DRII", 3, 5, "2026-05-10", "Se sumó la Cumbre Regional al calendario."],
    ["A2.1", "DRII", 3, 4, "2026-08-01", "La Cumbre se reprogramó; se reduce la meta."],
    ["A2.1", "DRII", 4, 1, "2026-09-30", "Cierre anticipado del ciclo de foros."],
    ["A2.2", "CEM", 2, 2, "2026-04-01", "Nueva línea de estudios solicitada por la Subsecretaría."],
]


@pytest.fixture
def year(data_dir):
    programacion = [["A2.1", "DRII", q, n] for q, n in ((1, 2), (2, 3), (3, 3), (4, 2))]
    programacion += [["A2.2", "DRII", 1, 1]]
    rows = registros("A2.1", "DRII", ["2026-02-01", "2026-05-01", "2026-08-01"])
    rows += registros("A2.2", "CEM", ["2026-05-05", "2026-06-05"])
    make_year(data_dir, 2026, programacion, rows)
    return load_year(data_dir, 2026)


# (period, indicador) -> (programado acumulado, programado anual), computed by hand from AJUSTES.
EXPECTED = {
    ("T1", "A2.1"): (2, 10), ("T1", "A2.2"): (1, 1),
    ("T2", "A2.1"): (5, 12), ("T2", "A2.2"): (3, 3),
    ("T3", "A2.1"): (9, 10), ("T3", "A2.2"): (3, 3),
    ("T4", "A2.1"): (10, 10), ("T4", "A2.2"): (3, 3),
}


def test_programado_in_force_before_and_after_each_date(year):
    ajustes = aj.parse_ajustes(raw(AJUSTES))
    for (label, clave), (acumulado, anual) in EXPECTED.items():
        period = Period.parse(2026, label)
        plan = aj.vigente(year, ajustes, period)
        assert programado(plan, clave, period.quarter) == acumulado, (label, clave)
        assert programado(plan, clave, 4) == anual, (label, clave)


def test_evaluation_uses_adjusted_plan_and_earlier_period_is_reproduced(year):
    params = load_params()
    ajustes = aj.parse_ajustes(raw(AJUSTES))
    t1_before = evaluate(params.mir, year, Period(2026, 1))
    t3 = evaluate(params.mir, aj.vigente(year, ajustes, Period(2026, 3)), Period(2026, 3))
    assert t3.get("A2.1").programado == 9
    assert t3.get("A2.2").programado == 3
    # Re-running T1 with every ajuste known gives exactly the original T1 figures.
    t1_again = evaluate(params.mir, aj.vigente(year, ajustes, Period(2026, 1)), Period(2026, 1))
    assert t1_again == t1_before
    assert aj.vigente(year, ajustes, Period(2026, 1)) == year


def test_ajuste_on_the_last_day_of_the_quarter_is_in_force():
    ajustes = aj.parse_ajustes(raw([["A1.1", "CPM", 4, 7, "2026-06-30", "x"], ["A1.1", "CPM", 4, 9, "2026-07-01", "y"]]))
    assert aj.en_vigor(ajustes, Period(2026, 2))[("A1.1", "CPM", 4)].programado == 7
    assert aj.en_vigor(ajustes, Period(2026, 3))[("A1.1", "CPM", 4)].programado == 9
    assert aj.en_vigor(ajustes, Period(2026, 1)) == {}


def test_two_ajustes_of_one_cell_on_one_date_are_an_error():
    rows = AJUSTES + [["A2.1", "DRII", 3, 6, "2026-05-10", "Otra versión del mismo ajuste."]]
    with pytest.raises(DataError) as info:
        aj.parse_ajustes(raw(rows), "ajustes.csv")
    message = str(info.value)
    assert "ajustes.csv, filas 2 y 6" in message
    assert "trimestre 3" in message and "2026-05-10" in message
    # The same cell on different dates is fine, and so is the same date for another cell.
    assert len(aj.parse_ajustes(raw(AJUSTES))) == 4


def test_bad_rows_are_reported_together_with_file_column_and_row():
    rows = [
        ["A2.1", "DRII", 5, 3, "2026-05-10", "x"],
        ["A2.1", "DRII", 2, "tres", "2026-05-10", "x"],
        ["A2.1", "DRII", 2, 3, "2026-02-30", "x"],
        ["A2.1", "DRII", 1, 3, "2026-03-01", "   "],
    ]
    with pytest.raises(DataError) as info:
        aj.parse_ajustes(raw(rows), "ajustes.xlsx")
    lines = info.value.problems
    assert len(lines) == 4
    assert any("ajustes.xlsx, columna «trimestre», fila 2: valor «5»" in line for line in lines)
    assert any("columna «programado», fila 3: valor «tres»" in line for line in lines)
    assert any("columna «fecha», fila 4: valor «2026-02-30»" in line for line in lines)
    assert any("columna «justificacion», fila 5" in line for line in lines)


def test_missing_column_is_one_line():
    rows = [(2, {"indicador": "A2.1", "unidad_responsable": "DRII", "trimestre": "1", "programado": "1", "fecha": "2026-01-02"})]
    with pytest.raises(DataError, match=r"ajustes.csv, fila 1 \(encabezados\): faltan las columnas justificacion"):
        aj.parse_ajustes(rows)


def test_parse_gives_typed_rows():
    (first, *_) = aj.parse_ajustes(raw(AJUSTES))
    assert first == Ajuste("A2.1", "DRII", 3, 5, date(2026, 5, 10), "Se sumó la Cumbre Regional al calendario.", 2)


def test_programacion_vigente_csv(year):
    params = load_params()
    ajustes = aj.parse_ajustes(raw(AJUSTES))
    cells = aj.celdas(year.programacion, ajustes, Period(2026, 2), params.mir.claves)
    text = aj.to_csv(cells, Period(2026, 2))
    assert text.splitlines() == [
        "anio,periodo,indicador,unidad_responsable,trimestre,programado_original,programado_vigente,fecha_ajuste,justificacion",
        "2026,T2,A2.1,DRII,1,2,2,,",
        "2026,T2,A2.1,DRII,2,3,3,,",
        "2026,T2,A2.1,DRII,3,3,5,2026-05-10,Se sumó la Cumbre Regional al calendario.",
        "2026,T2,A2.1,DRII,4,2,2,,",
        "2026,T2,A2.2,CEM,2,0,2,2026-04-01,Nueva línea de estudios solicitada por la Subsecretaría.",
        "2026,T2,A2.2,DRII,1,1,1,,",
    ]
    # T3: the later ajuste of the same cell replaces the earlier one; T4's ajuste of 30 September counts.
    t3 = {(r["indicador"], r["unidad_responsable"], r["trimestre"]): r
          for r in csv.DictReader(io.StringIO(aj.to_csv(aj.celdas(year.programacion, ajustes, Period(2026, 3)), Period(2026, 3))))}
    assert (t3[("A2.1", "DRII", "3")]["programado_vigente"], t3[("A2.1", "DRII", "3")]["fecha_ajuste"]) == ("4", "2026-08-01")
    assert t3[("A2.1", "DRII", "4")]["programado_vigente"] == "1"


def test_write_csv_round_trips(tmp_path, year):
    ajustes = aj.parse_ajustes(raw(AJUSTES))
    path = tmp_path / "programacion_vigente.csv"
    aj.write_csv(aj.celdas(year.programacion, ajustes, Period(2026, 4)), Period(2026, 4), path)
    read = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    assert tuple(read[0]) == aj.CSV_COLUMNS
    assert sum(int(r["programado_vigente"]) for r in read if r["indicador"] == "A2.1") == 10
    assert sum(int(r["programado_original"]) for r in read if r["indicador"] == "A2.1") == 10


def test_summary_per_indicator(year):
    ajustes = aj.parse_ajustes(raw(AJUSTES))
    period = Period(2026, 3)
    summary = aj.resumen(aj.celdas(year.programacion, ajustes, period), ajustes, period, "A2.1")
    # Original 2, 3, 3, 2; in force at 30 September: T3 = 4 (1 August), T4 = 1 (30 September).
    assert (summary.acumulado_original, summary.acumulado_vigente) == (8, 9)
    assert (summary.anual_original, summary.anual_vigente) == (10, 10)
    assert [a.fecha.isoformat() for a in summary.ajustes] == ["2026-05-10", "2026-08-01", "2026-09-30"]
    assert [a.fila for a in summary.en_vigor] == [3, 4]
    untouched = aj.resumen(aj.celdas(year.programacion, ajustes, Period(2026, 1)), ajustes, Period(2026, 1), "A2.1")
    assert not untouched.modificado and untouched.ajustes == ()
