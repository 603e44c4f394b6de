"""Input validation (issue #4): pre-checks, Great Expectations suites, messages, validacion.html.

A corpus of defective inputs, one defect each: every case asserts the exit code of
``mirbook validate`` (and of ``mirbook run`` for a sample, when it exists), that the
Spanish message names the file, the column, the Excel row and the offending value,
that no traceback is shown, and that the archive and the data are left byte-for-byte
(and mtime-for-mtime) as they were. Good data pass as CSV in UTF-8, UTF-8 with BOM,
Windows-1252 and Latin-1, and as .xlsx.

Most cases call ``mirbook.cli.main`` in-process (one Great Expectations import for
the whole module); a few run the installed console script as a user would.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import shutil
import socket
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

import pytest
from conftest import DEMO, ROOT, load_pinned_params, make_year, registros, run_cli, write_table

from mirbook.cli import build_parser, main
from mirbook.model import Period
from mirbook.workbook import load_params

YEAR = 2026


# --- a small valid year and ways to break it ----------------------------------------------------

PROGRAMACION = [
    ["FIN", "DPPIM", 4, 1],
    ["PROP", "CPM", 4, 1],
    ["A1.1", "DRII", 1, 2],          # row 4
    ["A1.1", "DPPIM", 2, 1],
    ["A2.2", "CEM", 1, 1],
    ["A2.3", "CEM", 2, 1],
]
REGISTROS = (
    registros("A1.1", "DRII", ["2026-01-12", "2026-02-10"], tipo="acción")        # rows 2, 3
    + registros("FIN", "DPPIM", ["2026-03-02"], flujo="tránsito")                  # row 4
    + registros("A2.2", "CEM", ["2026-01-15"], tipo="boletín estadístico")         # row 5
    + registros("A2.3", "CEM", ["2026-05-20"], tipo="publicación")                 # row 6
)
JUSTIFICACIONES = [
    ["A1.1", 2, "Reasignación del personal a la atención de solicitudes", "Se concluirá en el tercer trimestre", ""],
]


def good_year(data_dir: Path, fmt: str = "utf-8", year: int = YEAR) -> Path:
    """A valid year folder (with accented text, so encodings matter) in ``fmt``."""
    fmts = dict.fromkeys(("programacion", "registros", "justificaciones"), fmt)
    return make_year(data_dir, year, PROGRAMACION, REGISTROS, JUSTIFICACIONES, fmts=fmts)


def read_rows(folder: Path, name: str) -> list[list[str]]:
    with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def rewrite(folder: Path, name: str, change: Callable[[list[list[str]]], None]) -> None:
    """Apply ``change`` to the rows of a CSV (``rows[0]`` is the header, ``rows[n-1]`` Excel row n)."""
    rows = read_rows(folder, name)
    change(rows)
    write_table(folder, name, rows[1:], header=rows[0])


def set_cell(name: str, row: int, column: str, value: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        def change(rows: list[list[str]]) -> None:
            rows[row - 1][rows[0].index(column)] = value

        rewrite(folder, name, change)

    return mutate


def add_row(name: str, values: list) -> Callable[[Path], None]:
    return lambda folder: rewrite(folder, name, lambda rows: rows.append([str(v) for v in values]))


def rename_column(name: str, old: str, new: str) -> Callable[[Path], None]:
    def change(rows: list[list[str]]) -> None:
        rows[0][rows[0].index(old)] = new

    return lambda folder: rewrite(folder, name, change)


def drop_column(name: str, column: str) -> Callable[[Path], None]:
    def change(rows: list[list[str]]) -> None:
        index = rows[0].index(column)
        for row in rows:
            del row[index]

    return lambda folder: rewrite(folder, name, change)


def add_column(name: str, column: str, value: str = "") -> Callable[[Path], None]:
    def change(rows: list[list[str]]) -> None:
        rows[0].append(column)
        for row in rows[1:]:
            row.append(value)

    return lambda folder: rewrite(folder, name, change)


def write_bytes(filename: str, data: bytes) -> Callable[[Path], None]:
    return lambda folder: (folder / filename).write_bytes(data)


def remove(filename: str) -> Callable[[Path], None]:
    return lambda folder: (folder / filename).unlink()


def replace_with_xlsx(name: str, data: bytes) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        (folder / f"{name}.csv").unlink()
        (folder / f"{name}.xlsx").write_bytes(data)

    return mutate


def both(*mutations: Callable[[Path], None]) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        for mutation in mutations:
            mutation(folder)

    return mutate


def to_cp1252_with(name: str, row: int, column: str, value: str) -> Callable[[Path], None]:
    """The table re-saved as Windows-1252 with one cell changed (the message must show it decoded)."""

    def mutate(folder: Path) -> None:
        rows = read_rows(folder, name)
        rows[row - 1][rows[0].index(column)] = value
        write_table(folder, name, rows[1:], fmt="cp1252", header=rows[0])

    return mutate


def to_xlsx_with(name: str, row: int, column: str, value) -> Callable[[Path], None]:
    """The table re-saved as .xlsx with one cell changed."""

    def mutate(folder: Path) -> None:
        rows = read_rows(folder, name)
        rows[row - 1][rows[0].index(column)] = value
        (folder / f"{name}.csv").unlink()
        write_table(folder, name, rows[1:], fmt="xlsx", header=rows[0])

    return mutate


# --- the corpus -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Defect:
    name: str
    mutate: Callable[[Path], None] | None
    expect: tuple[str, ...]          # substrings the messages must contain (file, column, row, value…)
    exit_code: int = 1
    year: str = str(YEAR)
    period: str = "T2"
    try_run: bool = False            # also refused by `mirbook run` (sample, when run exists)


DEFECTS = [
    # required columns
    Defect("missing_column", drop_column("programacion", "programado"),
           ("programacion.csv", "columna «programado»", "fila 1", "falta la columna"), try_run=True),
    Defect("misspelt_column", rename_column("registros", "unidad_responsable", "unidad_responsble"),
           ("registros.csv", "«unidad_responsable»", "unidad_responsble")),
    # types and ranges
    Defect("programado_negative", set_cell("programacion", 4, "programado", "-3"),
           ("programacion.csv", "columna «programado»", "fila 4", "«-3»", "mayor o igual a 0"), try_run=True),
    Defect("programado_decimal", set_cell("programacion", 4, "programado", "2.5"),
           ("programacion.csv", "columna «programado»", "fila 4", "«2.5»", "entero")),
    Defect("programado_text", set_cell("programacion", 5, "programado", "abc"),
           ("programacion.csv", "columna «programado»", "fila 5", "«abc»")),
    Defect("programado_empty", set_cell("programacion", 5, "programado", ""),
           ("programacion.csv", "columna «programado»", "fila 5", "vacía")),
    Defect("trimestre_5", set_cell("programacion", 3, "trimestre", "5"),
           ("programacion.csv", "columna «trimestre»", "fila 3", "«5»", "del 1 al 4")),
    Defect("trimestre_0", set_cell("programacion", 6, "trimestre", "0"),
           ("programacion.csv", "columna «trimestre»", "fila 6", "«0»", "del 1 al 4")),
    Defect("fecha_does_not_exist", set_cell("registros", 3, "fecha", "2026-02-30"),
           ("registros.csv", "columna «fecha»", "fila 3", "«2026-02-30»", "AAAA-MM-DD"), try_run=True),
    Defect("fecha_not_iso", set_cell("registros", 2, "fecha", "31/03/2026"),
           ("registros.csv", "columna «fecha»", "fila 2", "«31/03/2026»", "AAAA-MM-DD")),
    Defect("fecha_other_year", set_cell("registros", 5, "fecha", "2025-12-31"),
           ("registros.csv", "columna «fecha»", "fila 5", "«2025-12-31»", "dentro de 2026")),
    # uniqueness
    Defect("duplicated_plan_triple", add_row("programacion", ["A1.1", "DRII", 1, 3]),
           ("programacion.csv", "«indicador», «unidad_responsable», «trimestre»", "filas 4, 8", "«A1.1 / DRII / 1»",
            "repetida"), try_run=True),
    Defect("duplicated_folio", set_cell("registros", 6, "folio", REGISTROS[0][0]),
           ("registros.csv", "columna «folio»", "filas 2, 6", f"«{REGISTROS[0][0]}»", "repetido")),
    # sets
    Defect("unknown_indicator_in_plan", set_cell("programacion", 6, "indicador", "A3.1"),
           ("programacion.csv", "columna «indicador»", "fila 6", "«A3.1»", "FIN, PROP")),
    Defect("unknown_unit", set_cell("registros", 4, "unidad_responsable", "DGX"),
           ("registros.csv", "columna «unidad_responsable»", "fila 4", "«DGX»", "CPM, DPPIM")),
    Defect("unit_not_allowed_for_indicator", set_cell("registros", 3, "unidad_responsable", "CEM"),
           ("registros.csv", "columna «unidad_responsable»", "fila 3", "«CEM»",
            "no puede reportar el indicador A1.1", "DPPIM, DPRCM, DRII, DEPCMH"), try_run=True),
    Defect("unit_not_allowed_in_plan", set_cell("programacion", 7, "unidad_responsable", "DRII"),
           ("programacion.csv", "columna «unidad_responsable»", "fila 7", "«DRII»", "indicador A2.3")),
    Defect("fin_without_flujo", set_cell("registros", 4, "flujo", ""),
           ("registros.csv", "columna «flujo»", "fila 4", "FIN", "flujo migratorio")),
    Defect("fin_without_flujo_column", drop_column("registros", "flujo"),
           ("registros.csv", "columna «flujo»", "fila 4", "FIN")),
    Defect("flujo_not_in_set", set_cell("registros", 4, "flujo", "turismo"),
           ("registros.csv", "columna «flujo»", "fila 4", "«turismo»", "inmigración")),
    Defect("tipo_not_of_indicator", set_cell("registros", 5, "tipo", "estrategia"),
           ("registros.csv", "columna «tipo»", "fila 5", "«estrategia»", "A2.2", "boletín estadístico")),
    # evidence and other empty cells
    Defect("empty_medio_verificacion", set_cell("registros", 3, "medio_verificacion", ""),
           ("registros.csv", "columna «medio_verificacion»", "fila 3", "evidencia"), try_run=True),
    Defect("empty_folio", set_cell("registros", 5, "folio", ""),
           ("registros.csv", "columna «folio»", "fila 5", "vacía")),
    Defect("empty_indicador", set_cell("registros", 6, "indicador", ""),
           ("registros.csv", "columna «indicador»", "fila 6", "vacía")),
    # justificaciones
    Defect("justificacion_unknown_indicator", add_row("justificaciones", ["Z9", 1, "Causa", "Efecto", ""]),
           ("justificaciones.csv", "columna «indicador»", "fila 3", "«Z9»")),
    Defect("justificacion_trimestre_7", add_row("justificaciones", ["A2.2", 7, "Causa", "Efecto", ""]),
           ("justificaciones.csv", "columna «trimestre»", "fila 3", "«7»", "del 1 al 4")),
    Defect("justificacion_without_causa", set_cell("justificaciones", 2, "causa", ""),
           ("justificaciones.csv", "columna «causa»", "fila 2", "vacía")),
    # files: what Great Expectations cannot see
    Defect("empty_file_0_bytes", write_bytes("registros.csv", b""),
           ("registros.csv", "vacío"), try_run=True),
    Defect("missing_registros_file", remove("registros.csv"),
           ("registros.csv", "Falta el archivo obligatorio"), try_run=True),
    Defect("missing_programacion_file", remove("programacion.csv"),
           ("programacion.csv", "Falta el archivo obligatorio")),
    Defect("missing_year_folder", None, ("2027", "No existe la carpeta del año"), year="2027", period="T1",
           try_run=True),
    Defect("corrupt_xlsx", replace_with_xlsx("programacion", b"PK\x03\x04 esto no es un libro"),
           ("programacion.xlsx", "dañado")),
    Defect("binary_garbage_csv", write_bytes("registros.csv", bytes(range(256)) * 4),
           ("registros.csv", "caracteres de control")),
    Defect("utf16_csv", write_bytes("programacion.csv", "indicador,unidad_responsable\n".encode("utf-16")),
           ("programacion.csv", "UTF-16")),
    Defect("csv_and_xlsx_both", lambda folder: write_table(folder, "registros", REGISTROS, fmt="xlsx"),
           ("registros.csv", "registros.xlsx", "dos versiones")),
    # defects inside other encodings and formats: decoded values, Excel row numbers
    Defect("defect_in_cp1252", to_cp1252_with("registros", 4, "flujo", "Tránsito"),
           ("registros.csv", "columna «flujo»", "fila 4", "«Tránsito»")),
    Defect("defect_in_xlsx", to_xlsx_with("registros", 6, "fecha", "2026-13-01"),
           ("registros.xlsx", "columna «fecha»", "D6", "«2026-13-01»")),
    # command-line arguments
    Defect("bad_period_T5", None, ("T5", "Periodo no válido"), exit_code=2, period="T5", try_run=True),
    Defect("bad_year_20x6", None, ("20x6", "Año no válido"), exit_code=2, year="20x6", try_run=True),
]


# --- helpers: the archive, snapshots, the command line ---------------------------------------------


@dataclass(frozen=True)
class Warned:
    """Something the contract does not forbid but deserves a look: shown, and the run goes on."""

    name: str
    mutate: Callable[[Path], None]
    expect: tuple[str, ...]


WARNED = [
    Warned("unknown_extra_column", add_column("registros", "observaciones", "x"),
           ("registros.csv", "fila 1", "«observaciones»", "no es del formato")),
    Warned("flujo_on_other_indicator", set_cell("registros", 5, "flujo", "retorno"),
           ("registros.csv", "columna «flujo»", "fila 5", "«retorno»", "A2.2")),
    Warned("tipo_on_untyped_indicator", set_cell("registros", 4, "tipo", "evento"),
           ("registros.csv", "columna «tipo»", "fila 4", "«evento»", "FIN")),
    Warned("justificacion_repeated", add_row("justificaciones", ["A1.1", 2, "Otra causa", "Otro efecto", ""]),
           ("justificaciones.csv", "«indicador», «trimestre»", "filas 2, 3", "«A1.1 / 2»", "repetida")),
]


def fake_archive(reports: Path) -> Path:
    """An archive with one period already published (files the run must never touch)."""
    period = reports / "2026" / "T2"
    (period / "rev-001").mkdir(parents=True)
    (reports / "index.html").write_text("<!DOCTYPE html><title>Archivo</title>", encoding="utf-8")
    (period / "index.html").write_text("<!DOCTYPE html><title>2026 T2</title>", encoding="utf-8")
    (period / "indicadores.csv").write_text("anio,periodo\n2026,T2\n", encoding="utf-8")
    (period / "validacion.html").write_text("<!DOCTYPE html><title>validación</title>", encoding="utf-8")
    (period / "manifest.json").write_text('{"revision": 1}', encoding="utf-8")
    (period / "rev-001" / "manifest.json").write_text('{"revision": 0}', encoding="utf-8")
    return reports


def snapshot(root: Path) -> dict[str, tuple]:
    """Every file and folder under ``root``: content hash, size and mtime (ns)."""
    out = {}
    if not root.exists():
        return out
    for path in sorted(root.rglob("*")):
        stat = path.stat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
        out[str(path.relative_to(root))] = (digest, stat.st_size, stat.st_mtime_ns)
    return out


def run_in_process(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def has_command(name: str) -> bool:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return name in sub.choices


RUN_AVAILABLE = has_command("run") and importlib.util.find_spec("mirbook.pipeline") is not None


@pytest.fixture(scope="module")
def params():
    return load_pinned_params()  # the tests' own institutional parameters


# --- the corpus, through `mirbook validate` (and `run`) ---------------------------------------------


def test_corpus_is_large_enough():
    assert len(DEFECTS) >= 25
    assert len({d.name for d in DEFECTS}) == len(DEFECTS)


def _prepare(tmp_path: Path, defect: Defect) -> tuple[Path, Path]:
    data_dir = tmp_path / "data"
    folder = good_year(data_dir)
    if defect.mutate:
        defect.mutate(folder)
    reports = fake_archive(tmp_path / "reports")
    return data_dir, reports


@pytest.mark.parametrize("defect", DEFECTS, ids=[d.name for d in DEFECTS])
def test_defect_is_refused_by_validate(defect: Defect, tmp_path: Path, capsys):
    data_dir, reports = _prepare(tmp_path, defect)
    before_archive, before_data = snapshot(reports), snapshot(data_dir)

    code, out, err = run_in_process(
        capsys, "validate", "--year", defect.year, "--period", defect.period, "--data-dir", str(data_dir)
    )

    assert code == defect.exit_code, err
    for text in defect.expect:
        assert text in err, f"falta «{text}» en:\n{err}"
    assert "Traceback" not in err + out
    assert "Validación correcta" not in out
    assert snapshot(reports) == before_archive
    assert snapshot(data_dir) == before_data


@pytest.mark.skipif(not RUN_AVAILABLE, reason="`mirbook run` todavía no existe")
@pytest.mark.parametrize("defect", [d for d in DEFECTS if d.try_run], ids=[d.name for d in DEFECTS if d.try_run])
def test_defect_is_refused_by_run_and_archive_untouched(defect: Defect, tmp_path: Path, capsys):
    data_dir, reports = _prepare(tmp_path, defect)
    before_archive, before_data = snapshot(reports), snapshot(data_dir)

    code, out, err = run_in_process(
        capsys, "run", "--year", defect.year, "--period", defect.period,
        "--data-dir", str(data_dir), "--reports-dir", str(reports),
    )

    assert code == defect.exit_code, err
    for text in defect.expect:
        assert text in err, f"falta «{text}» en:\n{err}"
    assert "Traceback" not in err + out
    assert snapshot(reports) == before_archive
    assert snapshot(data_dir) == before_data


def test_every_problem_is_reported_at_once(tmp_path: Path, params):
    from mirbook.validation import validate

    folder = good_year(tmp_path / "data")
    set_cell("programacion", 4, "programado", "-1")(folder)
    set_cell("registros", 3, "fecha", "2026-02-30")(folder)
    set_cell("registros", 5, "unidad_responsable", "DRII")(folder)
    add_row("justificaciones", ["Z9", 9, "c", "e", ""])(folder)
    result = validate(tmp_path / "data", Period(YEAR, 2), params)
    assert not result.ok
    text = "\n".join(result.errors)
    for piece in ("programacion.csv, columna «programado», fila 4: valor «-1»",
                  "registros.csv, columna «fecha», fila 3: valor «2026-02-30»",
                  "registros.csv, columna «unidad_responsable», fila 5: valor «DRII» — la unidad DRII no puede "
                  "reportar el indicador A2.2 (pueden: CEM)",
                  "justificaciones.csv, columna «indicador», fila 3: valor «Z9»",
                  "justificaciones.csv, columna «trimestre», fila 3: valor «9»"):
        assert piece in text
    assert all("\n" not in line for line in result.errors)  # one line per problem
    assert result.warnings == ()  # warnings only when the data are usable


def test_an_unreadable_file_does_not_hide_the_others(tmp_path: Path, params):
    from mirbook.validation import FILES_TABLE, validate

    folder = good_year(tmp_path / "data")
    (folder / "registros.csv").write_bytes(b"")
    set_cell("programacion", 3, "trimestre", "9")(folder)
    result = validate(tmp_path / "data", Period(YEAR, 2), params)
    text = "\n".join(result.errors)
    assert "registros.csv: el archivo está vacío" in text
    assert "programacion.csv, columna «trimestre», fila 3: valor «9»" in text
    failed = [o for o in result.outcomes if not o.success]
    assert {o.table for o in failed} == {FILES_TABLE, "programacion"}


def test_many_rows_are_summarised_on_one_line(tmp_path: Path, params):
    from mirbook.validation import validate

    folder = good_year(tmp_path / "data")
    for n in range(8):
        add_row("registros", [f"X-{n}", "A1.3", "DEPCMH", f"2026-02-{30 + n % 2}", "t", "m", "", ""])(folder)
    result = validate(tmp_path / "data", Period(YEAR, 2), params)
    [line] = [e for e in result.errors if "«fecha»" in e]
    assert line == (
        "registros.csv, columna «fecha», filas 7, 8, 9, 10, 11 y 3 más: valores «2026-02-30», «2026-02-31» "
        "— se espera una fecha que exista, escrita AAAA-MM-DD"
    )


def test_xlsx_row_numbers_skip_blank_rows(tmp_path: Path, params):
    """Row numbers are those of the sheet, even with a blank row in the middle."""
    from openpyxl import Workbook

    from mirbook.validation import validate

    folder = good_year(tmp_path / "data")
    (folder / "registros.csv").unlink()
    book = Workbook()
    sheet = book.active
    sheet.append(["folio", "indicador", "unidad_responsable", "fecha", "titulo", "medio_verificacion", "tipo", "flujo"])
    sheet.append(["F-1", "A1.1", "DRII", date(2026, 1, 12), "t", "m", "acción", None])
    sheet.append([None] * 8)
    sheet.append(["F-2", "A1.1", "DRII", "2026-02-30", "t", "m", "acción", None])
    book.save(folder / "registros.xlsx")
    result = validate(tmp_path / "data", Period(YEAR, 2), params)
    assert result.errors == (
        "registros.xlsx, celda Sheet!D4 (columna «fecha»): valor «2026-02-30» — se espera una fecha que exista: "
        "una celda de fecha o el texto AAAA-MM-DD",
    )


# --- good data ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["utf-8", "utf-8-sig", "cp1252", "latin-1", "xlsx"])
def test_good_data_passes_in_every_accepted_format(fmt: str, tmp_path: Path, params):
    from mirbook.validation import validate

    good_year(tmp_path / "data", fmt)
    result = validate(tmp_path / "data", Period(YEAR, 2), params)
    assert result.ok, result.errors
    assert result.errors == ()
    assert all(o.success for o in result.outcomes)
    assert len(result.files) == 3
    # Latin-1 accented letters are the same bytes in Windows-1252, which is tried first
    encodings = {i.table: i.encoding for i in result.file_info}
    assert encodings["registros"] == {"latin-1": "cp1252"}.get(fmt, fmt)
    assert any("leído como" in line for line in result.infos)


def test_xlsx_with_real_date_and_number_cells_passes(tmp_path: Path, params):
    from openpyxl import Workbook

    from mirbook.validation import validate

    folder = good_year(tmp_path / "data")
    (folder / "registros.csv").unlink()
    book = Workbook()
    sheet = book.active
    sheet.append(["folio", "indicador", "unidad_responsable", "fecha", "titulo", "medio_verificacion", "tipo", "flujo"])
    sheet.append(["F-1", "A1.1", "DRII", date(2026, 1, 12), "Título", "Oficio", "acción", None])
    sheet.append([1002, "FIN", "DRII", date(2026, 3, 2), "Título", "Oficio", None, "retorno"])
    book.save(folder / "registros.xlsx")
    result = validate(tmp_path / "data", Period(YEAR, 2), params)
    assert result.ok, result.errors


def test_header_only_files_pass(tmp_path: Path, params):
    from mirbook.validation import validate

    make_year(tmp_path / "data", YEAR, [], [], [])
    result = validate(tmp_path / "data", Period(YEAR, 1), params)
    assert result.ok, result.errors
    assert all(o.success for o in result.outcomes)


def test_optional_columns_and_file_may_be_missing(tmp_path: Path, params):
    from mirbook.validation import validate

    folder = make_year(
        tmp_path / "data", YEAR, PROGRAMACION[2:],
        [r[:6] for r in REGISTROS if r[1] != "FIN"],
    )
    rewrite(folder, "registros", lambda rows: rows[0].__delitem__(slice(6, None)))
    result = validate(tmp_path / "data", Period(YEAR, 2), params)
    assert result.ok, result.errors
    assert any("justificaciones.csv (es opcional)" in line for line in result.infos)


def test_warnings_do_not_stop_and_later_records_are_information(tmp_path: Path, capsys):
    data_dir = tmp_path / "data"
    folder = good_year(data_dir)
    # A1.3 delivered with nothing programmed; A2.2 programmed 1 but 0 delivered (rojo, no justification)
    add_row("registros", ["X-1", "A1.3", "DRII", "2026-02-02", "Reunión", "Minuta", "", ""])(folder)
    set_cell("registros", 5, "fecha", "2026-11-03")(folder)
    code, out, err = run_in_process(capsys, "validate", "--year", "2026", "--period", "T1", "--data-dir", str(data_dir))
    assert code == 0, err
    assert out.splitlines()[-1].startswith("Validación correcta: ")
    assert "expectativas cumplidas" in out
    assert "%|" not in err and "Traceback" not in err  # no progress bars
    assert "Advertencia: A1.3: hay 1 producto(s) registrado(s) hasta T1 sin nada programado" in err
    assert "Advertencia: A2.2: semáforo rojo en T1 sin justificación" in err
    assert "registro(s) con fecha posterior al 2026-03-31 no cuentan en 2026 T1" in out


@pytest.mark.parametrize("period", [Period(2025, q) for q in (1, 2, 3, 4)] + [Period(2026, q) for q in (1, 2, 3)],
                         ids=str)
def test_demo_data_validates_clean(period: Period, params):
    from mirbook.validation import validate

    result = validate(DEMO, period, params)
    assert result.ok, result.errors
    assert all(o.success for o in result.outcomes)


# --- generated from params, not hand-copied ----------------------------------------------------------


def test_suites_follow_params(tmp_path: Path, params):
    """Letting CEM report A1.1 and adding a product type in params/ changes what is accepted."""
    from mirbook.validation import validate

    folder = good_year(tmp_path / "data")
    set_cell("registros", 3, "unidad_responsable", "CEM")(folder)
    set_cell("registros", 5, "tipo", "infografía")(folder)
    assert len(validate(tmp_path / "data", Period(YEAR, 2), params).errors) == 2

    custom = tmp_path / "params"
    shutil.copytree(ROOT / "params", custom)
    org = custom / "organizacion.yaml"
    org.write_text(
        org.read_text(encoding="utf-8").replace("puede_reportar: [PROP, C2, A2.1, A2.2, A2.3]",
                                                "puede_reportar: [PROP, C2, A2.1, A2.2, A2.3, A1.1]"),
        encoding="utf-8",
    )
    mir = custom / "mir.yaml"
    text = mir.read_text(encoding="utf-8")
    assert '"cuadro estadístico"' in text
    mir.write_text(text.replace('"cuadro estadístico"', '"cuadro estadístico", "infografía"', 1), encoding="utf-8")
    result = validate(tmp_path / "data", Period(YEAR, 2), load_params(custom))
    assert result.ok, result.errors
    descriptions = " ".join(o.description for o in result.outcomes)
    assert "A1.1: DPPIM, DPRCM, DRII, DEPCMH, CEM" in descriptions
    assert "infografía" in descriptions
    assert f"dentro de {YEAR}" in descriptions


def test_every_table_and_rule_of_the_issue_is_an_expectation(tmp_path: Path, params):
    from mirbook.validation import FILES_TABLE, validate

    good_year(tmp_path / "data")
    result = validate(tmp_path / "data", Period(YEAR, 2), params)
    by_table = {}
    for outcome in result.outcomes:
        by_table.setdefault(outcome.table, []).append(outcome.description)
    assert set(by_table) == {FILES_TABLE, "programacion", "registros", "justificaciones"}
    reg = " | ".join(by_table["registros"])
    for rule in ("la columna «folio»", "«folio» no se repite", "«fecha» es una fecha que existe",
                 "«fecha» está dentro de 2026", "«medio_verificacion» no tiene celdas vacías",
                 "puede reportar el indicador", "«tipo» está vacío o es un tipo", "en las filas de FIN, «flujo» no está vacío"):
        assert rule in reg
    prog = " | ".join(by_table["programacion"])
    for rule in ("«programado» es un número entero", "«programado» es mayor o igual a 0", "«trimestre» está entre 1 y 4",
                 "indicador × unidad × trimestre no se repite", "«indicador» es una clave de indicador de la MIR"):
        assert rule in prog
    assert result.gx_version.startswith("1.")


# --- validacion.html ---------------------------------------------------------------------------------


def test_validation_html_is_static_and_lists_every_expectation(tmp_path: Path, params):
    from mirbook.validation import render_validation_html, validate

    folder = good_year(tmp_path / "data")
    set_cell("registros", 4, "flujo", "<script>alert(1)</script>")(folder)
    result = validate(tmp_path / "data", Period(YEAR, 2), params)
    html = render_validation_html(result, "5 de julio de 2026, 10:00", demo=True)

    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="es">' in html
    for forbidden in ("<script", "<link", "src=", "http://", "https://", "@import", "url("):
        assert forbidden not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("✔ Cumple") == result.passed
    assert html.count("✖ No cumple") == result.failed == 1
    from html import escape

    for outcome in result.outcomes:
        assert escape(outcome.description, quote=True) in html
    assert "Windows-1252" not in html and "UTF-8" in html
    assert "5 de julio de 2026, 10:00" in html
    assert "Datos sintéticos de demostración" in html
    assert result.gx_version in html
    assert str(tmp_path) not in html  # no local absolute paths in the archive

    plain = render_validation_html(result, "hoy", demo=False)
    assert "Datos sintéticos de demostración" not in plain


def test_validation_html_when_nothing_could_be_read(tmp_path: Path, params):
    from mirbook.validation import render_validation_html, validate

    result = validate(tmp_path / "data", Period(2030, 1), params)
    assert not result.ok and result.files == ()
    html = render_validation_html(result, "hoy")
    assert "No se pudo leer ningún archivo" in html
    assert "✖ No cumple" in html


# --- no network, no Great Expectations where it is not needed -------------------------------------------


def test_validation_makes_no_network_connection(tmp_path: Path, params, monkeypatch):
    from mirbook.validation import validate

    def refuse(*args, **kwargs):
        raise AssertionError("la validación intentó conectarse a la red")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    good_year(tmp_path / "data")
    assert validate(tmp_path / "data", Period(YEAR, 2), params).ok


def test_great_expectations_stays_off_the_light_paths(tmp_path: Path):
    import subprocess

    code = (
        "import sys, mirbook.cli, mirbook.workbook, mirbook.validation\n"
        "mirbook.cli.main(['indicadores', '--year', '2026', '--period', 'T3', '--out', sys.argv[1]])\n"
        "assert 'great_expectations' not in sys.modules, 'Great Expectations se importó'\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "ind.csv")], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr


# --- the installed console script, as a user runs it ---------------------------------------------------


def test_cli_refuses_bad_data_without_traceback_or_noise(tmp_path: Path):
    data_dir = tmp_path / "data"
    folder = good_year(data_dir, "cp1252")
    rows = [r for r in csv.reader((folder / "registros.csv").read_text(encoding="cp1252").splitlines())]
    rows[3][3] = "2026-02-30"
    write_table(folder, "registros", rows[1:], fmt="cp1252", header=rows[0])
    reports = fake_archive(tmp_path / "reports")
    before = snapshot(reports)

    done = run_cli("validate", "--year", "2026", "--period", "T2", "--data-dir", str(data_dir), cwd=tmp_path)

    assert done.returncode == 1
    assert "Error: registros.csv, columna «fecha», fila 4: valor «2026-02-30»" in done.stderr
    assert "Validación con errores: 1 problema(s)" in done.stderr
    assert "Traceback" not in done.stderr
    assert "Calculating Metrics" not in done.stderr and "%|" not in done.stderr  # no progress bars
    assert "Warning" not in done.stderr
    assert snapshot(reports) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "reports"]  # no gx/ folder or stray files


@pytest.mark.parametrize("case", WARNED, ids=lambda c: c.name)
def test_questionable_but_allowed_input_is_a_warning_not_an_error(case: Warned, tmp_path: Path, capsys):
    data_dir = tmp_path / "data"
    folder = good_year(data_dir)
    case.mutate(folder)
    code, out, err = run_in_process(capsys, "validate", "--year", str(YEAR), "--period", "T2", "--data-dir", str(data_dir))
    assert code == 0, err
    warning = next((line for line in err.splitlines() if line.startswith("Advertencia:") and case.expect[0] in line), "")
    for part in case.expect:
        assert part in warning, (part, err)
