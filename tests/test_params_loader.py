"""The strict loader of ``params/`` (:mod:`mirbook.params`): defaults with overrides, and every error.

Each test works on a copy of the real params in a temporary folder, changed in one
place, so none depends on the values the evaluation area may edit.
"""

from __future__ import annotations

import copy
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from mirbook.errors import ParamsError
from mirbook.params import load_mir, load_organizacion

REAL_MIR = yaml.safe_load((ROOT / "params" / "mir.yaml").read_text(encoding="utf-8"))
REAL_ORG = yaml.safe_load((ROOT / "params" / "organizacion.yaml").read_text(encoding="utf-8"))


def _write(folder: Path, name: str, data) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _mir(tmp_path: Path, change) -> Path:
    data = copy.deepcopy(REAL_MIR)
    change(data)
    return _write(tmp_path, "mir.yaml", data)


def _first(data) -> dict:
    return data["indicadores"][0]


def _error(path: Path, loader=load_mir) -> str:
    with pytest.raises(ParamsError) as caught:
        loader(path)
    return str(caught.value)


# --- defaults and overrides ------------------------------------------------------------------


def test_the_real_params_load_as_their_copy_does(tmp_path):
    assert load_mir(_mir(tmp_path, lambda d: None)) == load_mir(ROOT / "params" / "mir.yaml")


def test_an_indicator_inherits_the_defaults_and_overrides_key_by_key(tmp_path):
    def change(data):
        data["parametros_institucionales"]["umbral_verde"] = 7
        data["parametros_institucionales"]["umbral_rojo"] = 30
        data["indicadores"][1]["parametros_institucionales"] = {"umbral_rojo": 25, "metas_pct_por_anio": {2026: 95}}

    mir = load_mir(_mir(tmp_path, change))
    first, second = mir.indicadores[0], mir.indicadores[1]
    assert (first.umbral_verde, first.umbral_rojo) == (7, 30)
    assert (second.umbral_verde, second.umbral_rojo) == (7, 25)  # only umbral_rojo overridden
    assert second.meta_for(2026) == Fraction(95) and second.meta_for(2025) == second.meta_pct
    assert first.metas_pct_por_anio == {}


def test_without_defaults_every_indicator_writes_its_block_in_full(tmp_path):
    full = dict(REAL_MIR["parametros_institucionales"])

    def change(data):
        del data["parametros_institucionales"]
        for ind in data["indicadores"]:
            ind["parametros_institucionales"] = {**full, **(ind.get("parametros_institucionales") or {})}

    assert load_mir(_mir(tmp_path, change)) == load_mir(ROOT / "params" / "mir.yaml")


def test_a_key_neither_default_nor_overridden_is_missing_for_that_indicator(tmp_path):
    def change(data):
        del data["parametros_institucionales"]["umbral_rojo"]

    message = _error(_mir(tmp_path, change))
    assert "indicador FIN, parametros_institucionales: faltan las claves umbral_rojo" in message


def test_changing_one_threshold_changes_that_indicator_only(tmp_path):
    def change(data):
        data["indicadores"][4]["parametros_institucionales"] = {"umbral_verde": 5}

    changed = load_mir(_mir(tmp_path, change))
    real = load_mir(ROOT / "params" / "mir.yaml")
    differ = [a.clave for a, b in zip(changed.indicadores, real.indicadores) if a != b]
    assert differ == [real.indicadores[4].clave]
    assert changed.indicadores[4].umbral_verde == 5


# --- every error branch of mir.yaml ----------------------------------------------------------


def test_missing_file(tmp_path):
    assert "No se encontró el archivo de parámetros" in _error(tmp_path / "no-existe.yaml")


def test_unreadable_yaml(tmp_path):
    path = tmp_path / "mir.yaml"
    path.write_text("programa: [sin cerrar\n", encoding="utf-8")
    assert "el archivo YAML no se puede leer" in _error(path)


def test_not_a_mapping(tmp_path):
    path = tmp_path / "mir.yaml"
    path.write_text("- una\n- lista\n", encoding="utf-8")
    assert "se esperaba una tabla de claves y valores" in _error(path)


