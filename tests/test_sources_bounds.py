"""Hostile input files are refused or read in bounded time and memory (issue 15).

Real files: an .xlsx whose declared range is the whole sheet (A1:XFD1048576), a zip bomb, a CSV of
a million tiny rows. The sizes are measured by the child's peak memory (resource.getrusage),
never by timing.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from openpyxl import Workbook

from conftest import HEADERS
from mirbook import sources
from mirbook.errors import DataError

import pytest


def _workbook(path: Path, rows: list[list]) -> Path:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _rewrite_member(path: Path, member: str, change) -> None:
    with zipfile.ZipFile(path) as source:
        items = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in items:
            target.writestr(info.filename, change(data) if info.filename == member else data)


def _peak_child(code: str) -> tuple[int, str]:
    """Run ``code`` in a fresh Python; its peak resident memory (MB) and its output."""
    probe = code + "\nimport resource; print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    peak = int(done.stdout.rsplit("PEAK", 1)[1])
    return peak, done.stdout


def test_a_declared_range_of_the_whole_sheet_is_not_padded(tmp_path):
    path = _workbook(tmp_path / "programacion.xlsx", [HEADERS["programacion"], ["A1.1", "DPPIM", 1, 3]])
    _rewrite_member(path, "xl/worksheets/sheet1.xml",
                    lambda data: data.replace(b'<dimension ref="A1:D2"/>', b'<dimension ref="A1:XFD1048576"/>'))
    with zipfile.ZipFile(path) as book:
        assert b"A1:XFD1048576" in book.read("xl/worksheets/sheet1.xml")
    peak, out = _peak_child(
        f"from pathlib import Path; from mirbook.sources import read_xlsx\n"
        f"t = read_xlsx('programacion', Path({str(path)!r})); print(t.columns, len(t.rows))"
    )
    assert "('indicador', 'unidad_responsable', 'trimestre', 'programado') 1" in out
    assert peak < 1024  # MiB, imports included; padding the declared 1,048,576 × 16,384 cells would take far more


def test_a_zip_bomb_is_refused_with_a_message(tmp_path):
    path = _workbook(tmp_path / "registros.xlsx", [HEADERS["registros"]])
    _rewrite_member(path, "xl/worksheets/sheet1.xml",
                    lambda data: data.replace(b"<sheetData>", b"<sheetData>" + b" " * (80 * 1024 * 1024)))
    assert path.stat().st_size < 1024 * 1024
    with pytest.raises(DataError, match="sin comprimir"):
        sources.read_xlsx("registros", path)


def test_a_million_tiny_rows_are_refused_early_in_bounded_memory(tmp_path):
    path = tmp_path / "registros.csv"
    path.write_text(",".join(HEADERS["registros"]) + "\n" + "x\n" * 1_000_000, encoding="utf-8")
    peak, out = _peak_child(
        "from pathlib import Path; from mirbook.sources import read_csv; from mirbook.errors import DataError\n"
        f"try:\n    read_csv('registros', Path({str(path)!r}))\nexcept DataError as e:\n    print('REFUSED', e)"
    )
    assert "REFUSED registros.csv: el archivo tiene más de 500 000 filas de datos" in out
    assert peak < 1500
