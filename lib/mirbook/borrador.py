"""``mirbook borrador``: one notebook, one period, rendered into a scratch folder for checking a draft.

Why: a researcher writing ``30_migracion.ipynb`` wants to see the page the report will
show, without waiting for every notebook, without validation and, above all, without
touching the archive (a draft is not a revision). So this runs one notebook as
``mirbook generar`` would — the same job (:func:`mirbook.pipeline.notebook_job`: the same
parameters, title, header and footer) through the same executor
(:func:`mirbook.executors.choose`) — and writes the executed notebook, its HTML and, on
request, its PDF into a scratch folder (``borradores/`` in the project root by default,
git-ignored), refusing one inside the reports folder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError
from .execute import NotebookOutcome
from .executors import choose
from .model import Period
from .paths import notebooks_dir, project_root
from .provenance import now

DRAFTS_DIR = "borradores"  #: the default scratch folder, under the project root


@dataclass(frozen=True)
class Draft:
    """What a draft left in its folder."""

    folder: Path
    outcome: NotebookOutcome


def default_folder() -> Path:
    """``borradores/`` of the project."""
    return project_root() / DRAFTS_DIR


def find_notebook(name: str) -> Path:
    """The notebook ``NN_nombre`` (with or without ``.ipynb``) of ``notebooks/``, or a path to one."""
    given = Path(name)
    candidates = [given, notebooks_dir() / given, notebooks_dir() / f"{name}.ipynb"]
    for path in candidates:
        if path.suffix == ".ipynb" and path.is_file():
            return path.resolve()
    from .pipeline import discover_notebooks

    known = ", ".join(p.stem for p in discover_notebooks()) or "ninguno"
    raise UsageError(f"No existe el cuaderno «{name}» en {notebooks_dir()} (cuadernos: {known}).")


def _inside(path: Path, folder: Path) -> bool:
    path, folder = path.resolve(), folder.resolve()
    return path == folder or folder in path.parents


def draft(name: str, period: Period, data_dir: Path, reports_dir: Path, out: Path | None = None,
          pdf: bool = False, timeout: int = 600, log: Callable[[str], None] = print) -> Draft:
    """Execute one notebook for ``period`` and render it into ``out/<año>-T<n>/`` (never the archive).

    Raises :class:`UsageError` when the notebook does not exist or ``out`` is inside
    ``reports_dir``, :class:`mirbook.errors.DataError` when the period's data cannot be read and
    :class:`mirbook.errors.MirbookError` when the notebook fails (naming the cell and the line).
    """
    from .pipeline import notebook_job
    from .workbook import load_params, open_workbook

    notebook = find_notebook(name)
    base = Path(out) if out is not None else default_folder()
    if _inside(base, reports_dir):
        raise UsageError(f"La carpeta de borradores {base} está dentro del archivo de reportes {reports_dir}; "
                         "un borrador nunca se escribe ahí. Indique otra con --out.")
    params = load_params()
    open_workbook(period.year, period.label, data_dir, params.folder)  # unreadable data: its own clear message
    folder = base / f"{period.year}-{period.label}"
    folder.mkdir(parents=True, exist_ok=True)
    executor = choose()
    executed = folder / notebook.name
    job = notebook_job(notebook, period, Path(data_dir), params, now(), executor, timeout,
                       executed=executed, pages=folder, scratch=folder, failed=executed, pdf=pdf)
    for stale in (job.html, job.pdf, job.executed):
        if stale is not None:
            stale.unlink(missing_ok=True)
    log(f"Ejecutando el borrador de {notebook.stem} para {period}…")
    with executor.session(1, lambda _: None) as session:
        run = session.submit([job], 0)
        run.tables_written()  # a draft embeds no period files: its PDF may be printed at once
        outcome = run.result()[0]
    return Draft(folder, outcome)
