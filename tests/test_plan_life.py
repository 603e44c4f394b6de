"""Issue 13 wired end to end: ajustes as an input, perspectiva and programación vigente in the
archive, the motivo and the record-by-record changes of a revision, SHCP's figures in the report."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DEMO, ROOT, make_year, registros, run_cli, write_table
from mirbook import ajustes, cli, entradas, perspectiva, report, shcp
from mirbook.model import Period
from mirbook.pipeline import Runner
from mirbook.provenance import input_files
from mirbook.workbook import load_params, open_workbook

RESUMEN = ROOT / "notebooks" / "00_resumen.ipynb"
#: The original plan of A2.3 (CEM): 2, 1, 3, 2 per quarter.
PLAN = [["A2.3", "CEM", q, n] for q, n in ((1, 2), (2, 1), (3, 3), (4, 2))]
RECORDS = registros("A2.3", "CEM", ["2026-02-01", "2026-05-02", "2026-08-03"])
#: Ajustes the code has not seen, dated on the edges of the quarters.
AJUSTE_T2_CERO = ["A2.3", "CEM", 2, 0, "2026-04-01", "Se canceló el foro de abril"]
AJUSTE_T3_EN_T2 = ["A2.3", "CEM", 3, 5, "2026-06-30", "Se sumó una mesa regional"]  # last day of T2
AJUSTE_T3_EN_T3 = ["A2.3", "CEM", 3, 7, "2026-07-01", "Segunda ampliación"]  # first day of T3


def _indicadores(data_dir: Path, period: str) -> dict[str, dict[str, str]]:
    result = run_cli("indicadores", "--year", "2026", "--period", period, "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    return {row["clave"]: row for row in csv.DictReader(io.StringIO(result.stdout))}


# --- 1. ajustes as an input table --------------------------------------------------------------------


def test_indicadores_uses_the_plan_in_force_before_and_after_each_ajuste_date(data_dir):
    folder = make_year(data_dir, 2026, PLAN, RECORDS)
    original = {q: _indicadores(data_dir, q) for q in ("T1", "T2", "T3", "T4")}
    write_table(folder, "ajustes", [AJUSTE_T2_CERO, AJUSTE_T3_EN_T2])
    before_july = {q: _indicadores(data_dir, q) for q in ("T1", "T2", "T3", "T4")}
    write_table(folder, "ajustes", [AJUSTE_T2_CERO, AJUSTE_T3_EN_T2, AJUSTE_T3_EN_T3])
    after_july = {q: _indicadores(data_dir, q) for q in ("T1", "T2", "T3", "T4")}
    # By hand, programado acumulado of A2.3: original 2, 3, 6, 8.
    assert [original[q]["A2.3"]["programado"] for q in ("T1", "T2", "T3", "T4")] == ["2", "3", "6", "8"]
    # T1 ends before every ajuste: the original plan. T2: q2 → 0 (1 April); q3 → 5 is in force
    # from 30 June but q3 is not yet accumulated. T3 and T4: q3 → 7 (1 July) supersedes 5.
    assert [after_july[q]["A2.3"]["programado"] for q in ("T1", "T2", "T3", "T4")] == ["2", "2", "9", "11"]
    assert [before_july[q]["A2.3"]["programado"] for q in ("T3", "T4")] == ["7", "9"]
    # Re-running earlier periods reproduces their earlier figures, row for row, column for column.
    assert after_july["T1"] == original["T1"]
    assert after_july["T2"] == before_july["T2"]
    assert list(after_july["T3"]["A2.3"]) == list(original["T3"]["A2.3"])  # the columns are kept


def test_the_outlook_uses_the_annual_plan_in_force_at_each_period(data_dir):
    folder = make_year(data_dir, 2026, PLAN, RECORDS)
    write_table(folder, "ajustes", [AJUSTE_T2_CERO, AJUSTE_T3_EN_T2, AJUSTE_T3_EN_T3])
    anual = {q: open_workbook(2026, f"T{q}", data_dir).perspectivas for q in (1, 2, 3)}
    a23 = {q: next(p for p in items if p.clave == "A2.3") for q, items in anual.items()}
    assert [a23[q].programado_anual for q in (1, 2, 3)] == [8, 2 + 0 + 5 + 2, 2 + 0 + 7 + 2]
    wb = open_workbook(2026, "T2", data_dir)
    resumen = wb.ajustes_de("A2.3")
    assert (resumen.acumulado_original, resumen.acumulado_vigente) == (3, 2)
    assert [a.fecha.isoformat() for a in resumen.ajustes] == ["2026-04-01", "2026-06-30"]


def test_validar_names_file_column_rows_and_values_of_bad_ajustes(data_dir):
    folder = make_year(data_dir, 2026, PLAN, RECORDS)
    write_table(folder, "ajustes", [
        ["A2.3", "CEM", 3, 4, "2026-05-10", "Ampliación"],
        ["A2.3", "CEM", 3, 6, "2026-05-10", "Otra ampliación el mismo día"],
        ["A9.9", "CEM", 5, -2, "2025-12-31", ""],
        ["A2.3", "DRII", 2, "dos", "2026-02-30", "Unidad que no reporta A2.3"],
    ])
    result = run_cli("validar", "--year", "2026", "--period", "T3", "--data-dir", str(data_dir))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    err = result.stderr
    assert "ajustes.csv, columna «justificacion», fila 4 — la celda está vacía" in err
    assert "ajustes.csv, columna «indicador», fila 4: valor «A9.9»" in err
    assert "ajustes.csv, columna «trimestre», fila 4: valor «5»" in err
    assert "ajustes.csv, columna «programado», fila 4: valor «-2» — se espera un número entero mayor o igual a 0" in err
    assert "ajustes.csv, columna «programado», fila 5: valor «dos»" in err
    assert "ajustes.csv, columna «fecha», fila 4: valor «2025-12-31» — se espera una fecha dentro de 2026" in err
    assert "ajustes.csv, columna «fecha», fila 5: valor «2026-02-30»" in err
    assert "ajustes.csv, columna «unidad_responsable», fila 5: valor «DRII» — la unidad DRII no puede reportar" in err
    assert "filas 2, 3: valor «A2.3 / CEM / 3 / 2026-05-10» — dos o más ajustes de la misma celda" in err


def test_good_ajustes_validate_and_an_xlsx_is_read_the_same(data_dir):
    folder = make_year(data_dir, 2026, PLAN, RECORDS)
    write_table(folder, "ajustes", [AJUSTE_T2_CERO, AJUSTE_T3_EN_T3], fmt="xlsx")
    result = run_cli("validar", "--year", "2026", "--period", "T3", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    assert _indicadores(data_dir, "T3")["A2.3"]["programado"] == "9"


def test_a_units_rows_take_its_clave_when_unidad_responsable_is_left_out(tmp_path):
    from mirbook.records import ProblemLog, parse_ajustes
    from mirbook.sources import RawTable

    table = RawTable("ajustes", tmp_path / "CEM.xlsx", "xlsx",
                     ("indicador", "trimestre", "programado", "fecha", "justificacion"),
                     ((4, {"indicador": "A2.3", "trimestre": "2", "programado": "0", "fecha": "2026-04-01",
                           "justificacion": "Cancelado"}),))
    log = ProblemLog()
    (ajuste,) = parse_ajustes(table, log, unidad="CEM")
    assert log.lines() == [] and (ajuste.unidad_responsable, ajuste.fila) == ("CEM", 4)


# --- 2 and 3. the archive: perspectiva, programación vigente, snapshot, motivo, changes -------------------


@pytest.fixture(scope="module")
def revised(tmp_path_factory):
    """The demo period 2026 T3 archived, then revised twice: records and ajustes changed with a
    --motivo, then a change without one (standard input not a terminal)."""
    root = tmp_path_factory.mktemp("plan")
    data, reports = root / "data", root / "reports"
    shutil.copytree(DEMO, data)
    runner = Runner(data, reports, notebooks=[RESUMEN], jobs=1, log=lambda _: None)
    first = runner.run(Period(2026, 3))
    folder = reports / "2026" / "T3"
    first_files = {p: p.read_bytes() for p in ("perspectiva.csv", "programacion_vigente.csv")
                   for p in [folder / p]}
    registros_csv = data / "2026" / "registros.csv"
    with open(registros_csv, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    removed = body.pop(3)
    changed = body[5]
    changed[header.index("titulo")] = "Título corregido"
    body.append(["UPM-2026-7777", "A2.1", "CEM", "2026-09-28", "Nota técnica nueva", "Oficio UPM/CEM/7777", "nota técnica", ""])
    with open(registros_csv, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *body])
    write_table(data / "2026", "ajustes", [["A1.1", "DRII", 3, 9, "2026-08-15", "Ampliación <autorizada> & firmada"]])
    second = Runner(data, reports, notebooks=[RESUMEN], jobs=1, log=lambda _: None,
                    motivo="Corrección de folios solicitada por la DGPM").run(Period(2026, 3))
    second_page = (folder / "index.html").read_text(encoding="utf-8")
    write_table(data / "2026", "ajustes", [["A1.1", "DRII", 3, 9, "2026-08-15", "Justificación corregida"]])
    third = Runner(data, reports, notebooks=[RESUMEN], jobs=1, log=lambda _: None,
                   ask_motivo=cli.ask_motivo).run(Period(2026, 3))
    return {
        "data": data, "reports": reports, "folder": folder, "first": first, "second": second, "third": third,
        "first_files": first_files, "second_page": second_page, "removed": removed, "changed": changed,
        "header": header,
    }


def test_every_revision_archives_perspectiva_programacion_vigente_and_its_inputs(revised):
    folder = revised["folder"]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for name in ("perspectiva.csv", "programacion_vigente.csv", "entradas/registros.csv", "entradas/ajustes.csv",
                 "entradas/programacion.csv", "entradas/justificaciones.csv"):
        assert name in manifest["salidas"], name
    wb = open_workbook(2026, "T3", revised["data"])
    assert (folder / "perspectiva.csv").read_text(encoding="utf-8") == perspectiva.to_csv(wb.perspectivas)
    assert (folder / "programacion_vigente.csv").read_text(encoding="utf-8") == ajustes.to_csv(wb.celdas, wb.period)
    vigente = list(csv.DictReader((folder / "programacion_vigente.csv").open(encoding="utf-8")))
    cell = next(r for r in vigente if (r["indicador"], r["unidad_responsable"], r["trimestre"]) == ("A1.1", "DRII", "3"))
    assert (cell["programado_vigente"], cell["fecha_ajuste"], cell["justificacion"]) == (
        "9", "2026-08-15", "Justificación corregida")
    old = folder / "revisiones" / "r001"
    assert (old / "perspectiva.csv").read_bytes() == revised["first_files"][folder / "perspectiva.csv"]
    snapshot = entradas.read(folder, "registros")
    assert snapshot is not None and snapshot[0]["archivo"] == "registros.csv" and snapshot[0]["fila"] == "2"


def test_the_motivo_is_recorded_and_sin_motivo_without_a_terminal(revised):
    folder = revised["folder"]
    read = lambda f: json.loads((f / "manifest.json").read_text(encoding="utf-8"))  # noqa: E731
    assert read(folder / "revisiones" / "r001")["motivo"] == ""
    assert read(folder / "revisiones" / "r002")["motivo"] == "Corrección de folios solicitada por la DGPM"
    assert read(folder)["motivo"] == "sin motivo" and read(folder)["schema_version"] >= 3  # motivo since version 3


def test_a_revision_page_lists_added_removed_and_changed_folios_and_its_motivo(revised):
    page = revised["second_page"]
    header, removed, changed = revised["header"], revised["removed"], revised["changed"]
    assert "Cambios respecto de la revisión 1" in page
    assert "Motivo:</strong> Corrección de folios solicitada por la DGPM" in page
    section = page[page.index("cambios-registros"):]
    section = section[:section.index("</table>")]
    assert "1 agregado(s), 1 eliminado(s), 1 cambiado(s)" in section
    assert "UPM-2026-7777" in section and removed[0] in section and changed[0] in section
    assert "titulo: «" in section and "» → «Título corregido»" in section
    added_row = section[section.index("UPM-2026-7777"):]
    assert "registros.csv, fila" in added_row[:300]
    ajustes_section = page[page.index("cambios-ajustes"):]
    assert "A1.1 · DRII · T3 · 2026-08-15" in ajustes_section and "agregado" in ajustes_section
    # the third revision: only the justification of the ajuste changed
    third = (revised["folder"] / "index.html").read_text(encoding="utf-8")
    assert "Motivo:</strong> sin motivo" in third
    changes = third[third.index("cambios-ajustes"):]
    changes = changes[:changes.index("</table>")]
    assert "justificacion: «Ampliación &lt;autorizada&gt; &amp; firmada» → «Justificación corregida»" in changes
    assert "cambios-registros" not in third


def test_the_period_page_and_the_summary_report_show_the_outlook(revised):
    folder = revised["folder"]
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert "Perspectiva al cierre del año" in page and 'href="perspectiva.csv"' in page
    summary = (folder / "00_resumen.html").read_text(encoding="utf-8")
    assert "Perspectiva al cierre de 2026" in summary and "Para cerrar el año en verde" in summary


# --- report blocks --------------------------------------------------------------------------------------


def test_report_blocks_show_original_and_modified_programado_escaped(data_dir):
    folder = make_year(data_dir, 2026, PLAN, RECORDS)
    write_table(folder, "ajustes", [AJUSTE_T2_CERO, ["A2.3", "CEM", 3, 7, "2026-07-01", "<script>x</script> & más"]])
    wb = open_workbook(2026, "T3", data_dir)
    html = report.indicador_html(wb, "A2.3")
    block = html[html.index("Programación original y modificada"):]
    assert "Programado acumulado a T3: original 6, vigente 9" in block
    assert "01/04/2026" in block and "Se canceló el foro de abril" in block
    assert "&lt;script&gt;x&lt;/script&gt; &amp; más" in block and "<script>" not in html
    outlook = report.perspectiva_html(wb)
    for frase in perspectiva.frases(wb.perspectivas):
        assert str(report.templating.environment().from_string("{{ t }}").render(t=frase.texto)) in outlook
    t4 = report.perspectiva_html(open_workbook(2026, "T4", data_dir))
    assert "Resultado del año 2026" in t4 and "A2.3 cerró el año" in t4


# --- 4. SHCP figures --------------------------------------------------------------------------------------


def test_shcp_export_reimported_shows_zero_differences_then_exactly_one(tmp_path, demo_copy):
    out = tmp_path / "avance.csv"
    assert run_cli("shcp", "--year", "2026", "--period", "T3", "--out", str(out),
                   "--data-dir", str(demo_copy)).returncode == 0
    imported = run_cli("shcp", "--importar", str(out), "--data-dir", str(demo_copy))
    assert imported.returncode == 0 and "Sin diferencias" in imported.stdout, imported.stderr
    assert "datos/2026/shcp_oficial.csv" in input_files(demo_copy, Period(2026, 3), load_params(), [])
    html = report.cifras_shcp_html(open_workbook(2026, "T3", demo_copy))
    assert "Sin diferencias" in html and "⚠ difiere" not in html
    mapping = shcp.load_mapping()
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("latin-1"), newline="")))
    column = rows[0].index("AVANCE_MES9")
    rows[5][column] = str(int(rows[5][column]) + 1)
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    changed = tmp_path / "avance_cambiado.csv"
    changed.write_bytes(buffer.getvalue().encode(mapping.encoding))
    assert run_cli("shcp", "--importar", str(changed), "--data-dir", str(demo_copy)).returncode == 0
    html = report.cifras_shcp_html(open_workbook(2026, "T3", demo_copy))
    assert html.count("⚠ difiere") == 1 and "1 diferencia</strong>" in html
    assert report.cifras_shcp_html(open_workbook(2026, "T3", DEMO)) == ""  # no file imported: no block


# --- the terminal question ---------------------------------------------------------------------------------


class _Stdin(io.StringIO):
    def __init__(self, text: str, tty: bool) -> None:
        super().__init__(text)
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


def test_the_motivo_is_asked_only_on_a_terminal(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", _Stdin("Se corrigió un folio\n", tty=False))
    assert cli.ask_motivo([Period(2026, 3)]) is None
    monkeypatch.setattr(sys, "stdin", _Stdin("Se corrigió un folio\n", tty=True))
    assert cli.ask_motivo([Period(2026, 3)]) == "Se corrigió un folio"
    assert "2026 T3" in capsys.readouterr().err


def test_generar_accepts_motivo():
    result = subprocess.run([str(Path(sys.executable).with_name("mirbook")), "generar", "--help"],
                            capture_output=True, text=True)
    assert "--motivo" in result.stdout


def test_the_data_api_computes_on_the_plan_in_force(data_dir):
    from mirbook import datos

    folder = make_year(data_dir, 2026, PLAN, RECORDS)
    write_table(folder, "ajustes", [AJUSTE_T2_CERO, AJUSTE_T3_EN_T3])
    wb = open_workbook(2026, "T3", data_dir)
    frame = datos.resultados(wb)
    assert int(frame.loc[frame["clave"] == "A2.3", "programado"].iloc[0]) == 2 + 0 + 7
    quarters = datos.por_trimestre(wb, "A2.3")
    assert [int(v) for v in quarters["trimestral_programado"]] == [2, 0, 7]
