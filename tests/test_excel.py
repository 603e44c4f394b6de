"""The Excel sheet reader on real ``.xlsx`` files, written by openpyxl and saved by LibreOffice.

Each defect must come back as one Spanish line naming the file, the cell (``registros!D7``)
or the sheet, and the value; nothing is silently dropped.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.styles import Font

from mirbook.excel import TableShape, cell_name, find_sheet, read_sheet

SHAPE = TableShape(
    required=("folio", "indicador", "unidad_responsable", "fecha", "titulo", "medio_verificacion"),
    optional=("tipo", "flujo"),
    dates=frozenset({"fecha"}),
    integers=frozenset(),
    claves={"indicador": ("FIN", "A1.1", "A2.2"), "unidad_responsable": ("CEM", "DPPIM")},
)
PLAN = TableShape(("indicador", "unidad_responsable", "trimestre", "programado"),
                  integers=frozenset({"trimestre", "programado"}), claves={"indicador": ("A2.2", "C2")})
HEADER = list(SHAPE.required) + ["tipo", "flujo"]


def _row(n: int, **changes) -> list:
    row = {"folio": f"F-{n:03d}", "indicador": "A2.2", "unidad_responsable": "CEM", "fecha": date(2026, 1, n),
           "titulo": f"Producto {n}", "medio_verificacion": f"Oficio {n}", "tipo": None, "flujo": None}
    row.update(changes)
    return [row[c] for c in HEADER]


def _book(path: Path, rows: list[list], sheet: str = "registros", header: list | None = None, before=None):
    book = Workbook()
    book.active.title = "Instrucciones"
    book.active["A1"] = "Llene la hoja registros"
    ws = book.create_sheet(sheet)
    for extra in before or []:
        ws.append(extra)
    ws.append(header or HEADER)
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def test_date_cells_iso_text_and_instructions_sheet_first(tmp_path):
    path = _book(tmp_path / "CEM.xlsx", [_row(1), _row(2, fecha="2026-01-02"), _row(3, fecha=datetime(2026, 1, 3)),
                                          _row(4, fecha="2026-01-04 00:00:00")])
    result = read_sheet(path, "registros", SHAPE)
    assert result.ok, result.errors
    assert [(n, r["fecha"]) for n, r in result.rows] == [(2, "2026-01-01"), (3, "2026-01-02"), (4, "2026-01-03"),
                                                         (5, "2026-01-04")]
    assert result.columns == tuple(HEADER) and result.warnings == ()
    assert result.rows[0][1]["tipo"] == "" and result.sheet == "registros"


def test_date_with_time_names_the_cell(tmp_path):
    path = _book(tmp_path / "CEM.xlsx", [_row(1), _row(2), _row(3), _row(4), _row(5), _row(6, fecha=datetime(2026, 3, 5, 10, 30))])
    result = read_sheet(path, "registros", SHAPE)
    assert result.errors == (
        "CEM.xlsx, celda registros!D7 (columna «fecha»): valor «2026-03-05 10:30:00» — la fecha lleva hora; "
        "escriba solo la fecha (AAAA-MM-DD)",
    )


@pytest.mark.parametrize("value, needle", [
    ("05/03/2026", "valor «05/03/2026» — se espera una fecha que exista"),
    ("2026-02-30", "valor «2026-02-30» — se espera una fecha que exista"),
    (46086, "valor «46086» — se espera una fecha: la celda tiene un número"),
])
def test_bad_dates_name_the_cell(tmp_path, value, needle):
    path = _book(tmp_path / "CEM.xlsx", [_row(1, fecha=value)])
    (error,) = read_sheet(path, "registros", SHAPE).errors
    assert error.startswith("CEM.xlsx, celda registros!D2 (columna «fecha»): ") and needle in error


def test_whole_floats_are_integers_and_fractions_are_refused(tmp_path):
    book = Workbook()
    ws = book.active
    ws.title = "programacion"
    ws.append(list(PLAN.required))
    ws.append(["A2.2", "CEM", 1.0, 2.0])
    ws.append(["A2.2", "CEM", 2, " 3 "])
    ws.append(["C2", "CEM", 2, 2.5])
    ws.append(["C2", "CEM", "4.0", "dos"])
    book.save(tmp_path / "CEM.xlsx")
    result = read_sheet(tmp_path / "CEM.xlsx", "programacion", PLAN)
    assert [r for _, r in result.rows][:2] == [
        {"indicador": "A2.2", "unidad_responsable": "CEM", "trimestre": "1", "programado": "2"},
        {"indicador": "A2.2", "unidad_responsable": "CEM", "trimestre": "2", "programado": "3"},
    ]
    assert result.errors == (
        "CEM.xlsx, celda programacion!D4 (columna «programado»): valor «2.5» — se espera un número entero (sin decimales)",
        "CEM.xlsx, celda programacion!D5 (columna «programado»): valor «dos» — se espera un número entero (sin decimales)",
    )
    assert result.rows[3][1]["trimestre"] == "4"


def test_trailing_empty_rows_and_columns_are_ignored_even_when_formatted(tmp_path):
    path = _book(tmp_path / "CEM.xlsx", [_row(1), _row(2)])
    from openpyxl import load_workbook

    book = load_workbook(path)
    ws = book["registros"]
    for row in range(4, 3000):  # Excel's formatted tail: styled cells, no values
        ws.cell(row, 1).font = Font(bold=True)
        ws.cell(row, 12).number_format = "yyyy-mm-dd"
    ws.cell(5, 3, "   ")  # a blank that is only spaces
    book.save(path)
    result = read_sheet(path, "registros", SHAPE)
    assert result.ok, result.errors
    assert [n for n, _ in result.rows] == [2, 3]


def test_spaces_and_case_of_claves_are_fixed_with_a_warning_naming_the_cells(tmp_path):
    path = _book(tmp_path / "CEM.xlsx", [_row(1, indicador="a2.2 ", titulo=" Producto "), _row(2, unidad_responsable="cem")],
                 header=[" folio", *HEADER[1:]])
    result = read_sheet(path, "registros", SHAPE)
    assert result.ok, result.errors
    first, second = (r for _, r in result.rows)
    assert (first["indicador"], first["titulo"], second["unidad_responsable"]) == ("A2.2", "Producto", "CEM")
    assert result.warnings == (
        "CEM.xlsx, celda registros!A1: el encabezado « folio» se leyó como «folio»",
        "CEM.xlsx, hoja «registros», columna «indicador»: se quitaron espacios al inicio o al final en registros!B2",
        "CEM.xlsx, hoja «registros», columna «titulo»: se quitaron espacios al inicio o al final en registros!E2",
        "CEM.xlsx, hoja «registros», columna «indicador»: se corrigieron mayúsculas o minúsculas de claves en "
        "registros!B2 «a2.2» → «A2.2»",
        "CEM.xlsx, hoja «registros», columna «unidad_responsable»: se corrigieron mayúsculas o minúsculas de claves "
        "en registros!C3 «cem» → «CEM»",
    )


def test_header_not_on_row_one_says_where_it_is(tmp_path):
    path = _book(tmp_path / "CEM.xlsx", [_row(1)], before=[["Registros del trimestre"], []])
    (error,) = read_sheet(path, "registros", SHAPE).errors
    assert error == (
        "CEM.xlsx, hoja «registros», fila 1: los encabezados deben estar en la fila 1 pero están en la fila 3; "
        "en la fila 1 se encontró «Registros del trimestre». Borre las filas de arriba del encabezado."
    )


def test_missing_columns_and_data_without_header(tmp_path):
    path = _book(tmp_path / "CEM.xlsx", [_row(1)], header=HEADER[:3] + ["Fecha de entrega"] + HEADER[4:])
    (error,) = read_sheet(path, "registros", SHAPE).errors
    assert "fila 1 (encabezados)" in error and "faltan fecha" in error and "«Fecha de entrega»" in error
    path = _book(tmp_path / "DPPIM.xlsx", [_row(1) + [None, "nota suelta"]])
    (error,) = read_sheet(path, "registros", SHAPE).errors
    assert error == ("DPPIM.xlsx, hoja «registros»: hay datos en columnas sin encabezado (registros!J2); "
                     "póngales el encabezado que les corresponde o bórrelos.")


def test_merged_cells_hidden_rows_and_columns(tmp_path):
    path = _book(tmp_path / "CEM.xlsx", [_row(1), _row(2), _row(3)])
    from openpyxl import load_workbook

    book = load_workbook(path)
    ws = book["registros"]
    ws.merge_cells("E3:F3")
    ws.row_dimensions[4].hidden = True
    ws.column_dimensions["H"].hidden = True
    book.save(path)
    errors = read_sheet(path, "registros", SHAPE).errors
    assert any(e.startswith("CEM.xlsx, hoja «registros»: tiene celdas combinadas (E3:F3)") for e in errors), errors
    assert any(e.startswith("CEM.xlsx, hoja «registros»: tiene filas ocultas (4)") for e in errors), errors
    assert any(e.startswith("CEM.xlsx, hoja «registros»: tiene columnas ocultas (H)") for e in errors), errors


def test_formula_without_cached_value_names_the_cell(tmp_path):
    path = _book(tmp_path / "CEM.xlsx", [_row(1, folio='="F-"&TEXT(1,"000")')])
    (error,) = read_sheet(path, "registros", SHAPE).errors
    assert error.startswith('CEM.xlsx, celda registros!A2: la fórmula «="F-"&TEXT(1,"000")» no tiene un valor')


def _soffice_xlsx(source: Path, outdir: Path, profile: Path) -> Path:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    assert exe, "LibreOffice (soffice) is installed by .ci/run"
    result = subprocess.run([exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
                             "xlsx:Calc MS Excel 2007 XML", "--outdir", str(outdir), str(source)],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    return outdir / source.name


def test_libreoffice_saved_formulas_use_their_cached_values_and_errors_are_named(tmp_path):
    source = _book(tmp_path / "CEM.xlsx", [_row(1, folio='="F-"&TEXT(7,"000")', fecha="=DATE(2026,2,3)"),
                                           _row(2, titulo="=1/0")])
    from openpyxl import load_workbook

    book = load_workbook(source)
    book["registros"]["D2"].number_format = "dd/mm/yyyy"  # a date formula shows as a date only when formatted
    book.save(source)
    saved = _soffice_xlsx(source, tmp_path / "lo", tmp_path / "profile")
    with zipfile.ZipFile(saved) as archive:  # LibreOffice wrote the formulas with their values
        sheet_xml = archive.read("xl/worksheets/sheet2.xml").decode()
    assert "<f" in sheet_xml and re.search(r"<f[^>]*>[^<]*DATE", sheet_xml)
    result = read_sheet(saved, "registros", SHAPE)
    assert result.rows[0][1]["folio"] == "F-007"
    assert result.rows[0][1]["fecha"] == "2026-02-03"
    assert result.errors == (
        "CEM.xlsx, celda registros!E3: la celda tiene el error «#DIV/0!»; corrija la fórmula o escriba el valor.",
    )


def test_declared_dimension_is_not_trusted(tmp_path):
    path = _book(tmp_path / "CEM.xlsx", [_row(n) for n in range(1, 6)])
    patched = tmp_path / "patched.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                data, count = re.subn(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:B2"', data)
                assert count == 1
            dst.writestr(item, data)
    result = read_sheet(patched, "registros", SHAPE)
    assert result.ok and len(result.rows) == 5 and result.rows[-1][1]["medio_verificacion"] == "Oficio 5"


def test_bounds_refuse_huge_sheets_with_a_spanish_line(tmp_path):
    path = _book(tmp_path / "CEM.xlsx", [_row(n) for n in range(1, 21)])
    (error,) = read_sheet(path, "registros", SHAPE, max_rows=10).errors
    assert error == "CEM.xlsx, hoja «registros»: la hoja tiene más de 10 filas (límite de lectura)."
    (error,) = read_sheet(path, "registros", SHAPE, max_columns=5).errors
    assert error.startswith("CEM.xlsx, hoja «registros»: la celda F1 tiene datos más allá de la columna E")
    (error,) = read_sheet(path, "registros", SHAPE, max_bytes=100).errors
    assert "sin comprimir, más del límite de 100" in error


def test_data_after_a_long_empty_run_is_an_error_not_dropped(tmp_path):
    path = _book(tmp_path / "CEM.xlsx", [_row(1)] + [[None] * 8] * 10 + [_row(2)])
    result = read_sheet(path, "registros", SHAPE, empty_run=5)
    assert result.errors == (
        "CEM.xlsx, hoja «registros»: hay datos en la fila 13, después de 5 filas vacías seguidas (desde la fila 3); "
        "borre las filas vacías o mueva esos datos.",
    )
    assert read_sheet(path, "registros", SHAPE).ok  # under the default bound, the gap is just skipped


def test_missing_sheet_and_not_a_workbook(tmp_path):
    path = _book(tmp_path / "CEM.xlsx", [_row(1)], sheet="Registros ")
    (error,) = read_sheet(path, "registros", SHAPE).errors
    assert error == "CEM.xlsx: no tiene la hoja «registros»; sus hojas son «Instrucciones», «Registros »."
    assert find_sheet(path, "registros") == ("Registros ", ["Instrucciones", "Registros "])
    bogus = tmp_path / "DRII.xlsx"
    bogus.write_text("folio,indicador\n", encoding="utf-8")
    (error,) = read_sheet(bogus, "registros", SHAPE).errors
    assert error.startswith("DRII.xlsx: no se puede leer como libro de Excel (.xlsx)")


def test_cell_names_quote_sheets_like_excel():
    assert cell_name("registros", 7, 4) == "registros!D7"
    assert cell_name("Hoja 1", 2, 28) == "'Hoja 1'!AB2"
