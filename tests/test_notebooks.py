"""The report notebooks: thin, parameterised, executed for real on the demo data and rendered.

Each (notebook, period, data) is executed once per test session (``executed``
caches it); the HTML of each is rendered once too.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import lru_cache

import nbformat
import pytest

from conftest import DEMO, ROOT
from mirbook.pipeline import periods_with_data
from test_render import pdf_facts
from test_report_helpers import EVIL_TITLE, evil_data, tags_of

# nbconvert re-serialises the page: quotes in text nodes come out bare (harmless there).
EVIL_TITLE_IN_PAGE = '&lt;script&gt;alert(1)&lt;/script&gt; &amp; "x"' 

NOTEBOOKS = ROOT / "notebooks"
PARAMETERS_SOURCE = (
    "# Parámetros (papermill los reemplaza al ejecutar el reporte)\n"
    "year = 2026\n"
    'period = "T3"\n'
    "data_dir = None  # None: data/ del proyecto"
)
CLAVES = {
    "00_resumen": ("FIN", "PROP"),
    "10_componente_1": ("C1", "A1.1", "A1.2", "A1.3"),
    "20_componente_2": ("C2", "A2.1", "A2.2", "A2.3"),
}
FOOTER = {"fuente": "data/2026: programacion.csv, registros.csv & <justificaciones>.csv",
          "generado": "21 de noviembre de 2026, 09:30", "demo": "1"}
ALLOWED_CALL = re.compile(r'report\.[a-z_]+\(wb(, (componente=)?"[A-Z0-9.]+")?\)')


@lru_cache(maxsize=None)
def executed(name: str, year: int, period: str, data_dir: str | None = None) -> nbformat.NotebookNode:
    """Execute a notebook with papermill (once per session) and return the executed notebook."""
    import papermill as pm

    return pm.execute_notebook(
        str(NOTEBOOKS / f"{name}.ipynb"),
        None,
        parameters={"year": year, "period": period, "data_dir": data_dir},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(NOTEBOOKS),
    )


@lru_cache(maxsize=None)
def rendered(name: str, year: int, period: str, data_dir: str | None = None) -> str:
    from mirbook.render import notebook_to_html

    footer = dict(FOOTER, demo="" if data_dir else "1")
    return notebook_to_html(executed(name, year, period, data_dir), f"{name} {year} {period}", footer)


# --- structure (no kernel) ----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CLAVES))
def test_notebook_is_thin_and_parameterised(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "code"
    assert first.metadata.get("tags") == ["parameters"]
    assert first.source == PARAMETERS_SOURCE
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells[1:] if c.cell_type == "code"]
    assert code[0].source == "from mirbook import report\n\nwb = report.open(year, period, data_dir)"
    for cell in code[1:]:
        for line in cell.source.splitlines():
            assert ALLOWED_CALL.fullmatch(line.strip()), f"{name}: logic in a cell: {line!r}"
    assert any(c.cell_type == "markdown" for c in nb.cells)
    for cell in nb.cells:
        assert not cell.get("outputs"), f"{name}: stored outputs"
    calls = "\n".join(c.source for c in code)
    for clave in CLAVES[name]:
        assert f'report.indicador(wb, "{clave}")' in calls
    nbformat.validate(nb)


# --- executed on the demo data ------------------------------------------------------------------

CASES = [
    ("00_resumen", 2026, "T3"),
    ("10_componente_1", 2026, "T3"),
    ("20_componente_2", 2026, "T3"),
    ("00_resumen", 2025, "T4"),  # FIN and PROP report (anual), C1 and C2 too (semestral)
]


@pytest.mark.parametrize(("name", "year", "period"), CASES)
def test_executed_notebook_renders_a_static_spanish_page(name, year, period):
    nb = executed(name, year, period)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error"
            assert output.get("name") != "stderr", f"{name}: {output.get('text', '')[:300]}"
    html = rendered(name, year, period)
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="es">' in html
    assert "<script" not in html.lower()
    for tag, attrs in tags_of(html):
        assert tag not in ("link", "iframe", "object", "embed", "script"), tag
        if tag == "img":
            assert attrs["src"].startswith("data:"), attrs["src"][:60]
            assert attrs.get("alt")
    assert not re.search(r'(src|href)="(https?:)?//', html.split("<body", 1)[1].replace('<a href="http', "<a "))
    assert "report.open" not in html and "wb = " not in html  # no code
    assert "In&nbsp;[" not in html and "Out[" not in html  # no prompts
    for clave in CLAVES[name]:
        assert f"{clave} · " in html  # the section heading of each indicator
    for word in ("Verde", "Amarillo", "Rojo", "No aplica"):
        assert word in html
    assert "Datos sintéticos de demostración" in html.split("<body", 1)[1]
    assert "Fuente de los datos: data/2026: programacion.csv, registros.csv &amp; &lt;justificaciones&gt;.csv" in html
    assert "Generado: 21 de noviembre de 2026, 09:30" in html
    assert "Ficha del indicador" in html and "Productos entregados" in html


def test_resumen_page_one_content():
    html = rendered("00_resumen", 2026, "T3")
    body = html.split("<body", 1)[1]
    title = body.index("Evaluación de la MIR — tercer trimestre de 2026")
    summary = body.index("Semáforo de la MIR")
    tree = body.index('class="arbol"')
    table = body.index('class="tabla-indicadores"')
    fin = body.index('id="indicador-FIN"')
    assert title < summary < tree < table < fin
    for clave in ("FIN", "PROP", "C1", "C2", "A1.1", "A1.2", "A1.3", "A2.1", "A2.2", "A2.3"):
        assert f">{clave}<" in body[table:fin]
    from markupsafe import escape

    from mirbook.indicators import AVISO_SIN_JUSTIFICACION
    from mirbook.workbook import open_workbook

    # which indicators lack a justification depends on the editable thresholds: ask the engine
    for aviso in open_workbook(2026, "T3").evaluation.avisos:
        if aviso.tipo == AVISO_SIN_JUSTIFICACION:
            assert str(escape(aviso.mensaje)) in body, aviso.mensaje


def test_demo_text_with_html_characters_is_escaped():
    html = rendered("20_componente_2", 2026, "T3")
    assert "Nota técnica: flujos &lt; 2024 &amp; tendencias" in html
    assert "https://portales.segob.gob.mx/" in html


def test_fin_and_prop_report_in_t4():
    html = rendered("00_resumen", 2025, "T4")
    assert "Evaluación de la MIR — cuarto trimestre de 2025" in html
    assert "Desglose por flujo migratorio" in html
    assert '<th scope="row">2024 T4</th>' in html  # the demo's 2024 (unit workbooks) is the year before


def test_user_text_is_escaped_in_the_executed_report(tmp_path_factory):
    data = evil_data(tmp_path_factory.mktemp("evil"))
    html = rendered("10_componente_1", 2026, "T3", str(data))
    assert EVIL_TITLE not in html
    assert EVIL_TITLE_IN_PAGE in html
    assert "<script" not in html.lower()
    assert "Datos sintéticos de demostración" not in html.split("<body", 1)[1]
    assert "No hay datos de 2025 para comparar." in html


def test_resumen_pdf_is_a4_with_header_and_page_numbers(tmp_path):
    from mirbook.render import html_to_pdf

    out = tmp_path / "00_resumen.pdf"
    html_to_pdf(rendered("00_resumen", 2026, "T3"), out, "MIR · Unidad de Política Migratoria — T3 2026")
    facts = pdf_facts(out)
    assert facts["a4"] and facts["pages"] >= 3
    if shutil.which("pdftotext"):
        first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(out), "-"],
                               capture_output=True, text=True, check=True).stdout
        assert "MIR · Unidad de Política Migratoria — T3 2026" in first
        assert "Evaluación de la MIR — tercer trimestre de 2026" in first
        assert "Semáforo de la MIR" in first
        assert re.search(r"Página 1 de \d+", first)
        assert "Datos sintéticos de demostración" in first


# --- every user notebook on every period with data ----------------------------------------------

USER_NOTEBOOKS = sorted(CLAVES) + ["plantilla/NN_analisis"]
DEMO_PERIODS = [(p.year, p.label) for p in periods_with_data(DEMO)]
ONLY_2026 = "solo-2026"  # a data folder with 2026 alone: a period with no previous year at all
PERIOD_CASES = [(year, period, None) for year, period in DEMO_PERIODS] + [(2026, "T3", ONLY_2026)]
EVERYWHERE = [(name, *case) for name in USER_NOTEBOOKS for case in PERIOD_CASES]


def _case_id(case) -> str:
    name, year, period, data = case
    return f"{name.rsplit('/', 1)[-1]}-{year}{period}" + (f"-{data}" if data else "")


@pytest.fixture(scope="module")
def executed_everywhere(tmp_path_factory) -> dict[tuple, nbformat.NotebookNode | BaseException]:
    """Each (notebook, period) executed once, as ``mirbook generar`` executes it (the optimised
    executor's engine in preloaded workers), without rendering: an executed notebook or the error."""
    from mirbook.execute import NotebookJob, execute
    from mirbook.executors import PRELOAD, OptimisedExecutor, workers_for
    from mirbook.workers import WorkerPool

    base = tmp_path_factory.mktemp("everywhere")
    only_2026 = base / ONLY_2026
    shutil.copytree(DEMO / "2026", only_2026 / "2026")
    folders = {None: DEMO, ONLY_2026: only_2026}
    jobs = {}
    for case in EVERYWHERE:
        name, year, period, data = case
        source = NOTEBOOKS / f"{name}.ipynb"
        jobs[case] = NotebookJob(
            source=source, executed=base / f"{_case_id(case)}.ipynb", html=base / f"{_case_id(case)}.html", pdf=None,
            parameters={"year": year, "period": period, "data_dir": str(folders[data])}, title=name, header="",
            footer={}, timeout=300, cwd=source.parent, engine=OptimisedExecutor.engine, save_each_cell=False,
        )
    out: dict[tuple, nbformat.NotebookNode | BaseException] = {}
    with WorkerPool(workers_for(None, len(jobs), spare=1), preload=PRELOAD) as pool:
        futures = {case: pool.submit(execute, job) for case, job in jobs.items()}
        for case, future in futures.items():
            error = future.exception()
            out[case] = error if error is not None else nbformat.read(jobs[case].executed, as_version=4)
    return out


def _texts(nb: nbformat.NotebookNode) -> str:
    """Everything the notebook shows, as text (plain, HTML, Markdown, streams)."""
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            for mime in ("text/plain", "text/html", "text/markdown"):
                parts.append(output.get("data", {}).get(mime, ""))
    return "\n".join(parts)


@pytest.mark.parametrize("case", EVERYWHERE, ids=_case_id)
def test_every_user_notebook_runs_on_every_period_with_data(executed_everywhere, case):
    from mirbook.formatting import period_es

    name, year, period, data = case
    nb = executed_everywhere[case]
    if isinstance(nb, BaseException):
        pytest.fail(f"{name} falla en {year} {period}: {nb}")
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), f"{name}: a cell did not run"
    for cell in code:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", f"{name}: {output.get('evalue')}"
            assert output.get("name") != "stderr", f"{name}: {output.get('text', '')[:300]}"
    shown = _texts(nb)
    quarter = int(period[1])
    if name in CLAVES:
        for clave in CLAVES[name]:
            assert f"{clave} · " in shown, f"{name} {year} {period}: no section for {clave}"
        assert period_es(year, quarter) in shown
    else:
        assert 'class="tabla-indicadores"' in shown
        images = [o for c in code for o in c.get("outputs", []) if "image/svg+xml" in o.get("data", {})]
        assert len(images) >= 2, f"{name} {year} {period}: the charts are missing"
    previous = year - 1
    has_previous = data is None and (DEMO / str(previous)).is_dir()
    if name == "plantilla/NN_analisis":
        assert (f"No hay datos de {previous}" in shown) is not has_previous
