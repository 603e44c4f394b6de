"""Warm-up of the notebook workers: imported once by the forkserver of a run.

:mod:`mirbook.pipeline` runs every notebook task in a fresh process forked from a
``forkserver`` that imports this module first (``set_forkserver_preload``). Importing
it loads what every task needs — papermill, nbclient and nbformat, ipykernel with
IPython and ZeroMQ (the notebook's kernel is forked from the task, see
:mod:`mirbook.warmkernel`), the report code with pandas, seaborn and matplotlib (fonts
loaded), the report's Jinja2 templates compiled, the nbconvert exporter with the mirbook
template compiled, nbformat's schema validator, WeasyPrint with its fonts — so each task
and each kernel start with all of that in memory (copy-on-write) instead of paying two to
four seconds of imports and first-use set-up.

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
    global _SAMPLE_HTML
    _SAMPLE_HTML = notebook_to_html(notebook, "Calentamiento", {})


def _print_sample() -> None:
    """Print that page to a throw-away PDF: WeasyPrint loads its fonts (no thread is left behind,
    so forking afterwards is safe)."""
    import tempfile

    from .render import html_to_pdf

    with tempfile.TemporaryDirectory(prefix="mirbook-warm-") as folder:
        html_to_pdf(_SAMPLE_HTML, Path(folder) / "muestra.pdf", "Calentamiento")


_SAMPLE_HTML = "<p>Calentamiento</p>"


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


def _warm() -> None:
    from .deferred import defer_slow_imports

    defer_slow_imports()
    # Warnings raised while warming up are recorded, never shown; the filters that the imports
    # install (numpy's, IPython's…) stay, as in a fresh process that made these imports.
    with warnings.catch_warnings(record=True):
        steps = (
            lambda: __import__("papermill.engines"),  # papermill, nbclient, nbformat
            lambda: __import__("mirbook.warmkernel"),  # jupyter_client's kernel manager
            lambda: __import__("ipykernel.kernelapp"),  # the kernel: IPython, ipykernel, zmq, tornado
            lambda: __import__("mirbook.report"),
            _theme_warmed_up,  # matplotlib, seaborn
            _draw_text,
            lambda: __import__("pandas"),
            _compile_templates,
            _export_empty_notebook,  # nbconvert + the mirbook template, nbformat's validator
            _print_sample,  # WeasyPrint
            lambda: __import__("mirbook.cli"),  # what a task re-imports when `mirbook` is the main script
        )
        for step in steps:
            try:
                step()
            except Exception:  # noqa: BLE001 - best effort: the task will import it itself
                pass
        installed = list(warnings.filters)
    warnings.filters[:] = installed
    warnings._filters_mutated()  # type: ignore[attr-defined] - "already shown" registries start empty
    try:
        from .warmkernel import record_fresh_state

        record_fresh_state()  # what the kernels forked from the workers go back to
    except Exception:  # noqa: BLE001 - best effort, as every step
        pass
    gc.collect()
    gc.freeze()  # keep the shared pages shared: the collector leaves these objects alone in the children


_warm()