MIR_ERRORS = [
    ("missing top-level key", lambda d: d.pop("fuente"), "faltan las claves fuente"),
    ("unknown top-level key", lambda d: d.update(extra=1), "claves desconocidas extra"),
    ("empty text", lambda d: d.update(programa="  "), "«programa» debe ser un texto no vacío"),
    ("frecuencias not a table", lambda d: d.update(frecuencias=[]), "«frecuencias» debe ser una tabla"),
    ("quarter outside 1–4", lambda d: d["frecuencias"].update(rara=[5]), "la frecuencia «rara» debe listar"),
    ("no indicators", lambda d: d.update(indicadores=[]), "«indicadores» debe ser una lista no vacía"),
    ("unknown default key", lambda d: d["parametros_institucionales"].update(color="rojo"),
     "parametros_institucionales: claves desconocidas color"),
    ("defaults not a table", lambda d: d.update(parametros_institucionales=[1]),
     "parametros_institucionales: se esperaba una tabla"),
    ("unknown override key", lambda d: _first(d).update(parametros_institucionales={"umbral": 3}),
     "indicador FIN, parametros_institucionales: claves desconocidas umbral"),
    ("indicator not a table", lambda d: d["indicadores"].append("X"), "indicador 11: se esperaba una tabla"),
    ("unknown indicator key", lambda d: _first(d).update(peso=1), "indicador 1: claves desconocidas peso"),
    ("missing indicator key", lambda d: _first(d).pop("numerador"), "indicador 1: faltan las claves numerador"),
    ("unknown nivel", lambda d: _first(d).update(nivel="Meta"), "nivel «Meta» desconocido"),
    ("missing texto_mir key", lambda d: _first(d)["texto_mir"].pop("supuestos"),
     "indicador FIN, texto_mir: faltan las claves supuestos"),
    ("undefined frecuencia", lambda d: _first(d).update(parametros_institucionales={"frecuencia": "mensual"}),
     "frecuencia «mensual» no está definida"),
    ("unknown sentido", lambda d: _first(d).update(parametros_institucionales={"sentido": "lateral"}),
     "sentido «lateral» desconocido"),
    ("threshold not a number", lambda d: _first(d).update(parametros_institucionales={"umbral_verde": "diez"}),
     "«umbral_verde» debe ser un número (se encontró «diez»)"),
    ("threshold a boolean", lambda d: _first(d).update(parametros_institucionales={"umbral_rojo": True}),
     "«umbral_rojo» debe ser un número."),
    ("negative meta", lambda d: _first(d).update(parametros_institucionales={"meta_pct": -1}),
     "«meta_pct» no puede ser negativo"),
    ("verde above rojo", lambda d: _first(d).update(parametros_institucionales={"umbral_verde": 30}),
     "umbral_verde (30) no puede ser mayor que umbral_rojo"),
    ("metas por año not a table", lambda d: _first(d).update(parametros_institucionales={"metas_pct_por_anio": [95]}),
     "«metas_pct_por_anio» debe ser una tabla año: meta"),
    ("metas por año with a word for a year",
     lambda d: _first(d).update(parametros_institucionales={"metas_pct_por_anio": {"próximo": 95}}),
     "«próximo» no es un año de cuatro cifras"),
    ("metas por año with a bad meta",
     lambda d: _first(d).update(parametros_institucionales={"metas_pct_por_anio": {2026: "mucho"}}),
     "metas_pct_por_anio: «2026» debe ser un número"),
    ("tipos not a list of texts", lambda d: _first(d).update(tipos_producto=["a", 3]),
     "«tipos_producto» debe ser una lista de textos"),
    ("repeated clave", lambda d: d["indicadores"][1].update(clave="FIN"), "claves de indicador repetidas: FIN"),
    ("bad component", lambda d: d["componentes"][0].pop("nombre"), "componente 1: faltan las claves nombre"),
    ("unknown padre", lambda d: d["indicadores"][1].update(padre="X9"), "«X9» no es un indicador de la MIR"),
]


@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in MIR_ERRORS], ids=[c[0] for c in MIR_ERRORS])
def test_mir_error(tmp_path, change, expected):
    message = _error(_mir(tmp_path, change))
    assert expected in message
    assert str(tmp_path / "mir.yaml") in message  # every message names the file


# --- every error branch of organizacion.yaml -------------------------------------------------


def _org(tmp_path: Path, change) -> Path:
    data = copy.deepcopy(REAL_ORG)
    change(data)
    return _write(tmp_path, "organizacion.yaml", data)


def _unit(data) -> dict:
    return data["unidades"][0]


ORG_ERRORS = [
    ("missing key", lambda d: d.pop("area_evaluacion"), "faltan las claves area_evaluacion"),
    ("unknown key", lambda d: d.update(sede="CDMX"), "claves desconocidas sede"),
    ("no units", lambda d: d.update(unidades=[]), "«unidades» debe ser una lista no vacía"),
    ("unit without clave", lambda d: _unit(d).pop("clave"), "unidad 1: faltan las claves clave"),
    ("unit with an unknown key", lambda d: _unit(d).update(telefono="55"), "unidad 1: claves desconocidas telefono"),
    ("empty unit name", lambda d: _unit(d).update(nombre=""), "unidad 1: «nombre» debe ser un texto no vacío"),
    ("puede_reportar not a list", lambda d: _unit(d).update(puede_reportar="C1"),
     "«puede_reportar» debe ser una lista de textos"),
    ("puede_reportar an unknown indicator", lambda d: _unit(d).update(puede_reportar=["Z1"]),
     "«puede_reportar» nombra indicadores que no existen: Z1"),
]


@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in ORG_ERRORS], ids=[c[0] for c in ORG_ERRORS])
def test_organizacion_error(tmp_path, change, expected):
    mir = load_mir(ROOT / "params" / "mir.yaml")
    path = _org(tmp_path, change)
    with pytest.raises(ParamsError) as caught:
        load_organizacion(path, mir)
    assert expected in str(caught.value) and str(path) in str(caught.value)


def test_organizacion_without_a_mir_does_not_check_claves(tmp_path):
    path = _org(tmp_path, lambda d: _unit(d).update(puede_reportar=["Z1"]))
    assert load_organizacion(path).unidades[0].puede_reportar == ("Z1",)
