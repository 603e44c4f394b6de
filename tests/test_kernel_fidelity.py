"""What runs on a Jupyter kernel is what ``mirbook run`` archives (issue #11, kernel fidelity).

The corpus (``tests/fixtures/investigacion/``) is written the way researchers write
notebooks: ``pyplot`` with ``plt.show()`` and figures left open, ``%matplotlib inline``,
seaborn's figure-level functions, ``display()`` of DataFrames, Stylers, Markdown and HTML,
``%time``, ``%%capture``, ``%load_ext``, shell commands, stdout/stderr, warnings,
logging, a progress bar, a process pool. It is put in the ``notebooks/`` folder of a
project (``MIRBOOK_ROOT``) and archived by the ``mirbook`` command; the same notebooks are
executed by papermill on a launched ``python3`` kernel with the same parameters. Cell by
cell, both must give the same outputs: the same kinds in the same order, the same stream
names, the same MIME keys, the same execution counts, the same error names; the text of
streams and plain-text results too (digits aside) where the cell does not time itself.
Every figure must be in the archived HTML page (an ``<img>``) and every raster figure in
the PDF (``pdfimages -list``).

Two more checks on the warm kernels themselves (:mod:`mirbook.warmkernel`): everything a
notebook can see of its process (argv, sys.path, environment, session, ``multiprocessing``
identity, signals, warning filters, logging, pandas options, matplotlib settings, the
shell's config, threads) is what a launched kernel sees, numpy's global random state
differs from one kernel to the next, and a cancelled notebook leaves no kernel running.

Consecutive stream outputs of one name are merged before comparing: how many messages a
kernel sends for one stream depends on when its output thread flushes, even between two
runs of the same kernel (JupyterLab shows them as one block).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import nbformat
import pytest

from conftest import DEMO, ROOT, run_cli
from mirbook.errors import MirbookError
from mirbook.execute import ENGINE_KERNEL, ENGINE_WARM, NotebookJob, execute
from mirbook.executors import PRELOAD
from mirbook.workers import WorkerError, WorkerPool

CORPUS = ROOT / "tests" / "fixtures" / "investigacion"
NOTEBOOKS = sorted(p.stem for p in CORPUS.glob("*.ipynb"))
PARAMETERS = {"year": 2026, "period": "T3", "data_dir": str(DEMO)}
IMAGES = ("image/png", "image/svg+xml", "image/jpeg")
TIMED = re.compile(r"%%?time|%timeit")


def _merged(outputs: list) -> list:
    merged: list = []
    for output in outputs:
        if (output.output_type == "stream" and merged and merged[-1].output_type == "stream"
                and merged[-1].name == output.name):
            merged[-1] = nbformat.from_dict({**merged[-1], "text": merged[-1].text + output.text})
        else:
            merged.append(output)
    return merged


def _comparable_text(text: str) -> str:
    """Output text without what differs between two runs of one kernel: numbers, addresses, pids."""
    text = re.sub(r"/tmp/ipykernel_\d+/\d+\.py", "<celda>", text)
    text = re.sub(r"0x[0-9a-f]+", "0x…", text)
    return re.sub(r"\d+", "0", text)


def _described(output, compare_text: bool) -> tuple:
    kind = output.output_type
    if kind == "stream":
        return (kind, output.name, _comparable_text(output.text) if compare_text else None)
    if kind == "error":
        return (kind, output.ename)
    data = output.get("data", {})
    plain = _comparable_text(data.get("text/plain", "")) if compare_text and not set(IMAGES) & set(data) else None
    return (kind, tuple(sorted(data)), plain)


def signature(notebook) -> list[tuple]:
    """Per code cell: its execution count and its outputs as (kind, stream name or MIME keys, text)."""
    cells = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        compare_text = not TIMED.search(cell.source)
        outputs = tuple(_described(o, compare_text) for o in _merged(cell.get("outputs", [])))
        cells.append((cell.source.splitlines()[0] if cell.source else "", cell.get("execution_count"), outputs))
    return cells


def _images(notebook) -> list[str]:
    """The MIME type of every figure a notebook's outputs hold (one per output, as a page shows it)."""
    found = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            keys = [k for k in IMAGES if k in output.get("data", {})]
            if keys:
                found.append(keys[0])
    return found


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A project whose ``notebooks/`` folder holds the corpus, and nothing else."""
    root = tmp_path_factory.mktemp("proyecto")
    shutil.copytree(ROOT / "params", root / "params")
    (root / "notebooks").mkdir()
    for name in NOTEBOOKS:
        shutil.copy(CORPUS / f"{name}.ipynb", root / "notebooks" / f"{name}.ipynb")
    return root


@pytest.fixture(scope="module")
def archived(project) -> Path:
    """The corpus archived by ``mirbook run`` (the period's folder)."""
    reports = project / "reports"
    done = run_cli("run", "--year", "2026", "--period", "T3", "--data-dir", str(DEMO), "--reports-dir", str(reports),
                   cwd=project, env={"MIRBOOK_ROOT": str(project)})
    assert done.returncode == 0, done.stdout + done.stderr
    return reports / "2026" / "T3"


@pytest.fixture(scope="module")
def on_a_kernel(project, tmp_path_factory) -> dict[str, nbformat.NotebookNode]:
    """The corpus executed by papermill on a launched ``python3`` kernel, from the same folder."""
    out = tmp_path_factory.mktemp("kernel")
    jobs = {
        name: NotebookJob(
            source=project / "notebooks" / f"{name}.ipynb", executed=out / f"{name}.ipynb", html=out / f"{name}.html",
            pdf=out / f"{name}.pdf", parameters=PARAMETERS, title=name, header=name, footer={}, timeout=300,
            cwd=project / "notebooks", log=out / f"{name}.log", engine=ENGINE_KERNEL,
        )
        for name in NOTEBOOKS
    }
    with WorkerPool(2, preload=PRELOAD) as pool:  # the kernels are launched: the workers' preload changes nothing for them
        futures = {name: pool.submit(execute, job) for name, job in jobs.items()}
        for future in futures.values():
            future.result()
    return {name: nbformat.read(job.executed, as_version=4) for name, job in jobs.items()}


def test_the_corpus_exercises_the_habits_it_is_meant_to(on_a_kernel):
    """Guard against a corpus that proves nothing: on the kernel it shows all of these."""
    kinds: set = set()
    for notebook in on_a_kernel.values():
        for cell in notebook.cells:
            for output in cell.get("outputs", []):
                kinds.add(output.output_type)
                kinds.update(output.get("data", {}))
                if output.output_type == "stream":
                    kinds.add(output.name)
    assert {"display_data", "execute_result", "stdout", "stderr", "image/png", "image/svg+xml", "text/html",
            "text/markdown", "application/json"} <= kinds
    images = {name: len(_images(nb)) for name, nb in on_a_kernel.items()}
    assert images["30_graficas_pyplot"] >= 7 and images["31_seaborn"] >= 6, images
    assert not any(o.output_type == "error" for nb in on_a_kernel.values() for c in nb.cells for o in c.get("outputs", []))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_mirbook_run_gives_each_cell_the_outputs_of_a_kernel(archived, on_a_kernel, name):
    executed = nbformat.read(archived / "cuadernos" / f"{name}.ipynb", as_version=4)
    expected, actual = signature(on_a_kernel[name]), signature(executed)
    assert len(actual) == len(expected)
    for kernel_cell, run_cell in zip(expected, actual):
        assert run_cell == kernel_cell, f"{name}: celda {kernel_cell[0]!r}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_figure_is_in_the_archived_html_and_pdf(archived, name):
    executed = nbformat.read(archived / "cuadernos" / f"{name}.ipynb", as_version=4)
    figures = _images(executed)
    html = (archived / f"{name}.html").read_text(encoding="utf-8")
    shown = re.findall(r'<img alt="Gráfica" src="data:(image/[\w+.-]+);base64,', html)
    assert sorted(shown) == sorted(figures)
    listing = subprocess.run(["pdfimages", "-list", str(archived / f"{name}.pdf")], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    assert len(listing) >= figures.count("image/png")


# --- a warm kernel is a fresh kernel ---------------------------------------------------------------

STATE_OF_THE_PROCESS = r'''
import logging, multiprocessing, os, signal, sys, threading, warnings
import matplotlib, pandas as pd
from pandas._config import config as pandas_config
print("argv", [re.sub(r"kernel-[\w-]+\.json|tmp\w+\.json", "<conexión>", a) for a in sys.argv] if (re := __import__("re")) else 0)
print("path", sys.path)
print("cwd", os.getcwd())
print("env", sorted((k, v) for k, v in os.environ.items() if k != "JPY_PARENT_PID"))
print("session leader", os.getsid(0) == os.getpid(), "stdin", os.readlink("/proc/self/fd/0").split(":")[0])
print("multiprocessing", multiprocessing.current_process().name, multiprocessing.current_process().daemon,
      multiprocessing.parent_process())
print("signals", [str(signal.getsignal(s)) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD, signal.SIGPIPE)])
print("warnings", sorted(map(repr, warnings.filters)))
print("logging", logging.getLogger().handlers, logging.getLogger().level, logging.getLogger("nuevo").getEffectiveLevel())
print("pandas", {k: pd.get_option(k) for k in sorted(pandas_config._registered_options)
                 if k not in pandas_config._deprecated_options})
print("matplotlib", matplotlib.is_interactive(), sorted((k, str(matplotlib.rcParams._get(k))) for k in matplotlib.rcParams))
print("shell", type(get_ipython()).__name__, sorted(get_ipython().config), get_ipython().execution_count)
print("threads", sorted(re.sub(r"\d+", "N", t.name) for t in threading.enumerate()))
'''


def test_a_warm_kernel_starts_in_the_state_of_a_launched_one(tmp_path):
    """Everything a notebook can see of its process, printed on both kernels, must be the same.

    Only what differs between two launched kernels too is left out: the connection file's
    name, the parent's pid, numbered thread names.
    """
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    parameters = nbformat.v4.new_code_cell("year = 2026\nperiod = 'T3'\ndata_dir = None")
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [parameters, nbformat.v4.new_code_cell("import sys\n'seaborn' in sys.modules"),
                      nbformat.v4.new_code_cell(STATE_OF_THE_PROCESS),
                      nbformat.v4.new_code_cell("import numpy as np\nnp.random.random()")]
    source = tmp_path / "estado.ipynb"
    nbformat.write(notebook, source)
    jobs = {
        name: NotebookJob(
            source=source, executed=tmp_path / f"{name}.ipynb", html=tmp_path / f"{name}.html",
            pdf=tmp_path / f"{name}.pdf", parameters=PARAMETERS, title=name, header=name, footer={}, timeout=120,
            cwd=tmp_path, log=tmp_path / f"{name}.log", engine=engine,
        )
        for name, engine in (("lanzado", ENGINE_KERNEL), ("tibio", ENGINE_WARM), ("tibio2", ENGINE_WARM))
    }
    with WorkerPool(3, preload=PRELOAD) as pool:
        for future in [pool.submit(execute, job) for job in jobs.values()]:
            future.result()
    printed = {}
    for name, job in jobs.items():
        preloaded, state, chance = nbformat.read(job.executed, as_version=4).cells[-3:]
        printed[name + " precargado"] = preloaded.outputs[0].data["text/plain"]
        printed[name] = state.outputs[0].text.splitlines()
        printed[name + " azar"] = chance.outputs[0].data["text/plain"]
    for launched, warm in zip(printed["lanzado"], printed["tibio"]):
        if launched.startswith("warnings"):
            # The preload imported more libraries than this notebook: their own filters are there too,
            # each about the library's own warnings (a category, message or module of its own).
            launched_filters, warm_filters = (set(eval(line.removeprefix("warnings "))) for line in (launched, warm))
            assert launched_filters <= warm_filters
            extra = warm_filters - launched_filters
            assert all("re.compile(" in f or "<class 'builtins." not in f for f in extra), extra
            continue
        assert warm == launched
    assert len(printed["tibio"]) == len(printed["lanzado"]) == 13
    assert printed["tibio azar"] != printed["tibio2 azar"], "numpy's global random state is not the worker's"
    assert (printed["lanzado precargado"], printed["tibio precargado"]) == ("False", "True"), "not warm"


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] == "Z"  # exited, not yet reaped
    except FileNotFoundError:
        return True


def test_a_cancelled_notebook_leaves_no_kernel_behind(tmp_path):
    """A failed validation cancels the running notebooks: their warm kernels go with their workers."""
    marker = tmp_path / "kernel.pid"
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(
        f"import os, pathlib, time\npathlib.Path({str(marker)!r}).write_text(str(os.getpid()))\ntime.sleep(120)")]
    source = tmp_path / "97_largo.ipynb"
    nbformat.write(notebook, source)
    job = NotebookJob(source=source, executed=tmp_path / "largo.ipynb", html=tmp_path / "largo.html",
                      pdf=tmp_path / "largo.pdf", parameters=PARAMETERS, title="largo", header="largo", footer={},
                      timeout=300, cwd=tmp_path, log=tmp_path / "largo.log", engine=ENGINE_WARM)
    with WorkerPool(1, preload=PRELOAD) as pool:
        future = pool.submit(execute, job)
        deadline = time.monotonic() + 120
        while not marker.exists() or not marker.read_text():
            assert time.monotonic() < deadline and not future.done(), "the notebook never started"
            time.sleep(0.1)
        kernel = int(marker.read_text())
        assert not _gone(kernel)
        pool.cancel([future])
        with pytest.raises(WorkerError):  # the generic pool says so; the run translates it
            future.result()
    deadline = time.monotonic() + 20
    while not _gone(kernel):
        assert time.monotonic() < deadline, "the kernel outlived its cancelled worker"
        time.sleep(0.1)
