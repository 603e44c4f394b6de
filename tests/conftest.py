"""Shared test helpers: build real input folders (CSV in any encoding, or xlsx) in tmp dirs."""

from __future__ import annotations

import csv
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
