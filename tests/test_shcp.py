"""The SHCP open-data layout: the monthly rule, Latin-1, xlsx, import, differences and the command."""

from __future__ import annotations

import csv
import io
import shutil

import pytest

from conftest import ROOT, make_year, registros, run_cli
from mirbook import shcp
from mirbook.ajustes import parse_ajustes
from mirbook.errors import DataError
from mirbook.model import Period
from mirbook.records import load_year
from mirbook.workbook import load_params

MIR = load_params().mir
MAPPING = shcp.load_mapping()


@pytest.fixture
def year(data_dir):
    programacion = [["A2.1", "DRII", q, n] for q, n in ((1, 2), (2, 3), (3, 3), (4, 2))]
    rows = registros("A2.1", "DRII", ["2026-02-01", "2026-03-01", "2026-05-01", "2026-08-01"])
    make_year(data_dir, 2026, programacion, rows,
              justificaciones=[["A2.1", 2, "Se pospuso un foro.", "Se hará en T3.", "Ninguno."]])
    return load_year(data_dir, 2026)


AJUSTE = parse_ajustes([(2, {"indicador": "A2.1", "unidad_responsable": "DRII", "trimestre": "3", "programado": "5",
                             "fecha": "2026-05-10", "justificacion": "Se sumó la “Cumbre” — regional."})])


def test_monthly_rule_closing_months_cumulative_and_other_months_empty(year):
    rows = shcp.table(MIR, year, Period(2026, 2), MAPPING, AJUSTE)
    a21 = rows[MIR.claves.index("A2.1")]
    # By hand: original plan 2, 3, 3, 2 → cumulative 2, 5, 8, 10; T3 adjusted to 5 on 10 May → 2, 5, 10, 12.
    assert [a21[f"META_MES{m}"] for m in (3, 6, 9, 12)] == [2, 5, 8, 10]
    assert [a21[f"META_AJUSTADA_MES{m}"] for m in (3, 6, 9, 12)] == [2, 5, 10, 12]
    # Realizado only up to the report's quarter: 2 by March, 3 by June (August's record is not yet counted).
    assert [a21[f"AVANCE_MES{m}"] for m in (3, 6, 9, 12)] == [2, 3, None, None]
    assert a21["JUSTIFICACION_AJUSTE_MES6"] == "Se sumó la “Cumbre” — regional."
    assert a21["AVANCE_CAUSA_MES6"] == "Se pospuso un foro." and a21["AVANCE_CAUSA_MES3"] is None
    for template, _ in MAPPING.mensuales:
        for month in (1, 2, 4, 5, 7, 8, 10, 11):
            assert a21[template.format(n=month)] is None
    assert (a21["CICLO"], a21["ID_RAMO"], a21["ID_INDICADOR"], a21["DESC_NIVEL"]) == ("2026", "04", "A2.1", "Actividad")


def test_percentages_go_where_the_mapping_says(tmp_path, year):
    text = (ROOT / "params" / "shcp.yaml").read_text(encoding="utf-8")
    text = text.replace('  - {columna: "META_MES{n}", valor: programado_original}',
                        '  - {columna: "META_MES{n}", valor: programado_original}\n'
                        '  - {columna: "PORCENTAJE_AVANCE_MES{n}", valor: avance_pct}')
    (tmp_path / "shcp.yaml").write_text(text, encoding="utf-8")
    mapping = shcp.load_mapping(tmp_path / "shcp.yaml")
    a21 = shcp.table(MIR, year, Period(2026, 2), mapping, AJUSTE)[MIR.claves.index("A2.1")]
    # 2 of 2 → 100 %; 3 of 5 → 60 %; nothing after the report's quarter.
    assert [shcp._text(a21[f"PORCENTAJE_AVANCE_MES{m}"]) for m in (3, 6, 9, 12)] == ["100.00", "60.00", "", ""]
    assert b"PORCENTAJE_AVANCE_MES6" in shcp.to_csv_bytes([a21], mapping)


def test_latin1_rule():
    assert shcp.to_latin1("“Sí” ‘no’ – — … € ñáü") == "\"Sí\" 'no' - - ... EUR ñáü"
    assert shcp.to_latin1("ﬁn ő Ł 中") == "fin o ? ?"
    assert shcp.to_latin1("a\u200bb\u2009c") == "ab c"


def test_csv_is_latin1_and_round_trips_with_zero_differences(tmp_path, year):
    rows = shcp.table(MIR, year, Period(2026, 2), MAPPING, AJUSTE)
    data = shcp.to_csv_bytes(rows, MAPPING)
    text = data.decode("latin-1")
    assert "Se sumó la \"Cumbre\" - regional." in text
    data.decode("latin-1").encode("latin-1")  # every character is Latin-1
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the accents are single Latin-1 bytes, not UTF-8
    path = tmp_path / "avance.csv"
    path.write_bytes(data)
    oficial = shcp.importar(path, MIR, MAPPING)
    assert (oficial.ciclo, oficial.period, oficial.claves) == (2026, Period(2026, 2), MIR.claves)
    assert shcp.diferencias(oficial, shcp.cifras_propias(rows, MAPPING, MIR), MIR) == []


