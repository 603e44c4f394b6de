"""Execute one report notebook with papermill and render it to HTML and PDF.

Runs inside a worker process (see :mod:`mirbook.executors`); everything it returns
or raises must pickle. A failing cell becomes a :class:`MirbookError` naming the
notebook, the cell and the error, in Spanish.

Two ways to start the notebook's kernel, both papermill's standard engine (nbclient)
on a real ``python3`` ipykernel:

* ``warm`` (what ``mirbook run`` uses): the kernel is forked from the worker process,
  which already holds every import the reports need (:mod:`mirbook.warmkernel`,
  :mod:`mirbook.preload`), instead of being launched as a new interpreter;
* ``kernel``: the kernel is launched as papermill launches it (what ``MIRBOOK_PLAIN=1``
  and the equivalence tests use as the reference).

The work of one notebook is two tasks, so two cores stay busy while a third notebook
waits: :func:`build_html` (execute, then the static HTML page) and :func:`build_pdf`
(the PDF printed from that page). :func:`build` does both in a row.

An archival PDF embeds the period's ``indicadores.csv`` and ``validacion.html``
(:func:`mirbook.render.period_attachments`): :func:`build_pdf` reads them from the staged
period folder (the PDF's own folder), so the run must have written them before any PDF task
starts (see :mod:`mirbook.executors`).
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .deferred import defer_slow_imports
from .errors import MirbookError
from .offline import remote_loads

if TYPE_CHECKING:  # pragma: no cover
    from .render import PdfMetadata

ENGINE_KERNEL = "kernel"
ENGINE_WARM = "warm"


@dataclass(frozen=True)
class NotebookJob:
    """What one worker must do for one notebook."""

    source: Path
    executed: Path
    html: Path
    pdf: Path | None  # None: no PDF (a draft without --pdf)
    parameters: dict
    title: str
    header: str
    footer: dict
    timeout: int
    cwd: Path
    log: Path | None = None
    engine: str = ENGINE_KERNEL  # the pipeline's workers use ENGINE_WARM
    save_each_cell: bool = True  # papermill's default: rewrite the .ipynb after every cell
    #: the archival PDF's metadata; with it, the period's attachments are embedded (see above)
    pdf_metadata: PdfMetadata | None = None
    #: the manifest being built (its provenance keys), for the embedded ``procedencia.json``
    manifest: Mapping = field(default_factory=dict)
    read_log: Path | None = None  # where the notebook's reads through mirbook.datos are logged
    failed: Path | None = None  # where the executed notebook is kept when it fails (outside the archive)


@dataclass(frozen=True)
class NotebookOutcome:
    """What a worker did, with its timings in seconds."""

    name: str
    executed: Path
    html: Path
    pdf: Path | None
    seconds_execute: float
    seconds_render: float


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CELL_LINE = re.compile(r"Cell In\s*\[(\d+)\],\s*line (\d+)")


def _user_code_cells(cells) -> list:
    """The code cells as JupyterLab numbers them in the user's notebook: papermill's injected
    parameters cell is not one of them."""
    return [c for c in cells if c.cell_type == "code" and "injected-parameters" not in c.metadata.get("tags", [])]


def _failed_cell(job: NotebookJob, exc: Exception) -> str:
    """Where the error happened, as JupyterLab numbers it: `` en la celda 4 de 9, línea 2``.

    The cell's place among the code cells of the user's notebook (papermill's injected
    parameters cell and its error notes are not counted; without the executed notebook, the
    execution count) and the line of the cell that raised (from IPython's
    ``Cell In[5], line 2`` in the traceback).
    """
    count = getattr(exc, "exec_count", None)
    index = getattr(exc, "cell_index", None)
    where = ""
    try:
        import nbformat
        from papermill.execute import ERROR_MARKER_TAG

        notebook = nbformat.read(job.executed, as_version=4)
        cells = [c for c in notebook.cells if ERROR_MARKER_TAG not in c.metadata.get("tags", [])]
        failed = cells[index] if isinstance(index, int) and 0 <= index < len(cells) else None
        code = _user_code_cells(cells)
        position = next((n for n, c in enumerate(code, start=1) if c is failed), None)
        if position is not None:
            where = f" en la celda {position} de {len(code)}"
    except Exception:  # noqa: BLE001 - no executed notebook to read: the count alone says where
        pass
    if count and not where:  # papermill's count includes its injected cell: JupyterLab's differs by one
        where = f" en la celda [{count}]"
    lines = [int(line) for cell, line in _CELL_LINE.findall(_ANSI.sub("", "\n".join(getattr(exc, "traceback", None) or [])))
             if count and int(cell) == count]
    if lines:
        where += f", línea {lines[-1]}"
    return where


def _keep_failed(job: NotebookJob, holding: str = "con la salida hasta el error") -> str:
    """Copy the failed executed notebook to ``job.failed`` (outside the archive): the sentence saying where."""
    if job.failed is None or not job.executed.is_file():
        return ""
    import shutil

    if job.failed.resolve() != job.executed.resolve():  # a draft is executed where it is kept
        try:
            job.failed.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(job.executed, job.failed)
        except OSError:
            return ""
    return f"\nEl cuaderno ejecutado, {holding}, quedó en {job.failed}"


def _failure_message(job: NotebookJob, exc: Exception) -> str:
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    name = job.source.stem
    return f"El cuaderno {name} falló{_failed_cell(job, exc)}: {ename}: {evalue}".strip() + _keep_failed(job)


def execute(job: NotebookJob) -> float:
    """Run the notebook with its parameters into ``job.executed``; returns the seconds taken."""
    import logging

    defer_slow_imports()
    import papermill
    from papermill.exceptions import PapermillExecutionError

    engine_options: dict = {}
    if job.engine == ENGINE_WARM:
        from .warmkernel import WarmKernelManager

        engine_options["kernel_manager_class"] = WarmKernelManager
    elif job.engine != ENGINE_KERNEL:
        raise ValueError(f"unknown engine: {job.engine}")
    logging.getLogger("papermill").setLevel(logging.WARNING)
    start = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(job.source),
            str(job.executed),
            parameters=job.parameters,
            request_save_on_cell_execute=job.save_each_cell,
            kernel_name="python3",
            language="python",
            progress_bar=False,
            log_output=False,
            execution_timeout=job.timeout,
            cwd=str(job.cwd),
            **engine_options,
        )
    except PapermillExecutionError as exc:
        raise MirbookError(_failure_message(job, exc)) from None
    except Exception as exc:  # kernel death, timeout, unreadable notebook
        raise MirbookError(_failure_message(job, exc)) from None
    return time.perf_counter() - start


def where_in_notebook(notebook, url: str) -> str:
    """Which cell shows ``url``: `` en la celda 3 de 7`` (as JupyterLab counts the code cells),
    `` en una celda de texto (Markdown)``, or ``""``."""
    code = _user_code_cells(notebook.cells)
    for position, cell in enumerate(code, start=1):
        if any(url in str(output.get("data", {})) or url in str(output.get("text", "")) for output in cell.get("outputs", [])):
            return f" en la celda {position} de {len(code)}"
    if any(c.cell_type == "markdown" and url in c.source for c in notebook.cells):
        return " en una celda de texto (Markdown)"
    return ""


def _remote_message(job: NotebookJob, notebook, urls: list[str]) -> str:
    first = urls[0]
    others = f" (y {len(urls) - 1} más: {', '.join(urls[1:4])}{'…' if len(urls) > 4 else ''})" if len(urls) > 1 else ""
    return (f"El cuaderno {job.source.stem}{where_in_notebook(notebook, first)} muestra algo que se carga desde "
            f"fuera del reporte: {first}{others}. Un reporte archivado se lee sin conexión y no carga nada de la "
            "red ni de otros archivos: guarde la imagen junto al cuaderno y muéstrela con "
            "IPython.display.Image(filename=...), que la incrusta en la página. No se archivó nada."
            + _keep_failed(job, "completo"))


def render_html(job: NotebookJob) -> float:
    """Render the executed notebook to its static HTML page; returns the seconds taken."""
    defer_slow_imports()
    import nbformat

    from .render import notebook_to_html

    start = time.perf_counter()
    notebook = nbformat.read(job.executed, as_version=4)
    html = notebook_to_html(notebook, job.title, job.footer, job.source.parent)
    loads = remote_loads(html)
    if loads:
        raise MirbookError(_remote_message(job, notebook, loads))
    with open(job.html, "w", encoding="utf-8", newline="") as handle:
        handle.write(html)
    return time.perf_counter() - start


def render_pdf(job: NotebookJob) -> float:
    """Print the HTML page of the notebook to its PDF (unless it has none); returns the seconds taken."""
    if job.pdf is None:
        return 0.0
    from .render import html_to_pdf, period_attachments

    start = time.perf_counter()
    with open(job.html, encoding="utf-8", newline="") as handle:
        html = handle.read()
    attachments = period_attachments(job.pdf.parent, job.manifest) if job.pdf_metadata else []
    html_to_pdf(html, job.pdf, job.header, job.pdf_metadata, attachments)
    return time.perf_counter() - start


def render(job: NotebookJob) -> float:
    """Render the executed notebook to HTML and PDF; returns the seconds taken."""
    return render_html(job) + render_pdf(job)


@contextmanager
def stderr_to(path: Path | None) -> Iterator[None]:
    """Send this process's (and its kernels') standard error to ``path`` for the duration."""
    if path is None:
        yield
        return
    import sys

    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


@contextmanager
def reads_logged(path: Path | None) -> Iterator[None]:
    """Log the notebook's reads through :mod:`mirbook.datos` to ``path`` (a fresh file per notebook).

    The variable is set in this process's environment, which the notebook's kernel inherits
    (launched, or forked warm from this process with its register emptied first). Restored afterwards
    (the plain executor with ``--jobs 1`` runs every notebook in the run's own process).
    """
    if path is None:
        yield
        return
    from . import datos

    saved = os.environ.get(datos.READ_LOG_ENV)
    Path(path).unlink(missing_ok=True)
    os.environ[datos.READ_LOG_ENV] = str(path)
    datos.reiniciar_registro()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(datos.READ_LOG_ENV, None)
        else:
            os.environ[datos.READ_LOG_ENV] = saved


def build(job: NotebookJob) -> NotebookOutcome:
    """Execute then render one notebook (the unit of work of a worker process).

    Kernel chatter goes to ``job.log`` (outside the archive); a failure is reported
    through the raised :class:`MirbookError`.
    """
    with stderr_to(job.log):
        with reads_logged(job.read_log):
            seconds_execute = execute(job)
        seconds_render = render(job)
    return NotebookOutcome(job.source.stem, job.executed, job.html, job.pdf, seconds_execute, seconds_render)


def build_html(job: NotebookJob) -> tuple[float, float]:
    """First task of a notebook: execute it and write its HTML page; returns both durations."""
    with stderr_to(job.log):
        with reads_logged(job.read_log):
            seconds_execute = execute(job)
        return seconds_execute, render_html(job)


def build_pdf(job: NotebookJob) -> float:
    """Second task of a notebook: print its HTML page to PDF; returns the duration."""
    with stderr_to(job.log):
        return render_pdf(job)


def notebook_title(path: Path) -> str:
    """A notebook's report title: its ``metadata.title``, else its first Markdown heading
    (a level-one ``#`` heading preferred), else its file name."""
    import json

    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return path.stem
    title = notebook.get("metadata", {}).get("title")
    if isinstance(title, str) and title.strip():
        return title.strip()
    headings = [
        line.strip()
        for cell in notebook.get("cells", [])
        if cell.get("cell_type") == "markdown"
        for line in "".join(cell.get("source", "")).splitlines()
        if line.lstrip().startswith("#")
    ]
    first = next((h for h in headings if h.startswith("# ")), headings[0] if headings else "")
    return first.lstrip("#").strip() or path.stem
