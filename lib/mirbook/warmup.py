"""Warm-up of the worker processes: what the forkservers of a run import and do once.

:mod:`mirbook.pipeline` runs every task in a fresh process forked from a ``forkserver`` that
has already imported what the task needs (``set_forkserver_preload``), so each task and each
notebook kernel start with all of that in memory (copy-on-write) instead of paying two to four
seconds of imports and first-use set-up. There are two forkservers, each preloading one
module that calls :func:`warm` with its steps:

* :mod:`mirbook.preload` (:data:`NOTEBOOK_STEPS`), for the tasks that execute a notebook and
  write its HTML page: papermill, nbclient and nbformat, ipykernel with IPython and ZeroMQ (the
  notebook's kernel is forked from the task, see :mod:`mirbook.warmkernel`), the report code
  with pandas, seaborn and matplotlib (fonts loaded), the report's Jinja2 templates compiled,
  the nbconvert exporter with the mirbook template compiled, nbformat's schema validator;
* :mod:`mirbook.preload_pdf` (:data:`PDF_STEPS`), for the tasks that print a page to PDF:
  WeasyPrint with its fonts. Its preload runs beside the other one, so the first notebook
  does not wait for WeasyPrint, which only the PDFs use.

Only code, configuration and throw-away samples are run here, nothing that depends on
a period: a forked task is exactly a fresh process that has done these imports (the
equivalence test compares the reports with those of launched kernels byte for byte,
tests/test_kernel_fidelity.py what a notebook can see of its process). matplotlib's
settings are given back as imported (the charts' theme is applied to load seaborn and
the fonts, then undone); warnings raised while warming up are recorded, never shown,
and their "already shown" registries reset, while the filters the imports install stay,
so a notebook shows the same warnings as in a fresh kernel. No thread is left running
(forking is safe). Every step is best effort: a failure here only means the task does
that work itself.
"""

from __future__ import annotations

import gc
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path


def _draw_text() -> None:
    """One throw-away SVG with text: loads the fonts and the SVG backend the charts use."""
    from matplotlib.figure import Figure

    from .charts import to_svg

    figure = Figure(figsize=(1, 1), layout="constrained")
    axes = figure.subplots()
    axes.set_title("Avance 0123456789 %")
    axes.bar([0, 1], [1, 2], hatch="////")
    to_svg(figure)


def _compile_templates() -> None:
    """Compile the report's Jinja2 templates (kept in the environment's cache)."""
    from .report import _env

    environment = _env()
    for name in environment.list_templates():
        environment.get_template(name)


def _export_empty_notebook() -> None:
    """Validate and export a throw-away notebook: compiles nbformat's schema validator and the
    nbconvert template, which every task would otherwise compile again."""
    import nbformat

    from .render import notebook_to_html

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# Calentamiento\n\n| a | b |\n|---|---|\n| 1 | 2 |"),
                      nbformat.v4.new_code_cell("1")]
    nbformat.validate(nbformat.reads(nbformat.writes(notebook), as_version=4))
    notebook_to_html(notebook, "Calentamiento", {})


#: A page like the reports' (the font, bold, a table, an SVG with a glyph outline): printing it
#: loads WeasyPrint's fonts and first-use set-up. Printing an exported report page instead was
#: measured: the PDFs that follow are not faster.
_PDF_SAMPLE = (
    '<html lang="es-MX"><head><style>body { font-family: "DejaVu Sans", sans-serif; }</style></head><body>'
    "<h1>Calentamiento</h1><p>Avance <b>0123456789 %</b> <em>cursiva</em> <code>código</code></p>"
    "<table><tr><th>Clave</th><td>1,0</td></tr></table>"
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="20" height="20">'
    '<defs><path id="g" d="M 0 0 L 10 0 L 10 10 Z"/></defs><use xlink:href="#g" fill="#611232"/></svg>'
    "</body></html>"
)


def _print_sample() -> None:
    """Print :data:`_PDF_SAMPLE` to a throw-away PDF: WeasyPrint loads its fonts (no thread is left
    behind, so forking afterwards is safe)."""
    import tempfile

    from .render import html_to_pdf

    with tempfile.TemporaryDirectory(prefix="mirbook-warm-") as folder:
        html_to_pdf(_PDF_SAMPLE, Path(folder) / "muestra.pdf", "Calentamiento")


def _theme_warmed_up() -> None:
    """Apply the charts' theme (loads seaborn and the fonts), then give matplotlib its imported state back.

    A notebook's kernel is forked from this state: a notebook that does not apply the theme
    must draw with matplotlib's defaults, as in a fresh kernel; mirbook's own notebooks apply
    it themselves (:func:`mirbook.charts.setup`, called again in the kernel).
    """
    import matplotlib

    from . import charts

    parameters = matplotlib.rcParams
    # ``_get``/``dict.__setitem__``: reading ``backend`` through the mapping would resolve it
    # (pick a backend) here, before a kernel has said which one it wants.
    imported = [(key, parameters._get(key)) for key in parameters]
    try:
        charts.setup()
    finally:
        for key, value in imported:
            dict.__setitem__(parameters, key, value)
        charts._READY = False


def record_kernel_state() -> None:
    """What the kernels forked from the workers go back to (:mod:`mirbook.warmkernel`)."""
    from .warmkernel import record_fresh_state

    record_fresh_state()


Step = Callable[[], object]

NOTEBOOK_STEPS: tuple[Step, ...] = (
    lambda: __import__("papermill.engines"),  # papermill, nbclient, nbformat
    lambda: __import__("mirbook.warmkernel"),  # jupyter_client's kernel manager
    lambda: __import__("ipykernel.kernelapp"),  # the kernel: IPython, ipykernel, zmq, tornado
    lambda: __import__("mirbook.report"),
    _theme_warmed_up,  # matplotlib, seaborn
    _draw_text,
    lambda: __import__("pandas"),
    _compile_templates,
    _export_empty_notebook,  # nbconvert + the mirbook template, nbformat's validator
    lambda: __import__("mirbook.cli"),  # what a task re-imports when `mirbook` is the main script
)
"""The notebook tasks' warm-up (:mod:`mirbook.preload`); then :func:`record_kernel_state`."""

PDF_STEPS: tuple[Step, ...] = (
    lambda: __import__("mirbook.execute"),  # the task itself
    _print_sample,  # WeasyPrint
    lambda: __import__("mirbook.cli"),
)
"""The PDF tasks' warm-up (:mod:`mirbook.preload_pdf`)."""


def warm(steps: Sequence[Step], finish: Step | None = None) -> None:
    """Run ``steps`` (each best effort), warnings recorded and their registries reset, then
    ``finish`` (best effort too), then freeze what was allocated."""
    from .deferred import defer_slow_imports

    defer_slow_imports()
    # Warnings raised while warming up are recorded, never shown; the filters that the imports
    # install (numpy's, IPython's…) stay, as in a fresh process that made these imports.
    with warnings.catch_warnings(record=True):
        for step in steps:
            try:
                step()
            except Exception:  # noqa: BLE001 - best effort: the task will import it itself
                pass
        installed = list(warnings.filters)
    warnings.filters[:] = installed
    warnings._filters_mutated()  # type: ignore[attr-defined] - "already shown" registries start empty
    if finish is not None:
        try:
            finish()
        except Exception:  # noqa: BLE001 - best effort, as every step
            pass
    gc.collect()
    gc.freeze()  # keep the shared pages shared: the collector leaves these objects alone in the children
