"""Shared test helpers: build real input folders (CSV in any encoding, or xlsx) in tmp dirs."""

from __future__ import annotations

import csv
import functools
import io
import os
import shutil
import sys
from pathlib import Path

import pytest

from mirbook.contract import TABLES

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data"

#: The full header of each table, in the contract's order (:mod:`mirbook.contract`).
HEADERS = {name: list(spec.column_names) for name, spec in TABLES.items()}


#: The institutional parameters the tests' hand-computed expectations assume. They are the
#: tests' own, not ``params/mir.yaml``'s: the evaluation area may change its metas,
#: thresholds and frequencies without breaking ``make test`` (see :func:`pinned_params_dir`).
PINNED_DEFAULTS = {
    "frecuencia": "trimestral", "tipo": "Gestión", "dimension": "Eficacia", "unidad_medida": "Porcentaje",
    "sentido": "ascendente", "meta_pct": 100, "metas_pct_por_anio": {}, "umbral_verde": 10, "umbral_rojo": 20,
}
PINNED_FRECUENCIAS = {"trimestral": [1, 2, 3, 4], "semestral": [2, 4], "anual": [4]}
PINNED_OVERRIDES = {
    "FIN": {"frecuencia": "anual", "tipo": "Estratégico"},
    "PROP": {"frecuencia": "anual", "tipo": "Estratégico"},
    "C1": {"frecuencia": "semestral"},
    "C2": {"frecuencia": "semestral"},
}


def pinned_params_dir(target: Path) -> Path:
    """A copy of ``params/`` in ``target`` with the tests' institutional parameters.

    Texts, claves, units and who reports what are the project's own; only the values the
    evaluation area may edit are replaced by :data:`PINNED_DEFAULTS` and friends.
    """
    import yaml

    target.mkdir(parents=True, exist_ok=True)
    mir = yaml.safe_load((ROOT / "params" / "mir.yaml").read_text(encoding="utf-8"))
    mir["frecuencias"] = PINNED_FRECUENCIAS
    mir["parametros_institucionales"] = PINNED_DEFAULTS
    for indicator in mir["indicadores"]:
        indicator["parametros_institucionales"] = PINNED_OVERRIDES.get(indicator["clave"], {})
    (target / "mir.yaml").write_text(yaml.safe_dump(mir, allow_unicode=True, sort_keys=False), encoding="utf-8")
    shutil.copy(ROOT / "params" / "organizacion.yaml", target / "organizacion.yaml")
    return target


@functools.cache
def load_pinned_params():
    """The project's params loaded with the tests' institutional parameters (one temporary copy)."""
    import atexit
    import tempfile

    from mirbook.workbook import load_params

    folder = Path(tempfile.mkdtemp(prefix="mirbook-pinned-params-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return load_params(pinned_params_dir(folder / "params"))


def pinned_root(target: Path) -> Path:
    """A project root (for ``MIRBOOK_ROOT``) whose ``params/`` are the pinned ones."""
    pinned_params_dir(target / "params")
    return target


def csv_text(name: str, rows: list[list], header: list[str] | None = None) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header or HEADERS[name])
    writer.writerows(rows)
    return buffer.getvalue()


def write_table(folder: Path, name: str, rows: list[list], fmt: str = "utf-8", header: list[str] | None = None) -> Path:
    """Write one table as CSV in ``fmt`` encoding (utf-8, utf-8-sig, cp1252, latin-1) or as ``xlsx``."""
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.append(header or HEADERS[name])
        for row in rows:
            sheet.append(row)
        path = folder / f"{name}.xlsx"
        workbook.save(path)
        return path
    path = folder / f"{name}.csv"
    path.write_bytes(csv_text(name, rows, header).encode(fmt))
    return path


def make_year(data_dir: Path, year: int, programacion=(), registros=(), justificaciones=None, fmts=None) -> Path:
    """A whole year folder; ``fmts`` maps table name to its format."""
    fmts = fmts or {}
    folder = data_dir / str(year)
    write_table(folder, "programacion", list(programacion), fmts.get("programacion", "utf-8"))
    write_table(folder, "registros", list(registros), fmts.get("registros", "utf-8"))
    if justificaciones is not None:
        write_table(folder, "justificaciones", list(justificaciones), fmts.get("justificaciones", "utf-8"))
    return folder


def registros(indicador: str, unidad: str, fechas: list[str], prefix: str | None = None, **extra) -> list[list]:
    """Records of one indicator, one per date, with unique folios."""
    prefix = prefix or f"{indicador}-{unidad}"
    rows = []
    for n, fecha in enumerate(fechas, start=1):
        flujo = extra.get("flujo", "inmigración" if indicador == "FIN" else "")
        rows.append([f"{prefix}-{n:03d}", indicador, unidad, fecha, f"Producto {n} de {indicador}",
                     f"Oficio UPM/{unidad}/{n:04d}", extra.get("tipo", ""), flujo])
    return rows


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    """A private copy of the demo data."""
    target = tmp_path / "data"
    shutil.copytree(DEMO, target)
    return target


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None):
    """Run the installed ``mirbook`` console script as a user would."""
    import subprocess

    exe = Path(sys.executable).with_name("mirbook")
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=cwd or ROOT, env=full_env)