def _change(text: str, clave: str, column: str, value: str) -> str:
    reader = list(csv.DictReader(io.StringIO(text, newline="")))
    for row in reader:
        if row["ID_INDICADOR"] == clave:
            row[column] = value
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(reader[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(reader)
    return out.getvalue()


def test_one_changed_figure_gives_exactly_one_difference_and_other_programmes_are_ignored(tmp_path, year):
    rows = shcp.table(MIR, year, Period(2026, 2), MAPPING, AJUSTE)
    text = shcp.to_csv_bytes(rows, MAPPING).decode("latin-1")
    changed = _change(text, "A2.1", "AVANCE_MES6", "4")
    # Another programme of the ramo, same indicator id, different figures: its row is ignored.
    other = _change(_change(text, "A2.1", "ID_PP", "E001"), "A2.1", "AVANCE_MES6", "9").splitlines()
    other_row = other[MIR.claves.index("A2.1") + 1]
    assert ",E001," in other_row
    path = tmp_path / "avance.csv"
    path.write_bytes((changed + other_row + "\r\n").encode("latin-1"))
    found = shcp.diferencias(shcp.importar(path, MIR, MAPPING), shcp.cifras_propias(rows, MAPPING, MIR), MIR)
    assert [(d.clave, d.trimestre, d.columna, d.oficial, d.propio) for d in found] == [("A2.1", 2, "AVANCE_MES6", "4", "3")]
    assert found[0].mensaje() == "A2.1, T2 (AVANCE_MES6): la SHCP publica 4; el libro calcula 3."


def test_xlsx_round_trip(tmp_path, year):
    rows = shcp.table(MIR, year, Period(2026, 3), MAPPING, AJUSTE)
    path = tmp_path / "avance.xlsx"
    path.write_bytes(shcp.to_xlsx_bytes(rows, MAPPING))
    from openpyxl import load_workbook

    sheet = load_workbook(path).worksheets[0]
    header = [c.value for c in sheet[1]]
    a21 = [c.value for c in sheet[MIR.claves.index("A2.1") + 2]]
    assert a21[header.index("AVANCE_MES9")] == 4 and a21[header.index("AVANCE_MES12")] is None
    oficial = shcp.importar(path, MIR, MAPPING)
    assert oficial.period == Period(2026, 3)
    assert shcp.diferencias(oficial, shcp.cifras_propias(rows, MAPPING, MIR), MIR) == []


def test_missing_indicator_and_bad_values_are_named(tmp_path, year):
    rows = shcp.table(MIR, year, Period(2026, 2), MAPPING)
    lines = shcp.to_csv_bytes(rows, MAPPING).decode("latin-1").splitlines()
    path = tmp_path / "avance.csv"
    path.write_bytes("\r\n".join(lines[:1] + lines[2:]).encode("latin-1"))  # FIN left out
    found = shcp.diferencias(shcp.importar(path, MIR, MAPPING), shcp.cifras_propias(rows, MAPPING, MIR), MIR)
    assert [d.mensaje() for d in found] == ["FIN: no aparece en el archivo de la SHCP"]
    path.write_bytes(_change("\r\n".join(lines), "C1", "META_MES6", "dos").encode("latin-1"))
    with pytest.raises(DataError, match=r"avance.csv, columna «META_MES6», fila 4: valor «dos»"):
        shcp.importar(path, MIR, MAPPING)
    path.write_bytes(b"CICLO,ID_RAMO\r\n2026,04\r\n")
    with pytest.raises(DataError, match=r"avance.csv, fila 1 \(encabezados\): faltan las columnas ID_INDICADOR"):
        shcp.importar(path, MIR, MAPPING)


def test_command_exports_imports_and_reports_differences(tmp_path, demo_copy):
    out = tmp_path / "shcp_2026_T2.csv"
    result = run_cli("shcp", "--year", "2026", "--period", "T2", "--out", str(out), "--data-dir", str(demo_copy))
    assert result.returncode == 0, result.stderr
    result = run_cli("shcp", "--importar", str(out), "--data-dir", str(demo_copy))
    assert result.returncode == 0, result.stderr
    assert "Sin diferencias" in result.stdout and "2026 T2" in result.stdout
    copied = demo_copy / "2026" / "shcp_oficial.csv"
    assert copied.read_bytes() == out.read_bytes()
    text = out.read_bytes().decode("latin-1")
    changed = tmp_path / "publicado.csv"
    changed.write_bytes(_change(text, "A1.3", "META_MES6", "99").encode("latin-1"))
    result = run_cli("shcp", "--importar", str(changed), "--data-dir", str(demo_copy))
    assert result.returncode == 0, result.stderr
    assert "1 diferencia(s)" in result.stdout
    assert "A1.3, T2 (META_MES6): la SHCP publica 99; el libro calcula" in result.stdout
    assert copied.read_bytes() == changed.read_bytes()


def test_command_errors_are_spanish_without_traceback(tmp_path, demo_copy):
    result = run_cli("shcp", "--year", "2026")
    assert result.returncode == 2 and "Indique --year y --period" in result.stderr
    bad = tmp_path / "roto.csv"
    bad.write_bytes(b"CICLO\r\n2026\r\n")
    before = sorted(p.name for p in (demo_copy / "2026").iterdir())
    result = run_cli("shcp", "--importar", str(bad), "--data-dir", str(demo_copy))
    assert result.returncode == 1 and "roto.csv, fila 1 (encabezados)" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in (demo_copy / "2026").iterdir()) == before  # nothing copied


def test_stdout_is_latin1_csv(demo_copy):
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).with_name("mirbook")
    result = subprocess.run([str(exe), "shcp", "--year", "2026", "--period", "T1", "--data-dir", str(demo_copy)],
                            capture_output=True)
    assert result.returncode == 0
    assert result.stdout.decode("latin-1").startswith("CICLO,ID_RAMO,DESC_RAMO")
    assert "Gobernación".encode("latin-1") in result.stdout
