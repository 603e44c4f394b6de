"""``mirbook indicadores`` on the demo data against tables computed by hand."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import pytest

from conftest import ROOT, make_year, pinned_root, registros, run_cli
from mirbook.model import SEMAFOROS
from mirbook.table import CSV_COLUMNS
from mirbook.workbook import load_params

NAMES = {i.clave: i.nombre for i in load_params().mir.indicadores}

# Hand-computed from data/2025 (records dated 2025-01-01…2025-12-31; programado of T1–T4):
# FIN 8/9 = 88.89 % (deviation 11.11 → amarillo); PROP 5/4 = 125 % (over-achievement → rojo);
# A2.3 11/10 = 110 % exactly (verde, inclusive bound); A2.1 7/8 = 87.5 % (amarillo).
EXPECTED_2025_T4 = """\
FIN,Fin,anual,true,8,9,88.89,100.00,88.89,amarillo
PROP,Propósito,anual,true,5,4,125.00,100.00,125.00,rojo
C1,Componente,semestral,true,3,4,75.00,100.00,75.00,rojo
C2,Componente,semestral,true,4,4,100.00,100.00,100.00,verde
A1.1,Actividad,trimestral,true,16,16,100.00,100.00,100.00,verde
A1.2,Actividad,trimestral,true,11,12,91.67,100.00,91.67,verde
A1.3,Actividad,trimestral,true,22,24,91.67,100.00,91.67,verde
A2.1,Actividad,trimestral,true,7,8,87.50,100.00,87.50,amarillo
A2.2,Actividad,trimestral,true,16,16,100.00,100.00,100.00,verde
A2.3,Actividad,trimestral,true,11,10,110.00,100.00,110.00,verde
"""

# data/2026 up to 31 March: A1.3 has one record and nothing programmed (empty avance, no_aplica);
# FIN, PROP, C1, C2 do not report in T1; A1.1 4/5 = 80 % exactly (amarillo, inclusive bound).
EXPECTED_2026_T1 = """\
FIN,Fin,anual,false,2,2,100.00,100.00,100.00,no_aplica
PROP,Propósito,anual,false,0,0,,100.00,,no_aplica
C1,Componente,semestral,false,0,0,,100.00,,no_aplica
C2,Componente,semestral,false,0,0,,100.00,,no_aplica
A1.1,Actividad,trimestral,true,4,5,80.00,100.00,80.00,amarillo
A1.2,Actividad,trimestral,true,1,2,50.00,100.00,50.00,rojo
A1.3,Actividad,trimestral,true,1,0,,100.00,,no_aplica
A2.1,Actividad,trimestral,true,0,2,0.00,100.00,0.00,rojo
A2.2,Actividad,trimestral,true,5,5,100.00,100.00,100.00,verde
A2.3,Actividad,trimestral,true,2,2,100.00,100.00,100.00,verde
"""


def _expected(year: int, period: str, table: str) -> list[dict[str, str]]:
    out = []
    for line in table.strip().splitlines():
        clave, nivel, freq, reporta, real, prog, avance, meta, cumpl, sem = line.split(",")
        out.append(dict(zip(CSV_COLUMNS, [str(year), period, clave, nivel, NAMES[clave], freq, reporta,
                                          real, prog, avance, meta, cumpl, sem])))
    return out


@pytest.fixture(scope="module")
def pinned(tmp_path_factory) -> dict[str, str]:
    """The environment that makes ``mirbook`` use the tests' institutional parameters."""
    return {"MIRBOOK_ROOT": str(pinned_root(tmp_path_factory.mktemp("root")))}


@pytest.mark.parametrize(("year", "period", "table"), [(2025, "T4", EXPECTED_2025_T4), (2026, "T1", EXPECTED_2026_T1)])
def test_demo_tables_match_the_hand_computation(year, period, table, pinned):
    result = run_cli("indicadores", "--year", str(year), "--period", period, "--data-dir", str(ROOT / "data"), env=pinned)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == ",".join(CSV_COLUMNS)
    assert list(csv.DictReader(io.StringIO(result.stdout))) == _expected(year, period, table)


