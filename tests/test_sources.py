"""The loaders: every accepted encoding, xlsx, and the files that cannot be read."""

from __future__ import annotations

import pytest

from conftest import make_year, registros, write_table
from mirbook.errors import DataError
from mirbook.records import load_year
from mirbook.sources import read_year

PLAN = [["A2.3", "CEM", 1, 2], ["A2.3", "CEM", 2, 1]]
ACCENTED = [["UPM-1", "A2.3", "CEM", "2026-03-31", "Publicación sobre niñas y niños en tránsito", "Página web, sección «Publicaciones»", "publicación", ""]]
JUST = [["A2.3", 1, "Causa: reasignación de presupuesto", "Efecto: se pospone la difusión", "Sin otros motivos"]]


@pytest.mark.parametrize("fmt", ["utf-8", "utf-8-sig", "cp1252", "latin-1", "xlsx"])
def test_every_accepted_encoding_reads_the_same(data_dir, fmt):
    make_year(data_dir, 2026, PLAN, ACCENTED, JUST, fmts={"programacion": fmt, "registros": fmt, "justificaciones": fmt})
    data = load_year(data_dir, 2026)
    assert [(p.indicador, p.trimestre, p.programado) for p in data.programacion] == [("A2.3", 1, 2), ("A2.3", 2, 1)]
    record = data.registros[0]
    assert record.titulo == "Publicación sobre niñas y niños en tránsito"
    assert record.medio_verificacion == "Página web, sección «Publicaciones»"
    assert record.fecha.isoformat() == "2026-03-31" and record.fila == 2
    assert data.justificaciones[0].causa.startswith("Causa: reasignación")


def test_latin1_bytes_without_cp1252_meaning_still_decode(data_dir):
    folder = data_dir / "2026"
    write_table(folder, "programacion", PLAN)
    raw = "folio,indicador,unidad_responsable,fecha,titulo,medio_verificacion\nX1,A2.3,CEM,2026-01-02,Difusión,Oficio\n"
    (folder / "registros.csv").write_bytes(raw.encode("latin-1"))
    assert load_year(data_dir, 2026).registros[0].titulo == "Difusión"


def test_mixed_formats_xlsx_plan_cp1252_records_bom_justifications(data_dir):
    make_year(
        data_dir, 2026, PLAN, ACCENTED, JUST,
        fmts={"programacion": "xlsx", "registros": "cp1252", "justificaciones": "utf-8-sig"},
    )
    tables = read_year(data_dir, 2026)
    assert {n: t.encoding for n, t in tables.items()} == {
        "programacion": "xlsx", "registros": "cp1252", "justificaciones": "utf-8-sig"
    }


def test_xlsx_dates_and_numbers_are_read_as_the_user_sees_them(data_dir):
    from datetime import datetime

    folder = data_dir / "2026"
    write_table(folder, "programacion", [["A2.3", 1.0, 2], ["A2.3", 2, 3.0]], header=["indicador", "trimestre", "programado", "unidad_responsable"])
    write_table(folder, "registros", [["F1", "A2.3", "CEM", datetime(2026, 2, 3), "t", "m", "", ""]], fmt="xlsx")
    data = load_year(data_dir, 2026)
    assert data.registros[0].fecha.isoformat() == "2026-02-03"
    assert [(p.trimestre, p.programado) for p in data.programacion] == [(1, 2), (2, 3)]


def test_header_only_files_are_valid(data_dir):
    make_year(data_dir, 2026, [], [], [])
    data = load_year(data_dir, 2026)
    assert data.programacion == () and data.registros == () and data.justificaciones == ()


def test_semicolon_separated_csv_is_understood(data_dir):
    folder = data_dir / "2026"
    folder.mkdir(parents=True)
    (folder / "programacion.csv").write_text("indicador;unidad_responsable;trimestre;programado\nA2.3;CEM;1;4\n", encoding="utf-8")
    write_table(folder, "registros", registros("A2.3", "CEM", ["2026-01-02"]))
    assert load_year(data_dir, 2026).programacion[0].programado == 4


