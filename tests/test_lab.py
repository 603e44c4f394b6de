"""JupyterLab for researchers (issue #7): the notebooks run as they are, the template, the API page.

* every notebook of ``notebooks/`` (and the template) executes with nbclient from its own
  folder with its parameter defaults, no papermill: what "Run All" does in JupyterLab;
* a notebook dropped into ``notebooks/`` appears in the next archive (HTML, PDF, executed
  notebook, period page, manifest);
* the template keeps the report notebooks' parameters cell and is not run by ``mirbook run``;
* every example of ``docs/api.md`` runs and returns what the page says;
* every public function of the helper library has a docstring;
* ``make lab`` starts JupyterLab on the project with the ``.venv`` kernel.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from conftest import DEMO, ROOT, pinned_root
from mirbook.execute import notebook_title
from mirbook.model import Period
from mirbook.pipeline import Runner, discover_notebooks

NOTEBOOKS = ROOT / "notebooks"
TEMPLATE = NOTEBOOKS / "plantilla" / "NN_analisis.ipynb"
API_PAGE = ROOT / "docs" / "api.md"
DROPPED_PREFIX = "99_prueba_temporal"
PARAMETERS = {"year": "2026", "period": '"T3"', "data_dir": "None"}


def lab_notebooks() -> list[Path]:
    """The report notebooks (as ``mirbook run`` finds them) and the template(s)."""
    found = [p for p in discover_notebooks(NOTEBOOKS) if not p.name.startswith(DROPPED_PREFIX)]
    return found + sorted((NOTEBOOKS / "plantilla").glob("*.ipynb"))


# --- every notebook runs top to bottom with its defaults (no papermill) ---------------------------


@pytest.fixture(scope="module")
def executed_in_lab() -> dict[str, nbformat.NotebookNode | BaseException]:
    """Each notebook executed once, concurrently, as JupyterLab's "Run All" would: nbclient, the
    ``python3`` kernel, the notebook's own folder as working directory, nothing injected."""
    from nbclient import NotebookClient

    paths = lab_notebooks()

    async def run(path: Path) -> nbformat.NotebookNode:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
        await client.async_execute()
        return nb

    async def run_all():
        return await asyncio.gather(*(run(p) for p in paths), return_exceptions=True)

    return {p.relative_to(NOTEBOOKS).as_posix(): out for p, out in zip(paths, asyncio.run(run_all()))}


@pytest.mark.parametrize("name", [p.relative_to(NOTEBOOKS).as_posix() for p in lab_notebooks()])
def test_notebook_runs_top_to_bottom_with_its_defaults(executed_in_lab, name):
    nb = executed_in_lab[name]
    if isinstance(nb, BaseException):
        pytest.fail(f"{name} falla al ejecutarse con sus valores por omisión:\n{nb}")
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert not any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)
    for cell in code:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", f"{name}: {output.get('evalue')}"
            assert output.get("name") != "stderr", f"{name}: {output.get('text', '')[:300]}"
    shown = [c for c in code[2:] if c.get("outputs")]
    assert shown, f"{name}: no cell shows anything"
    assert all(c.execution_count for c in code), f"{name}: a cell did not run"


