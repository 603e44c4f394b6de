"""Perspectiva al cierre against hand-computed tables and a brute-force search of the verde range."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from fractions import Fraction

import pytest

from conftest import make_year, registros
from mirbook import perspectiva as pv
from mirbook.ajustes import parse_ajustes
from mirbook.indicators import Figures
from mirbook.model import Period
from mirbook.records import load_year
from mirbook.workbook import load_params

PARAMS = load_params()


def indicator(sentido="ascendente", meta=100, verde=10, rojo=20):
    """A MIR indicator with parameters chosen by the test (not the ones users may edit)."""
    base = PARAMS.mir.get("A2.1")
    return replace(base, sentido=sentido, meta_pct=Fraction(meta), metas_pct_por_anio={},
                   umbral_verde=Fraction(verde), umbral_rojo=Fraction(rojo))


# Worked by hand (meta 100 %, verde ±10, amarillo ±20 unless stated):
#  P, r, q, sentido, meta -> min, max, faltan, margen, proyeccion, semaforo
HAND = [
    # exactly at min_verde: 9 ≥ ceil(10·0.9) = 9; projection 9·4/3 = 12 → 120 % → amarillo
    (10, 9, 3, "ascendente", 100, "9", "11", "0", "2", "12.00", "amarillo"),
    # already past max_verde = floor(11): margin negative; 12·4/2 = 24 → 240 % → rojo
    (10, 12, 2, "ascendente", 100, "9", "11", "0", "-1", "24.00", "rojo"),
    # exactly at max_verde in T4: the outlook is the year's result, 110 % → verde
    (10, 11, 4, "ascendente", 100, "9", "11", "0", "0", "11.00", "verde"),
    # T4 below verde: 8 of 10 → 80 % → amarillo (bound inclusive)
    (10, 8, 4, "ascendente", 100, "9", "11", "1", "3", "8.00", "amarillo"),
    # 28/3 = 9.333… → 9.33; 9.33/9 → 103.7 % → verde; bounds ceil(8.1) = 9, floor(9.9) = 9
    (9, 7, 3, "ascendente", 100, "9", "9", "2", "2", "9.33", "verde"),
    # 20/3 = 6.666… → 6.67 half-up; 6.67/7 = 95.2 % → verde; ceil(6.3) = 7, floor(7.7) = 7
    (7, 5, 3, "ascendente", 100, "7", "7", "2", "2", "6.67", "verde"),
    # meta 90 %: target 9 products of 10; ceil(8.1) = 9, floor(9.9) = 9; 4·4 = 16 → 177.8 % → rojo
    (10, 4, 1, "ascendente", 90, "9", "9", "5", "5", "16.00", "rojo"),
    # descendente (mirror): ceil(1000/110) = 10, floor(1000/90) = 11; 12 → cumplimiento 83.3 % → amarillo
    (10, 6, 2, "descendente", 100, "10", "11", "4", "5", "12.00", "amarillo"),
    # descendente past its max: 13 > 11; 13·4/3 = 17.33 → 57.7 % → rojo
    (10, 13, 3, "descendente", 100, "10", "11", "0", "-2", "17.33", "rojo"),
    # descendente at its bound in T4: 10 → 100 % verde
    (10, 10, 4, "descendente", 100, "10", "11", "0", "1", "10.00", "verde"),
]


@pytest.mark.parametrize("P,r,q,sentido,meta,lo,hi,faltan,margen,proy,sem", HAND)
def test_hand_table(P, r, q, sentido, meta, lo, hi, faltan, margen, proy, sem):
    row = pv.rows([pv.outlook(indicator(sentido, meta), Period(2026, q), P, r)])[0]
    assert row == {
        "anio": "2026", "periodo": f"T{q}", "clave": "A2.1", "programado_anual": str(P), "realizado": str(r),
        "min_verde": lo, "max_verde": hi, "faltan_para_verde": faltan, "margen_sobre_verde": margen,
        "proyeccion_cierre": proy, "semaforo_proyectado": sem,
    }


def test_programado_anual_zero_leaves_every_field_empty():
    row = pv.rows([pv.outlook(indicator(), Period(2026, 2), 0, 3)])[0]
    assert [row[c] for c in pv.CSV_COLUMNS] == ["2026", "T2", "A2.1", "0", "3", "", "", "", "", "", ""]
    assert pv.frase(pv.outlook(indicator(), Period(2026, 2), 0, 3)) is None


@pytest.mark.parametrize("sentido", ["ascendente", "descendente"])
@pytest.mark.parametrize("meta,verde", [(100, 10), (90, 10), (120, 5), (100, 0), (80, 25)])
def test_bounds_are_the_verde_range_of_the_semaforo_rule(sentido, meta, verde):
    """Brute force: the realizados whose year-end semáforo (indicators.Figures) is verde are min…max."""
    ind = indicator(sentido, meta, verde, verde + 10)
    for P in range(1, 41):
        greens = [r for r in range(0, 3 * P + 3) if Figures.compute(ind, 2026, r, P).semaforo == "verde"]
        p = pv.outlook(ind, Period(2026, 4), P, 0)
        if greens:
            assert (p.min_verde, p.max_verde) == (greens[0], greens[-1]), (P, sentido, meta, verde)
            assert greens == list(range(greens[0], greens[-1] + 1))
        else:
            assert p.min_verde > p.max_verde, (P, sentido, meta, verde)


def test_descendente_without_upper_bound():
    p = pv.outlook(indicator("descendente", 100, 100, 120), Period(2026, 2), 10, 40)
    assert (p.min_verde, p.max_verde, p.margen_sobre_verde) == (5, None, None)


@pytest.fixture
def year(data_dir):
    # A1.1: nothing programmed until T3 (programado acumulado 0 in T1 and T2), 5 for the year.
    programacion = [["A1.1", "DPPIM", 3, 2], ["A1.1", "DPPIM", 4, 3],
                    ["A2.1", "DRII", 1, 2], ["A2.1", "DRII", 2, 3], ["A2.1", "DRII", 3, 3], ["A2.1", "DRII", 4, 2]]
    rows = registros("A2.1", "DRII", ["2026-02-01", "2026-03-01", "2026-05-01", "2026-06-01", "2026-08-01"])
    rows += registros("A1.1", "DPPIM", ["2026-06-15"])
    make_year(data_dir, 2026, programacion, rows)
    return load_year(data_dir, 2026)


def test_whole_mir_in_mir_order_with_ajustes(year):
    mir = PARAMS.mir
    period = Period(2026, 2)
    ajustes = parse_ajustes([(2, {"indicador": "A2.1", "unidad_responsable": "DRII", "trimestre": "4",
                                  "programado": "6", "fecha": "2026-06-01", "justificacion": "Nuevos foros."})])
    items = pv.perspectivas(mir, year, period, ajustes)
    assert tuple(p.clave for p in items) == mir.claves
    text = pv.to_csv(items)
    table = {r["clave"]: r for r in csv.DictReader(io.StringIO(text))}
    assert text.splitlines()[0] == ",".join(pv.CSV_COLUMNS)
    a21, a11 = indicator_of("A2.1"), indicator_of("A1.1")
    # A2.1: P = 2 + 3 + 3 + 6 (ajuste in force on 1 June) = 14, r = 4 in T2; projection 8.
    assert table["A2.1"] == expected_row("A2.1", a21, 14, 4, 2)
    # A1.1: programado acumulado 0 in T2, P = 5, r = 1; projection 2.
    assert table["A1.1"] == expected_row("A1.1", a11, 5, 1, 2)
    # Indicators with nothing programmed: every field empty.
    assert table["FIN"]["min_verde"] == "" and table["FIN"]["programado_anual"] == "0"
    # The ajuste did not exist in T1: there P is the original 10.
    t1 = {p.clave: p for p in pv.perspectivas(mir, year, Period(2026, 1), ajustes)}
    assert t1["A2.1"].programado_anual == 10


def indicator_of(clave):
    return PARAMS.mir.get(clave)


def expected_row(clave, ind, P, r, q):
    """An independent computation of one row, straight from the rule text (no mirbook arithmetic)."""
    m, uv, ur = ind.meta_for(2026), ind.umbral_verde, ind.umbral_rojo
    assert ind.sentido == "ascendente"
    lo = -((-P * m * (100 - uv)) // 10000)
    hi = (P * m * (100 + uv)) // 10000
    proj = Fraction(r * 4, q)
    c = proj / P * 100 / m * 100
    dev = abs(c - 100)
    sem = "verde" if dev <= uv else "amarillo" if dev <= ur else "rojo"
    cents = proj * 100
    rounded = int(cents) + (1 if cents - int(cents) >= Fraction(1, 2) else 0)
    return {
        "anio": "2026", "periodo": f"T{q}", "clave": clave, "programado_anual": str(P), "realizado": str(r),
        "min_verde": str(lo), "max_verde": str(hi), "faltan_para_verde": str(max(0, lo - r)),
        "margen_sobre_verde": str(hi - r), "proyeccion_cierre": f"{rounded // 100}.{rounded % 100:02d}",
        "semaforo_proyectado": sem,
    }


def test_sentences():
    ind = indicator()
    assert pv.frase(pv.outlook(ind, Period(2026, 3), 10, 6)).texto == (
        "Para cerrar el año en verde, A2.1 necesita al menos 3 productos más en T4.")
    assert pv.frase(pv.outlook(ind, Period(2026, 1), 10, 8)).texto == (
        "Para cerrar el año en verde, A2.1 necesita al menos 1 producto más entre T2 y T4.")
    assert pv.frase(pv.outlook(ind, Period(2026, 2), 10, 12)).tipo == pv.FRASE_EXCEDIDO
    assert "rebasa en 1 producto" in pv.frase(pv.outlook(ind, Period(2026, 2), 10, 12)).texto
    assert pv.frase(pv.outlook(ind, Period(2026, 2), 10, 9)).texto.endswith("admite hasta 2 productos más sin salir del verde.")
    assert pv.frase(pv.outlook(ind, Period(2026, 2), 10, 11)).texto.endswith("un producto más lo sacaría del verde.")
    closing = pv.frase(pv.outlook(ind, Period(2026, 4), 10, 8))
    assert (closing.tipo, closing.texto) == (pv.FRASE_CIERRE, "A2.1 cerró el año en amarillo: 8 productos de 10 programados.")
    assert pv.frase_ritmo(pv.outlook(ind, Period(2026, 2), 14, 4)).texto == (
        "Al ritmo de lo realizado hasta T2, A2.1 cerraría el año con 8 de 14 productos programados: en rojo.")
    assert pv.frase_ritmo(pv.outlook(ind, Period(2026, 3), 10, 7)).texto == (
        "Al ritmo de lo realizado hasta T3, A2.1 cerraría el año con 9.33 de 10 productos programados: en verde.")
    assert pv.frase_ritmo(pv.outlook(ind, Period(2026, 4), 10, 7)) is None
    no_meta = pv.frase(pv.outlook(indicator(meta=0), Period(2026, 4), 10, 7))
    assert no_meta.texto == "A2.1 cerró el año con 7 productos de 10 programados; el semáforo no aplica."
    empty = pv.frase(pv.outlook(indicator(verde=0), Period(2026, 2), 3, 0))
    assert empty.tipo == pv.FRASE_FALTAN  # meta 100 % of 3 is 3 products: reachable
    odd = pv.outlook(indicator(meta=50, verde=0), Period(2026, 2), 3, 0)  # 1.5 products: no whole number
    assert pv.frase(odd).tipo == pv.FRASE_SIN_VERDE


def test_write_csv(tmp_path, year):
    path = tmp_path / "perspectiva.csv"
    pv.write_csv(pv.perspectivas(PARAMS.mir, year, Period(2026, 4)), path)
    read = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    assert len(read) == len(PARAMS.mir.indicadores)
    a21 = next(r for r in read if r["clave"] == "A2.1")
    assert (a21["realizado"], a21["proyeccion_cierre"]) == ("5", "5.00")