def test_blank_lines_are_skipped_but_row_numbers_match_excel(data_dir):
    folder = data_dir / "2026"
    folder.mkdir(parents=True)
    write_table(folder, "programacion", PLAN)
    (folder / "registros.csv").write_text(
        "folio,indicador,unidad_responsable,fecha,titulo,medio_verificacion\n,,,,,\nF1,A2.3,CEM,2026-01-02,t,m\n",
        encoding="utf-8",
    )
    assert load_year(data_dir, 2026).registros[0].fila == 3


def test_optional_justificaciones_may_be_absent(data_dir):
    make_year(data_dir, 2026, PLAN, ACCENTED)
    assert load_year(data_dir, 2026).justificaciones == ()


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("empty_file", ["registros.csv", "vacío"]),
        ("missing_registros", ["registros.csv", "Falta"]),
        ("missing_programacion", ["programacion.csv", "Falta"]),
        ("missing_year", ["2026", "No existe la carpeta"]),
        ("corrupt_xlsx", ["programacion.xlsx", "Excel"]),
        ("binary", ["registros.csv", "caracteres de control"]),
        ("xlsx_named_csv", ["registros.csv", "libro de Excel"]),
        ("utf16", ["registros.csv", "UTF-16"]),
        ("csv_and_xlsx", ["programacion", "dos versiones"]),
        ("missing_column", ["registros.csv", "fecha"]),
        ("bad_date", ["registros.csv", "«fecha»", "2026-02-30", "fila 2"]),
        ("bad_integer", ["programacion.csv", "«programado»", "2.5"]),
        ("too_many_values", ["registros.csv", "fila 2", "coma"]),
    ],
)
def test_unreadable_inputs_raise_a_spanish_error_naming_the_file(data_dir, setup, expected):
    folder = data_dir / "2026"
    if setup != "missing_year":
        make_year(data_dir, 2026, PLAN, ACCENTED)
    if setup == "empty_file":
        (folder / "registros.csv").write_bytes(b"")
    elif setup == "missing_registros":
        (folder / "registros.csv").unlink()
    elif setup == "missing_programacion":
        (folder / "programacion.csv").unlink()
    elif setup == "missing_year":
        data_dir.mkdir()
    elif setup == "corrupt_xlsx":
        (folder / "programacion.csv").unlink()
        (folder / "programacion.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    elif setup == "binary":
        (folder / "registros.csv").write_bytes(bytes(range(256)) * 4)
    elif setup == "xlsx_named_csv":
        write_table(folder / "x", "registros", ACCENTED, fmt="xlsx")
        (folder / "registros.csv").write_bytes((folder / "x" / "registros.xlsx").read_bytes())
    elif setup == "utf16":
        (folder / "registros.csv").write_bytes("folio,indicador\n".encode("utf-16"))
    elif setup == "csv_and_xlsx":
        write_table(folder, "programacion", PLAN, fmt="xlsx")
    elif setup == "missing_column":
        write_table(folder, "registros", [["F1", "A2.3", "CEM", "t", "m"]],
                    header=["folio", "indicador", "unidad_responsable", "titulo", "medio_verificacion"])
    elif setup == "bad_date":
        write_table(folder, "registros", registros("A2.3", "CEM", ["2026-02-30"]))
    elif setup == "bad_integer":
        write_table(folder, "programacion", [["A2.3", "CEM", 1, "2.5"]])
    elif setup == "too_many_values":
        (folder / "registros.csv").write_text(
            "folio,indicador,unidad_responsable,fecha,titulo,medio_verificacion\nF1,A2.3,CEM,2026-01-02,a, b,m\n",
            encoding="utf-8",
        )
    with pytest.raises(DataError) as info:
        load_year(data_dir, 2026)
    message = str(info.value)
    for part in expected:
        assert part in message
    assert "Traceback" not in message
