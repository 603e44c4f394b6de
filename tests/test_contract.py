"""The data contract (:mod:`mirbook.contract`) and the read-once seam (:class:`~mirbook.sources.YearInputs`)."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from conftest import DEMO, make_year, registros, write_table
from mirbook import contract, sources
from mirbook.contract import ISO_DATE, QUARTER, TABLES, WHOLE_NUMBER, parse_date, parse_int, parse_quarter
from mirbook.errors import DataError
from mirbook.model import Period
from mirbook.records import load_year, year_data
from mirbook.sources import YearInputs
from mirbook.workbook import load_params, open_workbook

PLAN = [["A2.3", "CEM", 1, 2], ["A2.3", "CEM", 2, 1]]
RECORDS = registros("A2.3", "CEM", ["2026-02-01", "2026-05-02"])


# --- the contract ----------------------------------------------------------------------------


def test_tables_are_read_in_the_contract_order_ajustes_included():
    assert contract.READ_TABLES == ("programacion", "registros", "justificaciones", "ajustes")
    assert contract.REQUIRED_TABLES == ("programacion", "registros")
    ajustes = TABLES["ajustes"]
    assert ajustes.read and not ajustes.required
    assert ajustes.column_names == ("indicador", "unidad_responsable", "trimestre", "programado", "fecha", "justificacion")
    assert TABLES["registros"].optional_columns == ("tipo", "flujo")


def test_ajustes_file_is_read_into_the_year_data(data_dir):
    folder = make_year(data_dir, 2026, PLAN, RECORDS)
    write_table(folder, "ajustes", [["A2.3", "CEM", 2, 4, "2026-05-15", "Reprogramación autorizada"]])
    inputs = YearInputs.read(data_dir, 2026)
    assert [f.name for f in inputs.files] == list(contract.READ_TABLES)
    data = year_data(inputs)
    assert data.programacion[1].programado == 1  # the original plan is never edited
    (ajuste,) = data.ajustes
    assert (ajuste.indicador, ajuste.trimestre, ajuste.programado, ajuste.fecha, ajuste.fila) == (
        "A2.3", 2, 4, date(2026, 5, 15), 2)


def test_unreadable_ajustes_stop_typing_with_file_column_and_row(data_dir):
    folder = make_year(data_dir, 2026, PLAN, RECORDS)
    write_table(folder, "ajustes", [["A2.3", "CEM", 2, "cuatro", "2026-05-15", "Motivo"]])
    with pytest.raises(DataError) as caught:
        year_data(YearInputs.read(data_dir, 2026))
    assert "ajustes.csv, columna «programado», fila 2: valor «cuatro»" in str(caught.value)


@pytest.mark.parametrize(("text", "number"), [("3", 3), ("3.0", 3), ("+3", 3), (" 7 ", 7), ("3.00", 3)])
def test_whole_numbers(text, number):
    assert parse_int(text) == number


@pytest.mark.parametrize("text", ["3.5", "-1", "tres", "", "1e3", "3,0"])
def test_not_whole_numbers(text):
    assert parse_int(text) is None


def test_quarters_and_dates():
    assert [parse_quarter(t) for t in ("1", "4.0", "0", "5", "x")] == [1, 4, None, None, None]
    assert parse_date("2024-02-29") == date(2024, 2, 29)
    assert parse_date("2026-02-29") is None and parse_date("29/02/2024") is None


def test_the_gx_regexes_agree_with_the_parsers():
    import math
    import re

    for text in ("3", "3.0", "+3", "-1", "3.5", "tres", "1e3"):
        parsed = not math.isnan(contract.parse_signed_int(text))
        assert bool(re.fullmatch(WHOLE_NUMBER.regex, text)) == parsed, text
    for text in ("2024-02-29", "2026-02-29", "2026-13-01", "2026-04-31", "2026-04-30", "1900-02-29", "2000-02-29"):
        assert bool(re.fullmatch(ISO_DATE.regex, text)) == (parse_date(text) is not None), text


def test_records_use_the_contracts_words(data_dir):
    make_year(data_dir, 2026, [["A2.3", "CEM", 7, "dos"]], registros("A2.3", "CEM", ["2026-02-30"]))
    with pytest.raises(DataError) as caught:
        load_year(data_dir, 2026)
    message = str(caught.value)
    for rule in (QUARTER, WHOLE_NUMBER, ISO_DATE):
        assert rule.expected in message


def test_missing_header_lists_the_contracts_required_columns(data_dir):
    folder = data_dir / "2026"
    write_table(folder, "programacion", [], header=["indicador"])
    write_table(folder, "registros", RECORDS)
    with pytest.raises(DataError) as caught:
        load_year(data_dir, 2026)
    assert "faltan las columnas unidad_responsable, trimestre, programado" in str(caught.value)


# --- YearInputs: each file read once ---------------------------------------------------------


def test_each_file_is_read_once_and_hashed_from_the_same_bytes(data_dir, monkeypatch):
    make_year(data_dir, 2026, PLAN, RECORDS, [["A2.3", 1, "c", "e", "o"]], fmts={"registros": "xlsx"})
    reads: list[Path] = []
    real = Path.read_bytes

    def counting(self):
        reads.append(self)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    inputs = YearInputs.read(data_dir, 2026)
    data = year_data(inputs)
    assert sorted(p.name for p in reads) == ["justificaciones.csv", "programacion.csv", "registros.xlsx"]
    monkeypatch.setattr(Path, "read_bytes", real)
    for path, digest in inputs.sha256.items():
        assert digest == hashlib.sha256(path.read_bytes()).hexdigest()
    assert len(inputs.sha256) == 3 and len(data.registros) == 2


def test_problems_are_kept_not_raised_until_asked(data_dir):
    folder = make_year(data_dir, 2026, PLAN, RECORDS)
    (folder / "registros.csv").write_bytes(b"")
    inputs = YearInputs.read(data_dir, 2026)
    registros_file = inputs.get("registros")
    assert registros_file.table is None and "vacío" in registros_file.read_problems[0]
    assert registros_file.sha256 == hashlib.sha256(b"").hexdigest()
    with pytest.raises(DataError, match="registros.csv: el archivo está vacío"):
        inputs.raw_tables()
    missing = YearInputs.read(data_dir, 2031)
    assert missing.folder is None and "No existe la carpeta del año 2031" in missing.folder_problems[0]
    with pytest.raises(DataError, match="2031"):
        sources.read_year(data_dir, 2031)


def test_validate_and_the_workbook_take_an_already_read_year():
    from mirbook.validation import validate

    params = load_params()
    period = Period(2026, 3)
    inputs = YearInputs.read(DEMO, 2026)
    previous = YearInputs.read(DEMO, 2025)
    assert validate(DEMO, period, params, inputs=inputs) == validate(DEMO, period, params)
    given = open_workbook(2026, "T3", DEMO, inputs=inputs, previous_inputs=previous)
    fresh = open_workbook(2026, "T3", DEMO)
    assert given.data == fresh.data and given.evaluation == fresh.evaluation
    assert given.previous_evaluation == fresh.previous_evaluation
    with pytest.raises(ValueError):
        open_workbook(2026, "T3", DEMO, inputs=previous)
    with pytest.raises(ValueError):
        validate(DEMO, period, params, inputs=previous)
