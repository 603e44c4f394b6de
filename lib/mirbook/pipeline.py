"""``mirbook run``: validate, execute the notebooks, render, archive — for one period or all.

Order of a run (nothing is written before step 3, so bad input never touches the archive):

1. validate the inputs (:mod:`mirbook.validation`); an error stops here;
2. fingerprint inputs, params, notebooks and code; identical to the archived revision → done;
3. under a lock on the reports folder, build the revision in a staging folder: notebooks run
   in parallel worker processes (papermill), each rendered to HTML and PDF, plus
   ``indicadores.csv``, ``validacion.html`` and ``manifest.json``; earlier revisions are carried
   into ``revisiones/``;
4. swap the staged folder into place atomically and rebuild the navigation pages.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from . import __version__, archive
from .errors import DataError, MirbookError
from .execute import NotebookJob, NotebookOutcome, build, notebook_title
from .formatting import datetime_es, period_es
from .model import Period
from .paths import is_demo_data, notebooks_dir, period_dir, project_root
from .sources import year_files
from .workbook import Params, load_params

NOTEBOOK_PATTERN = re.compile(r"\d{2}_[\w\-]+\.ipynb")
PACKAGES = (
    "mirbook", "pandas", "numpy", "matplotlib", "seaborn", "papermill", "nbconvert", "nbclient", "nbformat",
    "ipykernel", "great-expectations", "weasyprint", "openpyxl", "pyyaml", "jinja2",
)
Log = Callable[[str], None]


def discover_notebooks(folder: Path | None = None) -> list[Path]:
    """Report notebooks in file-name order: ``NN_name.ipynb`` directly in ``notebooks/``."""
    folder = folder or notebooks_dir()
    return sorted(p for p in folder.glob("*.ipynb") if NOTEBOOK_PATTERN.fullmatch(p.name))


def now() -> datetime:
    """The run's clock: ``$SOURCE_DATE_EPOCH`` when set (reproducible builds), else local time."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.now(timezone.utc).astimezone()


def code_files() -> list[Path]:
    """The package's own source and templates: a change in them makes a new revision."""
    package = Path(__file__).resolve().parent
    return sorted(p for p in package.rglob("*") if p.is_file() and p.suffix in (".py", ".j2", ".css", ".tpl", ".json", ".html"))


def input_files(data_dir: Path, period: Period, params: Params, notebooks: list[Path]) -> dict[str, Path]:
    """``{label: path}`` of everything a revision is made from (labels are stable, portable names)."""
    files: dict[str, Path] = {}
    for year in (period.year, period.year - 1):
        for path in year_files(data_dir, year):
            files[f"datos/{year}/{path.name}"] = path
    for path in sorted(params.folder.glob("*.yaml")):
        files[f"params/{path.name}"] = path
    for path in notebooks:
        files[f"notebooks/{path.name}"] = path
    return files


def fingerprint(inputs: dict[str, str], code: dict[str, str], period: Period, versions: dict[str, str]) -> str:
    """One sha256 over the inputs, the code, the period and the package versions."""
    digest = hashlib.sha256(f"{period.year}-{period.label}\n".encode())
    for group in (inputs, code, versions):
        for key in sorted(group):
            digest.update(f"{key}={group[key]}\n".encode())
    return digest.hexdigest()


def package_versions() -> dict[str, str]:
    """Installed versions of the packages that shape the reports."""
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "no instalado"
    return out


def git_state() -> dict[str, object]:
    """The project's git commit and whether the tree had uncommitted changes."""
    root = project_root()
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                                capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "sucio": None}
    if commit.returncode != 0:
        return {"commit": None, "sucio": None}
    return {"commit": commit.stdout.strip(), "sucio": bool(status.stdout.strip())}


@dataclass
class RunOutcome:
    """The result of archiving one period."""

    period: Period
    folder: Path
    unchanged: bool
    revision: int
    counts: dict[str, int]
    avisos: list[str]
    informacion: list[str] = field(default_factory=list)
    seconds: float = 0.0
    notebooks: list[NotebookOutcome] = field(default_factory=list)


def _workers(jobs: int | None, count: int) -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(jobs or cores, count))


