"""The data API for analysis (issue #11): tidy tables, the aligned previous period, the register of
files read, report-ready tables and house-style charts, and the template on every period with data.

Hand computations read the CSV files with the standard library, never through mirbook.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import json
import os
import shutil
from collections import Counter
from datetime import date
from fractions import Fraction
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from conftest import DEMO, ROOT, make_year
from mirbook import charts, datos, indicators, report
from mirbook.frames import TablaReporte, tabla_reporte

TEMPLATE = ROOT / "notebooks" / "plantilla" / "NN_analisis.ipynb"
DEMO_PERIODS = [(2025, q) for q in (1, 2, 3, 4)] + [(2026, q) for q in (1, 2, 3)]


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _year_rows(year: int, table: str) -> list[dict[str, str]]:
    """A demo year's rows of ``table``: its CSV, or (2024) what the units' workbooks hold."""
    path = DEMO / str(year) / f"{table}.csv"
    if path.is_file():
        return _csv_rows(path)
    from mirbook.sources import YearInputs

    return [values for _, values in YearInputs.read(DEMO, year).raw_tables()[table].rows]


def _year_files(year: int) -> set[str]:
    from mirbook.sources import year_files

    return {str(p.resolve()) for p in year_files(DEMO, year)}


@pytest.fixture(scope="module")
def wb():
    return report.open(2026, "T3", DEMO)


@pytest.fixture(autouse=True)
def _fresh_register():
    datos.reiniciar_registro()
    yield
    datos.reiniciar_registro()


# --- tidy tables ----------------------------------------------------------------------------------


def test_one_call_gives_every_record_of_every_year_with_datetime_fecha(wb):
    frame = datos.registros(wb, anios="todos")
    years = sorted(int(p.name) for p in DEMO.iterdir() if p.is_dir() and p.name.isdigit())
    expected = [(y, row) for y in years for row in _year_rows(y, "registros")]
    assert len(frame) == len(expected) and sorted(frame["anio"].unique()) == years
    assert str(frame["fecha"].dtype) == "datetime64[ns]"
    assert frame["fecha"].dt.year.tolist() == frame["anio"].tolist()
    assert (frame["trimestre"] == (frame["fecha"].dt.month - 1) // 3 + 1).all()
    assert sorted(zip(frame["anio"], frame["folio"])) == sorted((y, r["folio"]) for y, r in expected)
    assert list(frame["indicador"].cat.categories[: len(wb.mir.claves)]) == list(wb.mir.claves)
    assert list(frame["unidad_responsable"].cat.categories[: len(wb.organizacion.claves)]) == list(
        wb.organizacion.claves
    )
    assert frame["indicador"].cat.ordered
    assert datos.registros(wb, anios=years).equals(frame)


def test_programacion_and_justificaciones_of_several_years(wb):
    frame = datos.programacion(wb, anios="todos")
    for year in (2025, 2026):
        rows = _csv_rows(DEMO / str(year) / "programacion.csv")
        assert frame.query("anio == @year")["programado"].sum() == sum(int(r["programado"]) for r in rows)
    cut = datos.programacion(wb, anios=2025, al_corte=True)
    assert cut["trimestre"].max() == 3 and len(cut) == sum(
        1 for r in _csv_rows(DEMO / "2025" / "programacion.csv") if int(r["trimestre"]) <= 3
    )
    just = datos.justificaciones(wb, anios="todos")
    years = sorted(int(p.name) for p in DEMO.iterdir() if p.is_dir() and p.name.isdigit())
    assert len(just) == sum(len(_year_rows(y, "justificaciones")) for y in years)


def test_an_unknown_anios_word_is_refused(wb):
    with pytest.raises(ValueError, match="todos"):
        datos.registros(wb, anios="all")


# --- the same period of the previous year -----------------------------------------------------------


def test_aligned_previous_period_against_a_hand_computation_on_the_demo(wb):
    anterior = datos.mismo_periodo_anterior(wb)
    assert anterior.period.year == 2025 and anterior.period.quarter == 3
    rows = _csv_rows(DEMO / "2025" / "registros.csv")
    kept = [r for r in rows if "2025-01-01" <= r["fecha"] <= "2025-09-30"]
    assert len(kept) < len(rows), "the demo has records after T3: the test must tell the cut apart"
    assert len(wb.previous.registros) == len(rows), "wb.previous stays the whole previous year"
    assert sorted(r.folio for r in anterior.data.registros) == sorted(r["folio"] for r in kept)
    programacion = _csv_rows(DEMO / "2025" / "programacion.csv")
    for clave in wb.mir.claves:
        hecho = sum(1 for r in kept if r["indicador"] == clave)
        plan = sum(int(p["programado"]) for p in programacion if p["indicador"] == clave and int(p["trimestre"]) <= 3)
        result = anterior.evaluation.get(clave)
        assert (result.realizado, result.programado) == (hecho, plan), clave
        assert result.avance_pct == (Fraction(hecho * 100, plan) if plan else None)
    table = datos.registros(wb, anios=2025, al_corte=True)
    assert len(table) == len(kept) and table["fecha"].max() <= pd.Timestamp("2025-09-30")


def test_aligned_previous_period_on_a_small_hand_made_folder(tmp_path):
    """Records on both sides of the cut: 2026 T2 compares with 2025 up to 30 June only."""
    data = tmp_path / "datos"
    make_year(
        data, 2025,
        programacion=[["A2.1", "CEM", 1, 2], ["A2.1", "CEM", 2, 2], ["A2.1", "CEM", 3, 5]],
        registros=[
            ["F-1", "A2.1", "CEM", "2025-03-31", "Uno", "Liga 1", "estudio", ""],
            ["F-2", "A2.1", "CEM", "2025-06-30", "Dos", "Liga 2", "estudio", ""],
            ["F-3", "A2.1", "CEM", "2025-07-01", "Tres", "Liga 3", "encuesta", ""],
            ["F-4", "A2.1", "CEM", "2025-12-31", "Cuatro", "Liga 4", "estudio", ""],
        ],
    )
    make_year(
        data, 2026,
        programacion=[["A2.1", "CEM", 1, 1], ["A2.1", "CEM", 2, 1]],
        registros=[["G-1", "A2.1", "CEM", "2026-02-01", "Uno", "Liga", "estudio", ""]],
    )
    book = report.open(2026, "T2", data)
    anterior = datos.mismo_periodo_anterior(book)
    assert [r.folio for r in anterior.data.registros] == ["F-1", "F-2"]
    assert [p.trimestre for p in anterior.data.programacion] == [1, 2]
    assert len(book.previous.registros) == 4
    result = anterior.evaluation.get("A2.1")
    assert (result.realizado, result.programado, result.avance_pct) == (2, 4, Fraction(50))
    comparacion = datos.comparacion_anual(book).set_index("clave")
    # 2026: 1 of 2 = 50 %; 2025 T2: 2 of 4 = 50 %; difference 0 points
    assert comparacion.loc["A2.1", "avance_pct"] == Fraction(50)
    assert comparacion.loc["A2.1", "diferencia_pp"] == Fraction(0)
    tipos = datos.por_tipo(book, "A2.1", anios=2025, trimestral=True)
    assert tipos.query("tipo == 'estudio'")["productos"].tolist() == [1, 1]
    assert tipos.query("tipo == 'encuesta'")["productos"].tolist() == [0, 0]


def test_without_a_previous_year_there_is_no_aligned_period(tmp_path):
    data = tmp_path / "datos"
    shutil.copytree(DEMO / "2026", data / "2026")
    book = report.open(2026, "T3", data)
    assert datos.mismo_periodo_anterior(book) is None
    comparacion = datos.comparacion_anual(book)
    assert comparacion["avance_pct_anterior"].isna().all() and comparacion["diferencia_pp_float"].isna().all()
    assert datos.anios_con_datos(book) == [2026]


def test_a_year_with_headers_only_gives_empty_tables_with_every_column(wb, tmp_path):
    make_year(tmp_path / "datos", 2026, programacion=[], registros=[])
    empty = report.open(2026, "T3", tmp_path / "datos")
    for function in (datos.registros, datos.programacion, datos.justificaciones, datos.por_trimestre,
                     datos.por_unidad, datos.por_tipo, datos.resultados):
        frame = function(empty)
        assert list(frame.columns) == list(function(wb).columns), function.__name__
    assert str(datos.registros(empty)["fecha"].dtype) == "datetime64[ns]"
    assert len(datos.registros(empty)) == 0 and len(datos.por_unidad(empty)) == 0


# --- results and breakdowns agree with the engine ---------------------------------------------------


def test_results_and_breakdowns_come_from_the_engine(wb):
    results = datos.resultados(wb).set_index("clave")
    for r in wb.evaluation.results:
        row = results.loc[r.clave]
        assert (row["realizado"], row["programado"], row["avance_pct"], row["semaforo"]) == (
            r.realizado, r.programado, r.avance_pct, r.semaforo)
        assert row["avance_pct_float"] == pytest.approx(float(r.avance_pct)) if r.avance_pct is not None else (
            pd.isna(row["avance_pct_float"]))
    ind = wb.mir.get("A2.1")
    quarters = datos.por_trimestre(wb, "A2.1")
    engine = indicators.by_quarter(wb.mir, ind, wb.data, wb.period)
    assert quarters["realizado"].tolist() == [q.acumulado.realizado for q in engine]
    assert quarters["trimestral_realizado"].tolist() == [q.trimestral.realizado for q in engine]
    tipos = datos.por_tipo(wb, "A2.1", trimestral=True).groupby("tipo", observed=True)["productos"].sum()
    assert {k: v for k, v in tipos.items() if v} == {k: v for k, v in indicators.by_tipo(ind, wb.data, wb.period) if v}
    unidades = datos.por_unidad(wb, "A2.1")
    assert unidades["realizado"].tolist() == [u.figures.realizado for u in
                                              indicators.by_unidad(ind, wb.data, wb.period, wb.organizacion.claves)]
    full_year = datos.resultados(wb, anios=2025, trimestre=4).set_index("clave")
    assert full_year.loc["A2.1", "realizado"] == sum(
        1 for r in _csv_rows(DEMO / "2025" / "registros.csv") if r["indicador"] == "A2.1")
    comparacion = datos.comparacion_anual(wb).set_index("clave")
    for clave in wb.mir.claves:
        now, before = wb.evaluation.get(clave).avance_pct, wb.previous_evaluation.get(clave).avance_pct
        expected = None if now is None or before is None else now - before
        assert comparacion.loc[clave, "diferencia_pp"] == expected


# --- the register of files read ---------------------------------------------------------------------


def test_every_file_read_is_registered_and_logged_when_asked(wb, tmp_path, monkeypatch):
    log = tmp_path / "lecturas.jsonl"
    monkeypatch.setenv(datos.READ_LOG_ENV, str(log))
    datos.registros(wb, anios="todos")
    datos.registros(wb, anios="todos")  # the same files again: logged once
    years = sorted(int(p.name) for p in DEMO.iterdir() if p.is_dir() and p.name.isdigit())
    expected = {path for y in years for path in _year_files(y)}
    assert {str(p) for p in datos.archivos_leidos()} == expected
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    files = [e for e in lines if e["tipo"] == "archivo"]
    assert sorted({e["ruta"] for e in files}) == sorted(expected)  # a unit workbook holds several tables
    for entry in files:
        assert entry["sha256"] == hashlib.sha256(Path(entry["ruta"]).read_bytes()).hexdigest()
        folder = Path(entry["ruta"]).parent
        assert entry["anio"] == int(folder.parent.name if folder.name == "unidades" else folder.name)
    folders = [e for e in lines if e["tipo"] == "carpeta"]
    assert folders == [{"tipo": "carpeta", "ruta": str(DEMO.resolve()), "anios": years}]
    assert datos.lecturas() == lines


def test_each_log_file_gets_every_read_of_its_notebook(wb, tmp_path, monkeypatch):
    """A worker that runs two notebooks in one process, each with its own log: both logs are complete."""
    first, second = tmp_path / "uno.jsonl", tmp_path / "dos.jsonl"
    monkeypatch.setenv(datos.READ_LOG_ENV, str(first))
    datos.registros(wb, anios=2025)
    monkeypatch.setenv(datos.READ_LOG_ENV, str(second))
    datos.registros(wb, anios=2025)
    assert datos.read_log(first) == datos.read_log(second) and len(datos.read_log(first)) == 3
    assert datos.read_log(tmp_path / "ninguno.jsonl") == []


def test_nothing_is_written_without_the_variable(wb, tmp_path, monkeypatch):
    monkeypatch.delenv(datos.READ_LOG_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    datos.programacion(wb, anios=2025)
    assert [p.parent.name for p in datos.archivos_leidos()] == ["2025"] * 3
    assert list(tmp_path.iterdir()) == []
    datos.reiniciar_registro()
    assert datos.archivos_leidos() == []


def test_the_log_is_written_from_a_kernel_running_a_notebook(tmp_path):
    """What the pipeline relies on: a notebook run in another process leaves its reads in the log."""
    from nbclient import NotebookClient

    log = tmp_path / "lecturas.jsonl"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "from mirbook import datos, report\n"
        f"wb = report.open(2026, 'T3', {str(DEMO)!r})\n"
        "datos.registros(wb, anios=2025)"
    )]
    env = {**os.environ, datos.READ_LOG_ENV: str(log), "PYTHONPATH": str(ROOT / "lib")}
    NotebookClient(nb, timeout=120, kernel_name="python3").execute(env=env)  # start_kernel(env=...)
    read = {Path(json.loads(line)["ruta"]).relative_to(DEMO.resolve()).as_posix()
            for line in log.read_text(encoding="utf-8").splitlines()}
    assert read == {"2025/justificaciones.csv", "2025/programacion.csv", "2025/registros.csv"}


# --- report-ready tables ----------------------------------------------------------------------------


def test_a_table_gets_the_report_format_and_escapes_user_text(wb):
    frame = pd.DataFrame({
        "clave": ["A2.1", "A2.2"],
        "titulo": ["<script>alert(1)</script>", "Boletín & notas"],
        "productos": [1234, 5],
        "avance_pct": [Fraction(200, 3), None],
        "cambio_pp": [Fraction(-7, 2), 2.5],
        "semaforo": ["rojo", "verde"],
        "fecha": pd.to_datetime(["2026-01-02", "2026-09-30"]),
    })
    table = tabla_reporte(frame, wb, titulo="Mis <cifras>", fuente="registros & más")
    html = table.html
    assert isinstance(table, TablaReporte) and table._repr_html_() == html
    assert "<script>" not in html and "&lt;script&gt;" in html and "Mis &lt;cifras&gt;" in html
    assert "Boletín &amp; notas" in html and "registros &amp; más" in html
    assert '<td class="num">1,234</td>' in html and "66.67 %" in html and "—" in html
    assert "-3.50 pp" in html and "+2.50 pp" in html
    assert '<span class="sem sem-rojo"><span class="sem-sym" aria-hidden="true">✖</span> Rojo</span>' in html
    assert wb.mir.get("A2.1").nombre in html, "the MIR name under the clave"
    assert "02/01/2026" in html and "30/09/2026" in html
    assert '<th scope="col" class="num">Avance</th>' in html and '<th scope="col">Semáforo</th>' in html


def test_the_table_displays_as_html_in_jupyter(wb):
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(tabla_reporte(datos.resultados(wb)[["clave", "semaforo"]], wb))
    assert 'class="tabla-datos"' in data["text/html"]


def test_a_column_with_other_words_is_not_taken_for_a_semaforo():
    html = tabla_reporte(pd.DataFrame({"estado": ["verde", "azul"]})).html
    assert "sem-verde" not in html and "azul" in html


# --- house-style charts ------------------------------------------------------------------------------


def _house_chart(wb):
    avance = datos.por_trimestre(wb, "A2.1", anios=[2025, 2026])
    fig, ax = charts.figura()
    charts.barras(ax, avance, x="trimestre", y="avance_pct_float", hue="anio", actual=2026, porcentaje=True)
    ind = wb.mir.get("A2.1")
    charts.bandas_semaforo(ax, ind, ind.meta_for(2026))
    return fig, ax


def test_chart_helpers_follow_the_house_style(wb):
    from matplotlib.colors import to_rgb

    fig, ax = _house_chart(wb)
    fills = Counter(bar.get_facecolor()[:3] for container in ax.containers for bar in container)
    assert fills[to_rgb(charts.COLOR_ACTUAL)] == 3 and fills[to_rgb(charts.COLOR_ANTERIOR)] == 3
    assert ax.yaxis.get_major_formatter()(50, 0) == "50 %"
    words = {t.get_text() for t in ax.texts}
    assert {"Verde", "Amarillo", "Rojo"} <= words and "62.50 %" in words
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["2025", "2026"]
    svg = charts.to_svg(fig)
    assert svg.startswith("<svg") and charts.to_svg(_house_chart(wb)[0]) == svg, "same chart, same bytes"
    assert charts.colores_anios([2024, 2025, 2026], 2026)[2026] == charts.COLOR_ACTUAL


# --- the template on every period with data ------------------------------------------------------------


def _template_for(year: int, quarter: int, data_dir: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(TEMPLATE, as_version=4)
    cell = nb.cells[1]
    assert "parameters" in cell.metadata.get("tags", [])
    cell.source = f"year = {year}\nperiod = \"T{quarter}\"\ndata_dir = {str(data_dir)!r}\n"
    return nb


@pytest.fixture(scope="module")
def template_runs(tmp_path_factory):
    from nbclient import NotebookClient

    solo = tmp_path_factory.mktemp("un_anio") / "datos"
    shutil.copytree(DEMO / "2026", solo / "2026")
    cases = [(y, q, DEMO) for y, q in DEMO_PERIODS] + [(2026, 3, solo)]
    gate = asyncio.Semaphore(3)

    async def run(year, quarter, folder):
        nb = _template_for(year, quarter, folder)
        async with gate:
            client = NotebookClient(nb, timeout=300, kernel_name="python3",
                                    resources={"metadata": {"path": str(TEMPLATE.parent)}})
            await client.async_execute()
        return nb

    async def run_all():
        return await asyncio.gather(*(run(*c) for c in cases), return_exceptions=True)

    ids = [f"{y}-T{q}" + ("-sin-anterior" if f != DEMO else "") for y, q, f in cases]
    return dict(zip(ids, asyncio.run(run_all())))


@pytest.mark.parametrize("case", [f"{y}-T{q}" for y, q in DEMO_PERIODS] + ["2026-T3-sin-anterior"])
def test_the_template_runs_on_every_period_with_data(template_runs, case):
    nb = template_runs[case]
    if isinstance(nb, BaseException):
        pytest.fail(f"la plantilla falla en {case}:\n{nb}")
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error" or o.get("name") == "stderr"]
    html = [o.data["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert sum('class="tabla-datos"' in h for h in html) == 2, "comparison and products tables"
    assert sum("image/svg+xml" in o.get("data", {}) for o in outputs) == 2, "two house-style charts"
    comparison = next(h for h in html if "Diferencia (pp)" in h)
    year = int(case[:4])
    if case.endswith("sin-anterior") or not (DEMO / str(year - 1)).is_dir():
        notes = [o.data.get("text/markdown", "") for o in outputs if "data" in o]
        assert any(f"No hay datos de {year - 1}" in n for n in notes)
        assert " pp</td>" not in comparison
    else:
        assert " pp</td>" in comparison


# --- documentation -------------------------------------------------------------------------------------


def test_the_api_page_documents_every_public_function_of_the_new_modules():
    import inspect

    from mirbook import frames

    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    pipeline_side = {"read_log", "cut_to_period", "datos_del_anio", "lecturas", "reiniciar_registro"}
    for module, prefix in ((datos, "datos."), (frames, "")):
        for name, value in vars(module).items():
            if inspect.isfunction(value) and value.__module__ == module.__name__ and not name.startswith("_"):
                assert inspect.getdoc(value), f"{module.__name__}.{name} has no docstring"
                if name not in pipeline_side:
                    assert f"{prefix}{name}(" in text, f"docs/api.md does not document {prefix}{name}"
    for name in ("figura", "barras", "bandas_semaforo", "eje_porcentaje", "colores_anios", "mostrar"):
        assert f"charts.{name}(" in text, name
    assert "**todo** el año anterior" in text, "wb.previous is documented as the whole previous year"