def test_out_writes_utf8_file(tmp_path):
    out = tmp_path / "sub" / "indicadores.csv"
    result = run_cli("indicadores", "--year", "2026", "--period", "T3", "--data-dir", str(ROOT / "data"), "--out", str(out))
    assert result.returncode == 0, result.stderr
    text = out.read_bytes().decode("utf-8")
    assert not text.startswith("\ufeff") and "\r\n" not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["clave"] for r in rows] == list(NAMES)
    assert {r["semaforo"] for r in rows} <= set(SEMAFOROS)


def test_unseen_style_dataset_xlsx_plan_cp1252_records_bom_justifications(tmp_path, pinned):
    data_dir = tmp_path / "datos"
    plan = [["A2.2", "CEM", q, 3] for q in (1, 2, 3, 4)] + [["C2", "CEM", 2, 1], ["C2", "CEM", 4, 1]]
    recs = registros("A2.2", "CEM", ["2026-03-31", "2026-04-01", "2026-06-30", "2026-07-01", "2026-12-31"],
                     tipo="serie histórica")
    recs += registros("C2", "CEM", ["2026-06-15"])
    just = [["A2.2", 2, "Causa: el INM entregó tarde los registros", "Efecto: boletín pospuesto", "Ninguno"]]
    make_year(data_dir, 2026, plan, recs, just,
              fmts={"programacion": "xlsx", "registros": "cp1252", "justificaciones": "utf-8-sig"})
    expected = {  # quarter: (A2.2 realizado, programado, avance, semáforo), C2 semáforo
        "T1": ("1", "3", "33.33", "rojo", "no_aplica"),
        "T2": ("3", "6", "50.00", "rojo", "verde"),
        "T3": ("4", "9", "44.44", "rojo", "no_aplica"),
        "T4": ("5", "12", "41.67", "rojo", "rojo"),
    }
    for period, (real, prog, avance, sem, c2) in expected.items():
        result = run_cli("indicadores", "--year", "2026", "--period", period, "--data-dir", str(data_dir), env=pinned)
        assert result.returncode == 0, result.stderr
        rows = {r["clave"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
        a22 = rows["A2.2"]
        assert (a22["realizado"], a22["programado"], a22["avance_pct"], a22["semaforo"]) == (real, prog, avance, sem)
        assert rows["C2"]["semaforo"] == c2
        assert rows["FIN"]["avance_pct"] == "" and rows["FIN"]["semaforo"] == "no_aplica"


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["--year", "2026", "--period", "T5"], 2, "Periodo no válido"),
        (["--year", "20x6", "--period", "T1"], 2, "Año no válido"),
        (["--year", "2031", "--period", "T1"], 1, "No existe la carpeta del año 2031"),
        (["--period", "T1"], 2, "faltan los argumentos obligatorios"),
    ],
)
def test_bad_arguments_get_spanish_messages_without_traceback(args, code, needle):
    result = run_cli("indicadores", *args)
    assert result.returncode == code
    assert needle in result.stderr
    assert "Traceback" not in result.stderr


