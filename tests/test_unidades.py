"""The units' own workbooks in (issue 12): as a person fills them in Excel, with their defects.

The workbooks here are written with openpyxl the way a person in Excel leaves them — an
instructions sheet first, the tables in any order, date cells, integers stored as floats,
trailing formatted empty rows, stray spaces, claves in the wrong case, ``unidad_responsable``
left out or filled in — and NOT with ``mirbook plantillas``, so the reader is checked against
files it did not write. They must give exactly the indicator table of the consolidated CSV
files they were made from; each defect must give one Spanish line naming file, sheet,
cell or row and value, a non-zero exit and an archive left as it was.
"""

from __future__ import annotations

import csv
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Callable

import pytest
from conftest import DEMO
from openpyxl import Workbook, load_workbook
from test_validation import fake_archive, run_in_process, snapshot

from mirbook.model import Period
from mirbook.sources import YearInputs
from mirbook.table import to_csv
from mirbook.workbook import open_workbook

YEAR = 2026
SOURCE = DEMO / str(YEAR)


def _rows(name: str) -> list[dict[str, str]]:
    with (SOURCE / f"{name}.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _as_person(column: str, text: str, index: int) -> object:
    """A cell as Excel leaves it: dates as date cells, numbers as floats, some stray spaces and case."""
    if column == "fecha":
        return date.fromisoformat(text)
    if column in ("trimestre", "programado"):
        return float(text)
    if column == "indicador" and index % 3 == 0:
        return f" {text.lower()} "
    if column == "titulo" and index % 2 == 0:
        return text + "  "
    return text or None


def write_person_workbooks(folder: Path) -> list[str]:
    """``folder/unidades/<CLAVE>.xlsx`` for every unit of the consolidated files; justificaciones stay year-level."""
    units = folder / "unidades"
    units.mkdir(parents=True)
    shutil.copy(SOURCE / "justificaciones.csv", folder / "justificaciones.csv")
    tables = {"registros": _rows("registros"), "programacion": _rows("programacion")}
    claves = sorted({row["unidad_responsable"] for rows in tables.values() for row in rows})
    for number, clave in enumerate(claves):
        book = Workbook()
        notes = book.active
        notes.title = "Instrucciones"
        notes["A1"] = f"Captura de la unidad {clave}"
        notes["A3"] = "Llene una fila por producto; no cambie los encabezados."
        for name in ("registros", "programacion"):  # not the contract's order
            sheet = book.create_sheet(name)
            columns = [c for c in tables[name][0] if c != "unidad_responsable" or number % 2]
            sheet.append(columns)
            for index, row in enumerate(r for r in tables[name] if r["unidad_responsable"] == clave):
                values = [_as_person(c, row[c], index) for c in columns]
                if "unidad_responsable" in columns and index % 2:
                    values[columns.index("unidad_responsable")] = clave.lower() + " "
                sheet.append(values)
            last = sheet.max_row
            for extra in range(last + 1, last + 40):  # formatted, empty tail
                sheet.cell(row=extra, column=columns.index(columns[-1]) + 1).number_format = "yyyy-mm-dd"
            sheet.cell(row=last + 3, column=2, value="   ")
        book.save(units / f"{clave}.xlsx")
    return claves


@pytest.fixture(scope="module")
def person_data(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("unidades") / "data"
    write_person_workbooks(data / str(YEAR))
    shutil.copy(DEMO / "DEMO", data / "DEMO")
    return data


@pytest.mark.parametrize("label", ["T1", "T3", "T4"])
def test_person_workbooks_give_exactly_the_consolidated_indicator_table(person_data: Path, label: str):
    expected = to_csv(open_workbook(YEAR, label, DEMO).evaluation)
    got = to_csv(open_workbook(YEAR, label, person_data).evaluation)
    assert got == expected


def test_person_workbooks_keep_each_rows_origin_and_pass_validation(person_data: Path, capsys):
    inputs = YearInputs.read(person_data, YEAR)
    registros = inputs.raw_tables()["registros"]
    places = {place for place, _ in registros.origins.values()}
    assert "unidades/DRII.xlsx, hoja «registros»" in places
    assert len(registros.rows) == len(_rows("registros"))
    data = open_workbook(YEAR, "T3", person_data).data
    first = data.registros[0]
    assert first.origen.startswith("unidades/") and first.origen.endswith(f"fila {first.fila}")
    code, out, err = run_in_process(capsys, "validar", "--year", str(YEAR), "--period", "T3",
                                    "--data-dir", str(person_data))
    assert code == 0, err
    assert "se corrigieron mayúsculas o minúsculas de claves" in out + err
    assert "se quitaron espacios" in out + err


# --- defects ------------------------------------------------------------------------------------

Mutate = Callable[[Path], None]


def _edit(clave: str, sheet: str, change: Callable) -> Mutate:
    def mutate(units: Path) -> None:
        path = units / f"{clave}.xlsx"
        book = load_workbook(path)
        change(book[sheet])
        book.save(path)

    return mutate


def _column(sheet, name: str) -> int:
    return next(c.column for c in sheet[1] if c.value == name)


def _set(column: str, row: int, value: object) -> Callable:
    return lambda sheet: sheet.cell(row=row, column=_column(sheet, column), value=value)


def _repeat_folio(units: Path) -> None:
    other = load_workbook(units / "CEM.xlsx")["registros"]
    folio = other.cell(row=2, column=_column(other, "folio")).value
    _edit("DRII", "registros", _set("folio", 3, folio))(units)


def _header_below_title(sheet) -> None:
    sheet.insert_rows(1, 2)
    sheet["A1"] = "Registros de la unidad"


def _another_units_row(units: Path) -> None:
    book = load_workbook(units / "DRII.xlsx")
    sheet = book["registros"]
    if "unidad_responsable" not in [c.value for c in sheet[1]]:
        sheet.cell(row=1, column=sheet.max_column + 1, value="unidad_responsable")
    sheet.cell(row=2, column=_column(sheet, "unidad_responsable"), value="CEM")
    book.save(units / "DRII.xlsx")



DEFECTS: dict[str, tuple[Mutate, tuple[str, ...]]] = {
    "another_units_row": (_another_units_row, ("unidades/DRII.xlsx, hoja «registros», fila 2", "«CEM»", "«DRII»")),
    "repeated_folio_across_files": (_repeat_folio, ("unidades/CEM.xlsx, hoja «registros»",
                                                    "unidades/DRII.xlsx, hoja «registros»", "fila 3", "folio")),
    "merged_cells": (_edit("DRII", "registros", lambda s: s.merge_cells("E2:F2")),
                     ("DRII.xlsx", "hoja «registros»", "E2:F2", "combinadas")),
    "hidden_rows": (_edit("DRII", "registros", lambda s: setattr(s.row_dimensions[3], "hidden", True)),
                    ("DRII.xlsx", "hoja «registros»", "filas ocultas (3)")),
    "header_not_on_row_1": (_edit("DRII", "programacion", _header_below_title),
                            ("DRII.xlsx", "hoja «programacion»", "fila 1", "fila 3", "«Registros de la unidad»")),
    "formula_without_cached_value": (_edit("DRII", "programacion", _set("programado", 2, "=1+1")),
                                     ("DRII.xlsx", "celda programacion!", "«=1+1»")),
    "date_with_time": (_edit("DRII", "registros", _set("fecha", 2, datetime(2026, 2, 3, 10, 30))),
                       ("DRII.xlsx", "celda registros!", "2026-02-03 10:30:00", "hora")),
    "non_whole_integer": (_edit("DRII", "programacion", _set("programado", 2, 2.5)),
                          ("DRII.xlsx", "celda programacion!", "«2.5»", "entero")),
}


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_each_defect_is_one_clear_line_and_leaves_the_archive_untouched(name: str, person_data: Path,
                                                                        tmp_path: Path, capsys):
    mutate, expect = DEFECTS[name]
    data = tmp_path / "data"
    shutil.copytree(person_data, data)
    mutate(data / str(YEAR) / "unidades")
    reports = fake_archive(tmp_path / "reports")
    before = snapshot(reports)
    code, out, err = run_in_process(capsys, "generar", "--year", str(YEAR), "--period", "T3",
                                    "--data-dir", str(data), "--reports-dir", str(reports))
    assert code != 0
    assert snapshot(reports) == before
    problems = [line for line in err.splitlines() if line.strip().startswith("- ")]
    matching = [line for line in problems if all(text in line for text in expect)]
    assert len(matching) == 1, f"{name}: se esperaba una línea con {expect} en:\n{err}"
    assert "Traceback" not in err


def test_required_tables_may_come_from_the_units_alone(person_data: Path):
    inputs = YearInputs.read(person_data, YEAR)
    assert inputs.get("registros").path is None and inputs.provided("registros")
    assert set(inputs.raw_tables()) == {"programacion", "registros", "justificaciones"}


def test_unit_files_are_inputs_with_their_sha256(person_data: Path):
    from mirbook.provenance import input_files
    from mirbook.workbook import load_params

    files = input_files(person_data, Period(YEAR, 3), load_params(), [])
    assert "datos/2026/unidades/DRII.xlsx" in files
    assert YearInputs.read(person_data, YEAR).sha256[files["datos/2026/unidades/DRII.xlsx"]]


# --- the archive, the capture status and the default period ------------------------------------------


@pytest.fixture(scope="module")
def archived(person_data: Path, tmp_path_factory) -> tuple[Path, str]:
    """One full ``generar`` of the person-written workbooks, without --year/--period."""
    from conftest import run_cli

    reports = tmp_path_factory.mktemp("reports")
    result = run_cli("generar", "--data-dir", str(person_data), "--reports-dir", str(reports))
    assert result.returncode == 0, result.stdout + result.stderr
    return reports, result.stderr


def test_generar_without_period_reports_the_latest_quarter_with_registros_and_says_so(archived):
    reports, stderr = archived
    assert "Periodo elegido: 2026 T3" in stderr
    assert (reports / "2026" / "T3" / "manifest.json").is_file()


def test_the_archive_keeps_each_records_origin_and_the_capture_page(archived, person_data: Path):
    import hashlib
    import json

    reports, _ = archived
    folder = reports / "2026" / "T3"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    unit_file = person_data / "2026" / "unidades" / "DRII.xlsx"
    assert manifest["entradas"]["datos/2026/unidades/DRII.xlsx"] == hashlib.sha256(unit_file.read_bytes()).hexdigest()
    assert {"captura.html", "registros_periodo.csv"} <= set(manifest["salidas"])
    with (folder / "registros_periodo.csv").open(encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    assert records and all(r["origen"].startswith("unidades/") for r in records)
    assert all(r["fecha"] <= "2026-09-30" for r in records)
    drii = next(r for r in records if r["unidad_responsable"] == "DRII")
    assert drii["origen"].startswith("unidades/DRII.xlsx, hoja «registros», fila ")
    page = (folder / "captura.html").read_text(encoding="utf-8")
    assert "unidades/DRII.xlsx" in page and "<script" not in page
    assert 'href="captura.html"' in (folder / "index.html").read_text(encoding="utf-8")
    html = "".join(p.read_text(encoding="utf-8") for p in folder.glob("*.html"))
    assert "Origen" in html and drii["origen"] in html


def test_captura_prints_each_unit_and_warns_of_a_missing_one(person_data: Path, tmp_path: Path, capsys):
    data = tmp_path / "data"
    shutil.copytree(person_data, data)
    (data / str(YEAR) / "unidades" / "CPM.xlsx").unlink()
    code, out, err = run_in_process(capsys, "captura", "--year", str(YEAR), "--period", "T3",
                                    "--data-dir", str(data), "--out", str(tmp_path / "captura.html"))
    assert code == 0, err
    assert "DRII — " in out and "archivo unidades/DRII.xlsx, modificado " in out
    assert "La unidad CPM no entregó archivo propio" in out
    drii = out.split("DRII — ")[1].split("\n\n")[0]
    assert "Filas: programacion 11, registros 14" in drii
    assert "A1.3: 6 registro(s) en el trimestre; programado 4" in drii
    assert "unidades/DRII.xlsx" in (tmp_path / "captura.html").read_text(encoding="utf-8")


def test_captura_fails_on_a_unreadable_unit_file(person_data: Path, tmp_path: Path, capsys):
    data = tmp_path / "data"
    shutil.copytree(person_data, data)
    (data / str(YEAR) / "unidades" / "CPM.xlsx").write_bytes(b"no es un libro")
    code, out, _ = run_in_process(capsys, "captura", "--year", str(YEAR), "--period", "T3", "--data-dir", str(data))
    assert code == 1
    assert "Error: unidades/CPM.xlsx" in out


def test_the_demo_year_of_unit_workbooks_equals_the_year_it_was_made_from():
    """data/2024 (tools/make_unit_workbooks.py: 2025 moved to 2024, given Excel habits) gives 2025's table."""
    for label in ("T2", "T4"):
        older = to_csv(open_workbook(2024, label, DEMO).evaluation).replace("\n2024,", "\n2025,")
        assert older == to_csv(open_workbook(2025, label, DEMO).evaluation)
    assert YearInputs.read(DEMO, 2024).units and not (DEMO / "2024" / "registros.csv").exists()


def test_the_validation_page_counts_rows_read_per_file_and_sheet(archived):
    reports, _ = archived
    page = (reports / "2026" / "T3" / "validacion.html").read_text(encoding="utf-8")
    drii = len([r for r in _rows("registros") if r["unidad_responsable"] == "DRII"])
    assert f'<td class="largo">unidades/DRII.xlsx, hoja «registros»</td><td>libro de Excel (.xlsx)</td><td class="num">{drii}</td>' in page


def test_a_year_level_workbook_names_the_sheet_read_and_where_the_header_was_expected(tmp_path: Path, capsys):
    """Issue 15 item 7: a title above the header, in a first sheet that is not named after its table."""
    data = tmp_path / "data"
    folder = data / str(YEAR)
    folder.mkdir(parents=True)
    for name in ("programacion", "justificaciones"):
        shutil.copy(SOURCE / f"{name}.csv", folder / f"{name}.csv")
    book = Workbook()
    sheet = book.active
    sheet.title = "Hoja1"
    sheet["B1"] = "Productos entregados 2026"
    rows = _rows("registros")
    sheet.append([])
    sheet.append([None, *rows[0].keys()])
    for row in rows:
        sheet.append([None, *row.values()])
    book.save(folder / "registros.xlsx")
    code, _, err = run_in_process(capsys, "validar", "--year", str(YEAR), "--period", "T3", "--data-dir", str(data))
    assert code == 1
    errors = [line for line in err.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, err
    assert "registros.xlsx, hoja «Hoja1», fila 1" in errors[0] and "fila 3" in errors[0]
    assert "«Productos entregados 2026»" in errors[0]
