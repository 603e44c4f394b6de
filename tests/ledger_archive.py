"""A small real archive with a ledger, built through the command line, for test_ledger and test_verify.

A project root of its own (``MIRBOOK_ROOT``): the tests' pinned params and one tiny report
notebook (so a run takes seconds, not minutes), the demo data copied. The base archive —
2026 T2 (revision 1) and 2026 T3 (revisions 1 and 2, after a record is added) — is built once
per session; each test works on its own copy.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat

from conftest import DEMO, pinned_root, run_cli

EXTRA_RECORD = "UPM-2026-9999,A2.1,CEM,2026-09-29,Nota técnica adicional,Oficio UPM/CEM/9999/2026,nota técnica,\n"


@dataclass(frozen=True)
class Project:
    """Where a test runs mirbook: its root, data and reports folders."""

    root: Path
    data: Path
    reports: Path

    @property
    def env(self) -> dict[str, str]:
        return {"MIRBOOK_ROOT": str(self.root)}

    def run(self, period: str = "T3", year: str = "2026", env: dict[str, str] | None = None, reports: Path | None = None):
        return run_cli("generar", "--year", year, "--period", period, "--data-dir", str(self.data),
                       "--reports-dir", str(reports or self.reports), "--jobs", "1", env={**self.env, **(env or {})})

    def verify(self, *extra: str, reports: Path | None = None):
        return run_cli("verificar", "--reports-dir", str(reports or self.reports), *extra, env=self.env)

    def repair(self):
        return run_cli("reparar", "--reports-dir", str(self.reports), env=self.env)

    def add_record(self, folio: str = "UPM-2026-9999") -> None:
        with open(self.data / "2026" / "registros.csv", "a", encoding="utf-8") as handle:
            handle.write(EXTRA_RECORD.replace("UPM-2026-9999", folio).replace("9999/", folio[-4:] + "/"))


def tiny_notebook(path: Path) -> Path:
    """A report notebook with a title, the parameters cell and one line of output."""
    notebook = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell('year = 2026\nperiod = "T3"\ndata_dir = None')
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [nbformat.v4.new_markdown_cell("# Resumen mínimo"), parameters,
                      nbformat.v4.new_code_cell("print(year, period)")]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def new_project(folder: Path) -> Project:
    """A fresh project (root, a copy of the demo data) with no archive yet."""
    root = pinned_root(folder / "root")
    tiny_notebook(root / "notebooks" / "00_mini.ipynb")
    data = folder / "data"
    shutil.copytree(DEMO, data)
    return Project(root, data, folder / "reports")


_BASE: dict[Path, Project] = {}


def base_archive(tmp_path_factory) -> Project:
    """The session's base archive (see the module docstring); never modify it, copy it."""
    key = Path(tmp_path_factory.getbasetemp())
    if key not in _BASE:
        project = new_project(tmp_path_factory.mktemp("ledger-archive"))
        for period in ("T2", "T3"):
            result = project.run(period)
            assert result.returncode == 0, result.stdout + result.stderr
        project.add_record()
        result = project.run("T3")
        assert result.returncode == 0 and "Revisión 2 (nueva)" in result.stdout, result.stdout + result.stderr
        _BASE[key] = project
    return _BASE[key]


def copy_of(base: Project, folder: Path) -> Project:
    """A private copy of a project (root shared: it is read-only for the tests)."""
    shutil.copytree(base.data, folder / "data")
    shutil.copytree(base.reports, folder / "reports")
    return Project(base.root, folder / "data", folder / "reports")


def snapshot(folder: Path) -> dict[str, str]:
    """sha256 of every file below ``folder`` (and the empty folders), to prove nothing changed."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        out[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "<carpeta>"
    return out


def ledger_lines(reports: Path) -> list[dict]:
    return [json.loads(line) for line in (reports / "registro.jsonl").read_text(encoding="utf-8").splitlines()]
