"""``mirbook plantillas``: the capture workbooks as written, opened in LibreOffice, filled and validated.

The checks read the files the command wrote (openpyxl and LibreOffice headless), and
take every user-editable value (indicators a unit may report, tipos, flujos, names,
medios de verificación, deadlines) from ``params/``, never pinned here.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils.cell import get_column_letter, range_boundaries

from conftest import ROOT, run_cli
from mirbook.excel import read_sheet
from mirbook.plantillas import shapes_with_claves, unit_lists
from mirbook.plazos import load_plazos
from mirbook.records import load_year
from mirbook.workbook import load_params

PARAMS = load_params()
YEAR = 2026
UNITS = PARAMS.organizacion.claves
TABLES = ("programacion", "registros", "justificaciones", "ajustes")
# The contract's columns without unidad_responsable (the workbook's unit), in order.
HEADERS = {
    "programacion": ["indicador", "trimestre", "programado"],
    "registros": ["folio", "indicador", "fecha", "titulo", "medio_verificacion", "tipo", "flujo"],
    "justificaciones": ["indicador", "trimestre", "causa", "efecto", "otros_motivos"],
    "ajustes": ["indicador", "trimestre", "programado", "fecha", "justificacion"],
}
REQUIRED_TEXT = {"folio", "titulo", "medio_verificacion", "causa", "efecto", "justificacion"}


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("plantillas")
    result = run_cli("plantillas", "--year", str(YEAR), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def prefilled(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("desde_datos")
    result = run_cli("plantillas", "--year", str(YEAR), "--out", str(out), "--desde-datos",
                     "--data-dir", str(ROOT / "data"))
    assert result.returncode == 0, result.stderr
    return out


def _list_values(book, formula: str) -> list[str]:
    sheet_name, cells = formula.split("!")
    min_col, min_row, max_col, max_row = range_boundaries(cells.replace("$", ""))
    sheet = book[sheet_name.strip("'")]
    return [sheet.cell(r, min_col).value for r in range(min_row, max_row + 1)]


def _range(validation):
    (cell_range,) = validation.sqref.ranges
    return cell_range


def _validations_by_column(sheet) -> dict[str, object]:
    out = {}
    for validation in sheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            min_col, min_row, max_col, max_row = cell_range.bounds
            assert min_col == max_col, "one validation per column"
            header = sheet.cell(1, min_col).value
            assert header not in out, f"{sheet.title}: two validations on {header}"
            assert min_row == 2 and max_row >= 1000, f"{sheet.title}!{header}: {cell_range.coord}"
            out[header] = validation
    return out


def test_one_workbook_per_unit_with_its_sheets_in_order(written):
    assert sorted(p.name for p in written.iterdir()) == sorted(f"{c}.xlsx" for c in UNITS)
    for clave in UNITS:
        book = load_workbook(written / f"{clave}.xlsx")
        assert book.sheetnames[:5] == ["Instrucciones", *TABLES]
        assert book.sheetnames[5:] == ["listas"] and book["listas"].sheet_state == "hidden"
        assert book.active.title == "Instrucciones"
        for table in TABLES:
            sheet = book[table]
            assert [c.value for c in sheet[1]] == HEADERS[table]
            assert sheet.freeze_panes == "A2"
            assert sheet.max_row == 1 or all(v is None for row in sheet.iter_rows(min_row=2, values_only=True)
                                             for v in row), "a blank template holds no data"


def test_instructions_name_the_unit_its_indicators_their_evidence_and_the_deadlines(written):
    plazos = load_plazos(PARAMS.folder / "captura.yaml").get(YEAR, {})
    assert plazos, "params/captura.yaml publishes the deadlines of the demo year"
    for unit in PARAMS.organizacion.unidades:
        sheet = load_workbook(written / f"{unit.clave}.xlsx")["Instrucciones"]
        text = "\n".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
        assert unit.nombre in text and unit.clave in text
        for clave in unit.puede_reportar:
            indicator = PARAMS.mir.get(clave)
            assert indicator.nombre in text and indicator.texto.medios_verificacion in text
        others = set(PARAMS.mir.claves) - set(unit.puede_reportar)
        rows = [row for row in sheet.iter_rows(values_only=True) if row[0] in PARAMS.mir.claves]
        assert {row[0] for row in rows} == set(unit.puede_reportar) and not others & {row[0] for row in rows}
        for deadline in plazos.values():
            assert deadline.isoformat() in text


@pytest.mark.parametrize("clave", UNITS)
def test_each_column_carries_its_validation_and_input_message(written, clave):
    unit = PARAMS.organizacion.get(clave)
    lists = unit_lists(PARAMS, unit)
    assert list(lists.indicadores) == [c for c in PARAMS.mir.claves if c in unit.puede_reportar]
    tipos = {t for c in unit.puede_reportar for t in PARAMS.mir.get(c).tipos_producto}
    flujos = {f for c in unit.puede_reportar for f in PARAMS.mir.get(c).flujos}
    book = load_workbook(written / f"{clave}.xlsx")
    for table in TABLES:
        validations = _validations_by_column(book[table])
        assert set(validations) == set(HEADERS[table]), table
        for column, v in validations.items():
            where = f"{clave} {table}!{column}"
            assert v.showInputMessage and v.promptTitle and v.prompt, where
            assert len(v.promptTitle) <= 32 and len(v.prompt) <= 255, where
            if v.type is not None:
                assert v.showErrorMessage and v.errorStyle == "stop" and v.error and len(v.error) <= 255, where
            if column == "indicador":
                assert v.type == "list" and _list_values(book, v.formula1) == list(lists.indicadores), where
                assert not v.allow_blank
            elif column == "tipo":
                if tipos:
                    assert v.type == "list" and set(_list_values(book, v.formula1)) == tipos, where
                else:
                    assert (v.type, v.operator, v.formula1) == ("textLength", "equal", "0"), where
            elif column == "flujo":
                if flujos:
                    assert v.type == "list" and set(_list_values(book, v.formula1)) == flujos, where
                    assert "FIN" in unit.puede_reportar
                else:
                    assert (v.type, v.operator, v.formula1) == ("textLength", "equal", "0"), where
            elif column == "trimestre":
                assert (v.type, v.operator, v.formula1, v.formula2) == ("whole", "between", "1", "4"), where
            elif column == "programado":
                assert (v.type, v.operator, v.formula1) == ("whole", "greaterThanOrEqual", "0"), where
            elif column == "fecha":
                assert (v.type, v.operator) == ("date", "between"), where
                assert (v.formula1, v.formula2) == (f"DATE({YEAR},1,1)", f"DATE({YEAR},12,31)"), where
                letter = get_column_letter(_range(v).min_col)
                assert book[table][f"{letter}2"].number_format == "yyyy-mm-dd"
            elif column in REQUIRED_TEXT:
                letter = f"{get_column_letter(_range(v).min_col)}2"
                assert (v.type, v.formula1, v.allow_blank) == ("custom", f"LEN(TRIM({letter}))>0", False), where
            else:
                assert v.type is None, where  # input message only


def test_one_unit_and_unknown_unit(tmp_path):
    result = run_cli("plantillas", "--year", str(YEAR), "--unidad", "CEM", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["CEM.xlsx"]
    result = run_cli("plantillas", "--year", str(YEAR), "--unidad", "XYZ", "--out", str(tmp_path / "x"))
    assert result.returncode == 2 and "Unidad desconocida: «XYZ»" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "x").exists()


def _read_unit(path: Path, clave: str, table: str) -> list[dict[str, str]]:
    result = read_sheet(path, table, shapes_with_claves(PARAMS, unit_file=True)[table])
    assert result.ok, result.errors
    rows = [dict(values) for _, values in result.rows]
    if table != "justificaciones":
        for row in rows:
            row["unidad_responsable"] = clave
    return rows


def test_desde_datos_holds_exactly_what_the_year_holds(prefilled):
    data = load_year(ROOT / "data", YEAR)
    combined = {t: [] for t in TABLES}
    for clave in UNITS:
        for table in TABLES:
            combined[table] += _read_unit(prefilled / f"{clave}.xlsx", clave, table)
    programacion = sorted((p.indicador, p.unidad_responsable, str(p.trimestre), str(p.programado))
                          for p in data.programacion)
    assert sorted((r["indicador"], r["unidad_responsable"], r["trimestre"], r["programado"])
                  for r in combined["programacion"]) == programacion
    registros = sorted((r.folio, r.indicador, r.unidad_responsable, r.fecha.isoformat(), r.titulo,
                        r.medio_verificacion, r.tipo, r.flujo) for r in data.registros)
    assert sorted(tuple(r[c] for c in ("folio", "indicador", "unidad_responsable", "fecha", "titulo",
                                       "medio_verificacion", "tipo", "flujo")) for r in combined["registros"]) == registros
    # Each justification lands in exactly one workbook.
    assert sorted((j["indicador"], j["trimestre"], j["causa"]) for j in combined["justificaciones"]) == sorted(
        (j.indicador, str(j.trimestre), j.causa) for j in data.justificaciones)
    # Date cells, not text: what Excel shows as a date.
    sheet = load_workbook(prefilled / "CEM.xlsx")["registros"]
    assert isinstance(sheet["C2"].value, datetime) and sheet["C2"].number_format == "yyyy-mm-dd"


# ---------------------------------------------------------------------------------------
# LibreOffice headless
# ---------------------------------------------------------------------------------------

def _soffice(tmp_path: Path, convert_to: str, source: Path, outdir: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    assert exe, "LibreOffice (soffice) is installed by .ci/run"
    profile = (tmp_path / "lo_profile").as_uri()
    return subprocess.run(
        [exe, f"-env:UserInstallation={profile}", "--headless", "--convert-to", convert_to,
         "--outdir", str(outdir), str(source)],
        capture_output=True, text=True, timeout=180,
    )


def test_libreoffice_opens_and_converts_every_sheet(prefilled, tmp_path):
    source = tmp_path / "CEM.xlsx"
    shutil.copy(prefilled / "CEM.xlsx", source)
    # Every sheet to CSV (filter option token 12 = -1: all sheets, one file each), UTF-8 (76).
    result = _soffice(tmp_path, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                      source, tmp_path / "csv")
    assert result.returncode == 0, result.stderr
    for table in TABLES:
        with (tmp_path / "csv" / f"CEM-{table}.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        assert rows[0] == HEADERS[table]
        expected = _read_unit(prefilled / "CEM.xlsx", "CEM", table)
        assert len(rows) - 1 == len(expected)
        if table == "registros":  # dates come out as the workbook shows them: AAAA-MM-DD
            assert [r[2] for r in rows[1:]] == [e["fecha"] for e in expected]
    result = _soffice(tmp_path, "pdf", source, tmp_path / "pdf")
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "pdf" / "CEM.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert PARAMS.organizacion.get("CEM").nombre in " ".join(text.split())


def test_libreoffice_keeps_the_validations_when_it_saves(written, tmp_path):
    source = tmp_path / "DPPIM.xlsx"
    shutil.copy(written / "DPPIM.xlsx", source)
    result = _soffice(tmp_path, "xlsx:Calc MS Excel 2007 XML", source, tmp_path / "lo")
    assert result.returncode == 0, result.stderr
    ours, theirs = load_workbook(source), load_workbook(tmp_path / "lo" / "DPPIM.xlsx")
    for table in TABLES:
        kept = {_range(v).min_col: (v.type, v.formula1, v.promptTitle)
                for v in theirs[table].data_validations.dataValidation}
        written_ = {_range(v).min_col: (v.type, v.formula1, v.promptTitle)
                    for v in ours[table].data_validations.dataValidation if v.type is not None}
        for column, (kind, formula, title) in written_.items():
            assert kept[column][0] == kind and kept[column][2] == title, (table, column)
            assert kept[column][1].replace("'", "") == formula.replace("'", ""), (table, column)


# ---------------------------------------------------------------------------------------
# A workbook filled through its validations passes `mirbook validate`
# ---------------------------------------------------------------------------------------

def _admits(book, validation, cell, value) -> bool:
    """Whether Excel would accept ``value`` in a cell carrying ``validation`` (the kinds we write)."""
    if value is None or value == "":
        return bool(validation.allow_blank) or validation.type in (None, "custom")
    kind = validation.type
    if kind is None:
        return True
    if kind == "list":
        return value in _list_values(book, validation.formula1)
    if kind == "whole":
        number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        if number is None or not float(number).is_integer():
            return False
        low = int(validation.formula1)
        return low <= number <= int(validation.formula2) if validation.operator == "between" else number >= low
    if kind == "date":
        low = date(*map(int, validation.formula1[5:-1].split(",")))
        high = date(*map(int, validation.formula2[5:-1].split(",")))
        return isinstance(value, date) and low <= (value.date() if isinstance(value, datetime) else value) <= high
    if kind == "custom":
        return isinstance(value, str) and len(value.strip()) > 0
    if kind == "textLength":
        return len(str(value)) == int(validation.formula1)
    raise AssertionError(f"unexpected validation {kind} at {cell}")


def _fill(book, table: str, rows: list[list]) -> None:
    sheet = book[table]
    by_column = {sheet.cell(1, c).value: v for c, v in
                 ((_range(v).min_col, v) for v in sheet.data_validations.dataValidation)}
    for offset, values in enumerate(rows, start=2):
        for index, value in enumerate(values, start=1):
            header = sheet.cell(1, index).value
            assert _admits(book, by_column[header], f"{table}!{index}{offset}", value), (table, header, value)
            if value is not None:
                sheet.cell(offset, index, value)


def test_filled_workbooks_pass_validate(written, tmp_path):
    cem, dppim = load_workbook(written / "CEM.xlsx"), load_workbook(written / "DPPIM.xlsx")
    # CEM: programa A2.2 in T1 and T2 (2 each, one typed as a float 2.0, as Excel stores numbers)
    _fill(cem, "programacion", [["A2.2", 1, 2], ["A2.2", 2, 2.0], ["C2", 2, 1]])
    _fill(cem, "registros", [
        ["CEM-2026-001", "A2.2", date(2026, 1, 20), "Boletín estadístico de enero", "Oficio UPM/CEM/001/2026",
         "boletín estadístico", None],
        ["CEM-2026-002", "A2.2", datetime(2026, 2, 17), "Cuadros estadísticos de febrero ",
         " https://portales.segob.gob.mx/ ", "cuadro estadístico", None],
        ["CEM-2026-003", "C2", date(2026, 6, 30), "Reporte de evaluación del semestre", "Minuta 4/2026", None, None],
    ])
    _fill(cem, "justificaciones", [["A2.2", 1, "Retraso en los insumos del INM.", "Se entrega en T2.", None]])
    _fill(dppim, "programacion", [["FIN", 4, 1], ["A1.1", 1, 1]])
    _fill(dppim, "registros", [
        ["DPPIM-2026-001", "A1.1", date(2026, 3, 2), "Propuesta de programa", "Expediente UPM/DPPIM/1/2026",
         "programa", None],
        ["DPPIM-2026-002", "FIN", date(2026, 11, 3), "Propuesta de política de retorno", "Oficio UPM/DPPIM/9/2026",
         None, "retorno"],
    ])
    _fill(dppim, "ajustes", [["A1.1", 2, 0, date(2026, 4, 15), "Oficio UPM/CPM/77/2026: se pospone"]])
    # What the checker refuses, Excel refuses too: a wrong clave, a fraction, a date of another year, no evidence.
    validations = {cem["programacion"].cell(1, _range(v).min_col).value: v
                   for v in cem["programacion"].data_validations.dataValidation}
    assert not _admits(cem, validations["indicador"], "B2", "FIN")
    assert not _admits(cem, validations["programado"], "C2", 2.5)
    assert not _admits(cem, validations["trimestre"], "B2", 5)
    reg = {cem["registros"].cell(1, _range(v).min_col).value: v
           for v in cem["registros"].data_validations.dataValidation}
    assert not _admits(cem, reg["fecha"], "C2", date(2025, 12, 31))
    assert not _admits(cem, reg["medio_verificacion"], "E2", "   ")
    cem.save(tmp_path / "CEM.xlsx")
    dppim.save(tmp_path / "DPPIM.xlsx")

    year_dir = tmp_path / "data" / str(YEAR)
    year_dir.mkdir(parents=True)
    shapes = shapes_with_claves(PARAMS)
    for table in ("programacion", "registros", "justificaciones"):
        rows = _read_unit(tmp_path / "CEM.xlsx", "CEM", table) + _read_unit(tmp_path / "DPPIM.xlsx", "DPPIM", table)
        with (year_dir / f"{table}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(shapes[table].columns))
            writer.writeheader()
            writer.writerows(rows)
    ajustes = _read_unit(tmp_path / "DPPIM.xlsx", "DPPIM", "ajustes")
    assert ajustes == [{"indicador": "A1.1", "trimestre": "2", "programado": "0", "fecha": "2026-04-15",
                        "justificacion": "Oficio UPM/CPM/77/2026: se pospone", "unidad_responsable": "DPPIM"}]
    registros = (year_dir / "registros.csv").read_text(encoding="utf-8")
    assert "2026-02-17" in registros and ",https://portales.segob.gob.mx/," in registros
    result = run_cli("validate", "--year", str(YEAR), "--period", "T4", "--data-dir", str(tmp_path / "data"))
    assert result.returncode == 0, result.stderr + result.stdout
    assert "Validación correcta" in result.stdout


@pytest.mark.parametrize("args, code, needle", [
    (["--year", "26"], 2, "Año no válido: «26»"),
    (["--year", "2031", "--desde-datos"], 1, "No existe la carpeta del año 2031"),
])
def test_bad_year_or_missing_data_get_spanish_messages_and_write_nothing(tmp_path, args, code, needle):
    out = tmp_path / "out"
    result = run_cli("plantillas", *args, "--out", str(out), "--data-dir", str(ROOT / "data"))
    assert result.returncode == code and needle in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and not out.exists()