# --- a notebook dropped into notebooks/ joins the next archive ------------------------------------


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@pytest.fixture
def dropped() -> Path:
    """The template copied into ``notebooks/`` under a numbered name, as the guide says; always removed."""
    for stale in NOTEBOOKS.glob(f"{DROPPED_PREFIX}_*.ipynb"):  # left by a killed run: never let it reach a report
        pid = stale.stem.rsplit("_", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            stale.unlink(missing_ok=True)
    path = NOTEBOOKS / f"{DROPPED_PREFIX}_{os.getpid()}.ipynb"
    nb = nbformat.read(TEMPLATE, as_version=4)
    nb.cells[0].source = nb.cells[0].source.replace("# Título del análisis", "# Análisis de prueba temporal", 1)
    try:
        nbformat.write(nb, path)
        yield path
    finally:
        path.unlink(missing_ok=True)


def test_a_notebook_dropped_into_notebooks_appears_in_the_next_archive(dropped, tmp_path):
    discovered = discover_notebooks()
    assert discovered[-1] == dropped, "a 99_ notebook runs last, in file-name order"
    assert TEMPLATE not in discovered, "the template itself is never part of the report"
    reports = tmp_path / "reports"
    notebooks = [p for p in discovered if p.name.startswith(DROPPED_PREFIX)]  # the others: test_pipeline.py
    outcome = Runner(DEMO, reports, notebooks=notebooks, log=lambda _: None).run(Period(2026, 3))

    stem = dropped.stem
    folder = reports / "2026" / "T3"
    assert outcome.folder == folder
    html = (folder / f"{stem}.html").read_text(encoding="utf-8")
    assert re.search(r"<title>Análisis de prueba temporal\b[^<]*</title>", html)
    assert "Indicadores de la MIR" in html and 'src="data:image/svg+xml;base64,' in html
    assert (folder / f"{stem}.pdf").read_bytes().startswith(b"%PDF")
    executed = nbformat.read(folder / "cuadernos" / f"{stem}.ipynb", as_version=4)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in executed.cells)

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["cuadernos"] == [{"nombre": stem, "titulo": "Análisis de prueba temporal"}]
    assert {f"{stem}.html", f"{stem}.pdf", f"cuadernos/{stem}.ipynb"} <= set(manifest["salidas"])
    assert f"notebooks/{dropped.name}" in manifest["entradas"]

    page = (folder / "index.html").read_text(encoding="utf-8")
    assert "Análisis de prueba temporal" in page
    for href in (f"{stem}.html", f"{stem}.pdf", f"cuadernos/{stem}.ipynb"):
        assert f'href="{href}"' in page, href
    assert "2026/T3/index.html" in (reports / "index.html").read_text(encoding="utf-8")


# --- the template -------------------------------------------------------------------------------