def test_indicadores_imports_nothing_heavy():
    code = (
        "import sys; from mirbook.cli import main; rc = main(['indicadores','--year','2026','--period','T3','--out','/dev/null']);"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'pandas','great_expectations','seaborn','matplotlib',"
        "'jupyter_client','nbconvert','papermill','nbclient','weasyprint','IPython','numpy'});"
        "print(heavy); sys.exit(rc or bool(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


# --- indicadores validates like validar (issue 15) ---------------------------------------------

def _demo_copy(tmp_path, year: int = 2026):
    import shutil

    data_dir = tmp_path / "datos"
    shutil.copytree(ROOT / "data" / str(year), data_dir / str(year))
    return data_dir


def _replace_in(path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


@pytest.mark.parametrize(
    ("table", "old", "new", "needle"),
    [
        ("registros", ",A1.1,DPPIM,", ",a1.1,DPPIM,", "a1.1"),  # a clave it cannot read
        ("programacion", "FIN,DPPIM,1,1", "A9.9,DPPIM,1,1", "A9.9"),  # an unknown clave
    ],
)
def test_a_clave_it_cannot_read_is_refused_like_validar(tmp_path, table, old, new, needle):
    data_dir = _demo_copy(tmp_path)
    _replace_in(data_dir / "2026" / f"{table}.csv", old, new)
    result = run_cli("indicadores", "--year", "2026", "--period", "T3", "--data-dir", str(data_dir))
    assert result.returncode == 1
    assert result.stdout == ""  # no table at all
    assert needle in result.stderr and "Traceback" not in result.stderr
    validar = run_cli("validar", "--year", "2026", "--period", "T3", "--data-dir", str(data_dir))
    assert validar.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert errors == [line for line in validar.stderr.splitlines() if line.startswith("Error: ")]


def test_out_pointing_at_a_folder_is_a_spanish_usage_error(tmp_path):
    result = run_cli("indicadores", "--year", "2026", "--period", "T3", "--data-dir", str(ROOT / "data"),
                     "--out", str(tmp_path))
    assert result.returncode == 2
    assert "es una carpeta" in result.stderr and "Traceback" not in result.stderr


# Each mutation breaks one error rule of validation (mirbook.validation.checks); the light screen
# must notice every one of them (else indicadores would print figures validar refuses).
SCREEN_MUTATIONS = [
    ("registros", ",A1.1,DPPIM,", ",a1.1,DPPIM,"),
    ("registros", ",A1.1,DPPIM,", ",A1.1,XYZ,"),
    ("registros", ",A1.1,DPPIM,2026-01-02", ",A1.1,DPPIM,2026-02-30"),
    ("registros", ",A1.1,DPPIM,2026-01-02", ",A1.1,DPPIM,2025-12-31"),
    ("registros", "UPM-2026-0002,", "UPM-2026-0001,"),
    ("registros", ",programa,", ",programas,"),
    ("registros", ",Expediente interno UPM/DPPIM/EXP-001/2026,", ",,"),
    ("programacion", "FIN,DPPIM,1,1", "FIN,DPPIM,1,1.5"),
    ("programacion", "FIN,DPPIM,1,1", "FIN,DPPIM,5,1"),
    ("programacion", "FIN,DPPIM,1,1", "FIN,DPPIM,1,-1"),
    ("programacion", "FIN,DPPIM,1,1", "FIN,DPPIM,3,1"),
    ("programacion", "FIN,DPPIM,1,1", "FIN,CEM,1,1"),
    ("justificaciones", "A1.1,1,", "A1.1,0,"),
    ("justificaciones", "A1.1,1,", "B1.1,1,"),
]


def test_the_light_screen_catches_what_validation_refuses(tmp_path):
    from conftest import load_pinned_params
    from mirbook.model import Period
    from mirbook.sources import YearInputs
    from mirbook.validation import validate
    from mirbook.validation.screen import needs_validation

    params = load_pinned_params()
    clean = _demo_copy(tmp_path / "limpio")
    assert not needs_validation(YearInputs.read(clean, 2026).tables, params, 2026)
    for number, (table, old, new) in enumerate(SCREEN_MUTATIONS):
        data_dir = _demo_copy(tmp_path / f"m{number}")
        _replace_in(data_dir / "2026" / f"{table}.csv", old, new)
        inputs = YearInputs.read(data_dir, 2026)
        result = validate(data_dir, Period(2026, 3), params, inputs)
        assert not result.ok, (table, old, new)  # the mutation does break a rule
        assert needs_validation(inputs.tables, params, 2026), (table, old, new)