def run_notebooks(jobs: list[NotebookJob], workers: int, log: Log) -> list[NotebookOutcome]:
    """Execute and render every notebook, ``workers`` at a time; the first failure stops all."""
    if workers == 1:
        outcomes = []
        for job in jobs:
            outcome = build(job)
            log(f"    ✔ {outcome.name} ({outcome.seconds_execute:.1f} s + {outcome.seconds_render:.1f} s)")
            outcomes.append(outcome)
        return outcomes
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(build, job): job for job in jobs}
        done, pending = wait(futures, return_when=FIRST_EXCEPTION)
        for future in done:
            if future.exception() is not None:
                for other in pending:
                    other.cancel()
                raise future.exception()  # type: ignore[misc]
        outcomes = [f.result() for f in futures]
    for outcome in outcomes:
        log(f"    ✔ {outcome.name} ({outcome.seconds_execute:.1f} s + {outcome.seconds_render:.1f} s)")
    return outcomes


class Runner:
    """Archive periods into one reports folder (the work behind ``mirbook run``)."""

    def __init__(
        self,
        data_dir: Path,
        reports_dir: Path,
        params: Params | None = None,
        notebooks: list[Path] | None = None,
        jobs: int | None = None,
        timeout: int = 600,
        log: Log = print,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.reports_dir = Path(reports_dir)
        self.params = params or load_params()
        self.notebooks = notebooks if notebooks is not None else discover_notebooks()
        self.jobs = jobs
        self.timeout = timeout
        self.log = log
        if not self.notebooks:
            raise MirbookError(f"No hay cuadernos de reporte (NN_nombre.ipynb) en {notebooks_dir()}.")

    def validate(self, period: Period):
        """Step 1: the input checks; raises :class:`DataError` listing every problem."""
        from .validation import validate

        result = validate(self.data_dir, period, self.params)
        if not result.ok:
            raise DataError(
                [f"Los datos de {period} tienen {len(result.errors)} problema(s); no se generó ningún reporte "
                 "y el archivo de reportes no se modificó:"] + [f"  - {line}" for line in result.errors]
            )
        return result

    def run(self, period: Period) -> RunOutcome:
        """Validate, and archive a new revision of ``period`` unless nothing changed."""
        started = now()
        clock = time.perf_counter()
        self.log(f"[1/4] Validando las entradas de {period} ({self.data_dir / str(period.year)})…")
        validation = self.validate(period)
        from .workbook import open_workbook

        workbook = open_workbook(period.year, period.label, self.data_dir, self.params.folder)
        evaluation = workbook.evaluation
        counts = evaluation.counts()
        avisos = [a.mensaje for a in evaluation.avisos if a.nivel == "advertencia"]
        info = [a.mensaje for a in evaluation.avisos if a.nivel == "informacion"]

        inputs = {k: archive.sha256_file(p) for k, p in input_files(self.data_dir, period, self.params, self.notebooks).items()}
        package = Path(__file__).resolve().parent
        code = {p.relative_to(package).as_posix(): archive.sha256_file(p) for p in code_files()}
        versions = package_versions()
        print_ = fingerprint(inputs, code, period, versions)
        target = period_dir(self.reports_dir, period)

        with archive.locked(self.reports_dir):
            archive.recover(self.reports_dir)
            current = archive.read_manifest(target)
            if current and current.get("huella") == print_ and archive.hash_outputs(target) == current.get("salidas"):
                from .site import rebuild_site

                rebuild_site(self.reports_dir)
                self.log(f"[2/4] Sin cambios: las entradas y el código son idénticos a la revisión "
                         f"{current.get('revision')} archivada; no se modificó nada.")
                return RunOutcome(period, target, True, int(current.get("revision", 1)), counts, avisos, info,
                                  time.perf_counter() - clock)
            revision = int(current.get("revision", 0)) + 1 if current else (1 if not target.exists() else 2)
            with archive.staging_dir(self.reports_dir, period) as stage:
                staged = stage / period.label
                (staged / archive.NOTEBOOKS_SUBDIR).mkdir(parents=True)
                outcomes = self._build(period, staged, started)
                self._write_tables(workbook, validation, staged, started)
                earlier = archive.carry_history(target, staged, revision - 1) if target.exists() else []
                finished = now()
                manifest = {
                    "mirbook": __version__,
                    "anio": period.year,
                    "periodo": period.label,
                    "revision": revision,
                    "huella": print_,
                    "parametros": {
                        "year": period.year, "period": period.label,
                        "data_dir": str(self.data_dir), "reports_dir": str(self.reports_dir),
                    },
                    "entradas": inputs,
                    "codigo": code,
                    "salidas": archive.hash_outputs(staged),
                    "paquetes": versions,
                    "python": sys.version.split()[0],
                    "git": git_state(),
                    "inicio": started.isoformat(timespec="seconds"),
                    "fin": finished.isoformat(timespec="seconds"),
                    "cuadernos": [{"nombre": nb.stem, "titulo": notebook_title(nb)} for nb in self.notebooks],
                    "semaforos": counts,
                    "indicadores": {r.clave: r.semaforo for r in evaluation.results},
                    "avisos": avisos,
                    "informacion": info,
                    "demo": is_demo_data(self.data_dir),
                    "revisiones_anteriores": earlier,
                }
                archive.write_atomic(staged / archive.MANIFEST, archive.manifest_bytes(manifest))
                self.log("[4/4] Archivando la revisión y actualizando los índices…")
                archive.swap_into_place(staged, target)
            from .site import rebuild_site

            rebuild_site(self.reports_dir)
        return RunOutcome(period, target, False, revision, counts, avisos, info, time.perf_counter() - clock, outcomes)

    def _build(self, period: Period, staged: Path, started: datetime) -> list[NotebookOutcome]:
        demo = is_demo_data(self.data_dir)
        sources = ", ".join(p.name for p in year_files(self.data_dir, period.year))
        footer = {
            "fuente": f"{self.data_dir.name}/{period.year}: {sources}",
            "generado": datetime_es(started),
            "demo": "1" if demo else "",
        }
        header = f"{self.params.mir.programa} — {self.params.mir.institucion} — {period_es(period.year, period.quarter)}"
        jobs = [
            NotebookJob(
                source=nb,
                executed=staged / archive.NOTEBOOKS_SUBDIR / nb.name,
                html=staged / f"{nb.stem}.html",
                pdf=staged / f"{nb.stem}.pdf",
                parameters={"year": period.year, "period": period.label, "data_dir": str(self.data_dir)},
                title=f"{notebook_title(nb)} — {period_es(period.year, period.quarter)}",
                header=header,
                footer=footer,
                timeout=self.timeout,
                cwd=nb.parent,
                log=staged.parent / f"{nb.stem}.log",
            )
            for nb in self.notebooks
        ]
        workers = _workers(self.jobs, len(jobs))
        self.log(f"[2/4] Ejecutando y representando {len(jobs)} cuaderno(s) en {workers} proceso(s)…")
        return run_notebooks(jobs, workers, self.log)

    def _write_tables(self, workbook, validation, staged: Path, started: datetime) -> None:
        from .table import write_csv
        from .validation import render_validation_html

        self.log("[3/4] Escribiendo indicadores.csv y validacion.html…")
        write_csv(workbook.evaluation, staged / "indicadores.csv")
        html = render_validation_html(validation, datetime_es(started), demo=is_demo_data(self.data_dir))
        (staged / "validacion.html").write_text(html, encoding="utf-8")


def periods_with_data(data_dir: Path) -> list[Period]:
    """Every period that has data: each quarter of each year folder up to its last dated record."""
    from .records import load_year

    out = []
    for folder in sorted(p for p in Path(data_dir).iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name)):
        year = int(folder.name)
        try:
            data = load_year(Path(data_dir), year)
        except DataError:
            out.extend(Period(year, q) for q in (1, 2, 3, 4))  # validation will explain the problem
            continue
        last = max((r.fecha for r in data.registros if r.fecha.year == year), default=None)
        quarters = (last.month - 1) // 3 + 1 if last else 0
        out.extend(Period(year, q) for q in range(1, quarters + 1))
    return out


def summary(outcome: RunOutcome) -> str:
    """The closing screen of a run (Spanish)."""
    counts = outcome.counts
    lines = [
        "",
        f"Reporte de {outcome.period}: {outcome.folder / 'index.html'}",
        f"  Revisión {outcome.revision}" + (" (sin cambios)" if outcome.unchanged else " (nueva)")
        + f" · {outcome.seconds:.1f} s",
        f"  Semáforo: {counts['verde']} verde · {counts['amarillo']} amarillo · {counts['rojo']} rojo · "
        f"{counts['no_aplica']} no aplica",
    ]
    if outcome.avisos:
        lines.append(f"  Advertencias ({len(outcome.avisos)}):")
        lines.extend(f"    - {a}" for a in outcome.avisos)
    else:
        lines.append("  Sin advertencias.")
    lines.extend(f"  Información: {i}" for i in outcome.informacion)
    return "\n".join(lines)