def test_template_is_outside_the_report_and_ready_to_copy():
    assert TEMPLATE.is_file()
    assert TEMPLATE not in discover_notebooks(NOTEBOOKS)
    nb = nbformat.read(TEMPLATE, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    reference = nbformat.read(NOTEBOOKS / "00_resumen.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].source == reference.cells[0].source, "the same parameters cell as the report notebooks"
    assert code[0].metadata.get("tags") == ["parameters"]
    assert code[1].source == "from mirbook import report\n\nwb = report.open(year, period, data_dir)"
    first_markdown = next(c for c in nb.cells if c.cell_type == "markdown")
    assert first_markdown.source.startswith("# "), "its first heading is the title of the report"
    assert notebook_title(TEMPLATE) == "Título del análisis"
    for cell in code:
        assert not cell.get("outputs") and cell.get("execution_count") is None


@pytest.mark.parametrize("path", lab_notebooks(), ids=lambda p: p.name)
def test_papermill_reads_the_parameter_defaults(path):
    import papermill

    found = papermill.inspect_notebook(str(path))
    assert {name: p["default"] for name, p in found.items()} == PARAMETERS


# --- the API page --------------------------------------------------------------------------------


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def test_every_example_of_the_api_page_runs_and_returns_what_it_says(monkeypatch, tmp_path):
    # The page's "→" results are the demo's with the tests' own institutional parameters, so
    # that editing the thresholds or metas of params/mir.yaml does not fail the test suite.
    root = pinned_root(tmp_path / "root")
    (root / "data").symlink_to(DEMO, target_is_directory=True)
    monkeypatch.setenv("MIRBOOK_ROOT", str(root))
    monkeypatch.chdir(NOTEBOOKS)
    blocks = _python_blocks(API_PAGE.read_text(encoding="utf-8"))
    assert len(blocks) >= 5
    namespace: dict = {"__name__": "api_examples"}
    checked = 0
    for number, block in enumerate(blocks, start=1):
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(block, f"docs/api.md bloque {number}", "exec"), namespace)  # noqa: S102
        for line in block.splitlines():
            if "# → " not in line:
                continue
            code, expected = line.split("# → ", 1)
            tree = ast.parse(code.strip())
            statement = tree.body[0]
            expression = statement.value if isinstance(statement, (ast.Expr, ast.Assign)) else None
            assert expression is not None, line
            value = eval(compile(ast.Expression(expression), "docs/api.md", "eval"), namespace)  # noqa: S307
            assert repr(value) == expected.strip(), f"docs/api.md bloque {number}: {code.strip()}"
            checked += 1
    assert checked >= 20


def test_the_api_page_lists_what_a_notebook_calls():
    from mirbook import report

    text = API_PAGE.read_text(encoding="utf-8")
    public = [
        name for name, value in vars(report).items()
        if callable(value) and not name.startswith("_") and getattr(value, "__module__", "") == report.__name__
    ]
    assert {"open", "portada", "arbol_mir", "tabla_indicadores", "avisos", "indicador"} <= set(public)
    for name in public:
        assert f"report.{name}" in text, name
    for name in ("by_quarter", "by_unidad", "by_tipo", "by_flujo", "products", "justifications",
                 "pct_es", "int_es", "date_es", "period_es", "charts.to_svg",
                 "wb.evaluation", "wb.data", "wb.mir", "wb.organizacion", "wb.previous_evaluation"):
        assert name in text, name


MODULES = ("report", "charts", "indicators", "workbook", "formatting")


@pytest.mark.parametrize("module", MODULES)
def test_every_public_function_has_a_docstring(module):
    tree = ast.parse((ROOT / "lib" / "mirbook" / f"{module}.py").read_text(encoding="utf-8"))
    missing = []

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and not child.name.startswith("_"):
                if not ast.get_docstring(child):
                    missing.append(prefix + child.name)
                if isinstance(child, ast.ClassDef):
                    walk(child, f"{prefix}{child.name}.")

    walk(tree, "")
    assert not missing, f"mirbook.{module}: public names without a docstring: {missing}"


# --- README and make lab ---------------------------------------------------------------------------


def test_readme_tells_how_to_open_the_lab_and_add_an_analysis():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for needle in ("make lab", "## Agregar un análisis", "notebooks/plantilla/NN_analisis.ipynb",
                   "notebooks/30_", "make report", "docs/api.md"):
        assert needle in readme, needle
    assert (ROOT / "docs" / "agregar-un-analisis.md").is_file()


def test_the_lab_kernel_is_the_project_python():
    """The native ``python3`` kernel starts with the interpreter of the server, the ``.venv``'s one."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    assert "python3" in KernelSpecManager().find_kernel_specs()
    manager = KernelManager(kernel_name="python3")
    assert KernelSpecManager().get_kernel_spec("python3").argv[0] == "python"
    assert manager.format_kernel_cmd()[0] == sys.executable


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_starts_jupyterlab_on_the_notebooks(tmp_path):
    port = _free_port()
    extra = f"--port={port} --ServerApp.ip=127.0.0.1 --IdentityProvider.token="
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        extra += " --allow-root"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path / "runtime")
    log = tmp_path / "lab.log"
    with open(log, "wb") as out:
        # -o: do not run `make setup` again from the test (the environment is the one running it).
        process = subprocess.Popen(
            ["make", "--no-print-directory", "-o", "setup", "-o", ".venv/.mirbook-setup", "lab", f"LAB_ARGS={extra}"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert process.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.3)
        with urllib.request.urlopen(f"{base}/lab/tree/notebooks", timeout=10) as response:
            assert response.status == 200 and b"JupyterLab" in response.read()
        with urllib.request.urlopen(f"{base}/api/contents/notebooks", timeout=10) as response:
            names = {item["name"] for item in json.load(response)["content"]}
        assert {"00_resumen.ipynb", "plantilla"} <= names
        with urllib.request.urlopen(f"{base}/api/kernelspecs", timeout=10) as response:
            assert json.load(response)["default"] == "python3"
        text = log.read_text(errors="replace")
        assert "Abriendo JupyterLab" in text and f"{port}/lab/tree/notebooks" in text
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
