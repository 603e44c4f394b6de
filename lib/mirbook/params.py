"""Load ``params/mir.yaml`` and ``params/organizacion.yaml`` into the typed model.

Both files are checked on load: a missing or unknown key, or a value of the
wrong kind, raises :class:`ParamsError` with a Spanish message naming the file,
the entry and the key.

``mir.yaml`` states the institutional parameters once, in a top-level
``parametros_institucionales`` block of defaults; an indicator's own
``parametros_institucionales`` overrides them key by key (a key it writes replaces the
default's value whole). The merged block is checked as if it had been written out in
full, so an error names the indicator it applies to.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from .errors import ParamsError
from .model import Componente, Indicator, Mir, Organizacion, TextoMir, Unidad

NIVELES = ("Fin", "Propósito", "Componente", "Actividad")
SENTIDOS = ("ascendente", "descendente")

_MIR_KEYS = {
    "programa", "institucion", "fuente", "frecuencias", "componentes", "parametros_institucionales", "indicadores",
}
_INDICATOR_KEYS = {
    "clave", "nivel", "padre", "componente", "unidad_responsable", "texto_mir",
    "numerador", "denominador", "parametros_institucionales", "tipos_producto", "flujos",
}
_TEXT_KEYS = {"resumen_narrativo", "nombre", "definicion", "metodo_calculo", "medios_verificacion", "supuestos"}
_PARAM_KEYS = {
    "frecuencia", "tipo", "dimension", "unidad_medida", "sentido", "meta_pct",
    "metas_pct_por_anio", "umbral_verde", "umbral_rojo",
}
_COMPONENT_KEYS = {"clave", "nombre", "unidad_responsable"}
_ORG_KEYS = {"institucion", "fuente", "area_evaluacion", "unidades"}
_UNIT_KEYS = {"clave", "nombre", "nombre_alterno", "descripcion", "nota", "puede_reportar"}


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParamsError(f"No se encontró el archivo de parámetros {path}.") from None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise ParamsError(f"{path}: el archivo YAML no se puede leer ({exc}).") from None


def _check_keys(obj: Any, expected: set[str], where: str, optional: set[str] = frozenset()) -> dict:
    if not isinstance(obj, dict):
        raise ParamsError(f"{where}: se esperaba una tabla de claves y valores.")
    missing = expected - optional - set(obj)
    unknown = set(obj) - expected
    if missing:
        raise ParamsError(f"{where}: faltan las claves {', '.join(sorted(missing))}.")
    if unknown:
        raise ParamsError(f"{where}: claves desconocidas {', '.join(sorted(unknown))}.")
    return obj


def _text(obj: dict, key: str, where: str, allow_none: bool = False) -> Any:
    value = obj.get(key)
    if value is None and allow_none:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ParamsError(f"{where}: «{key}» debe ser un texto no vacío.")
    return " ".join(value.split())


def _number(obj: dict, key: str, where: str) -> Fraction:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ParamsError(f"{where}: «{key}» debe ser un número.")
    try:
        number = Fraction(str(value))
    except ValueError:
        raise ParamsError(f"{where}: «{key}» debe ser un número (se encontró «{value}»).") from None
    if number < 0:
        raise ParamsError(f"{where}: «{key}» no puede ser negativo.")
    return number


def _str_list(obj: dict, key: str, where: str) -> tuple[str, ...]:
    value = obj.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ParamsError(f"{where}: «{key}» debe ser una lista de textos.")
    return tuple(v.strip() for v in value)


def _param_block(obj: Any, where: str) -> dict:
    """A ``parametros_institucionales`` block as written (defaults or overrides): known keys only."""
    if obj is None:
        return {}
    return _check_keys(obj, _PARAM_KEYS, where, optional=_PARAM_KEYS)


def _indicator(raw: Any, index: int, path: Path, frecuencias: dict, defaults: dict) -> Indicator:
    where = f"{path}, indicador {index + 1}"
    _check_keys(raw, _INDICATOR_KEYS, where, optional={"tipos_producto", "flujos", "parametros_institucionales"})
    clave = _text(raw, "clave", where)
    where = f"{path}, indicador {clave}"
    nivel = _text(raw, "nivel", where)
    if nivel not in NIVELES:
        raise ParamsError(f"{where}: nivel «{nivel}» desconocido; use {', '.join(NIVELES)}.")
    textos = _check_keys(raw["texto_mir"], _TEXT_KEYS, f"{where}, texto_mir")
    overrides = _param_block(raw.get("parametros_institucionales"), f"{where}, parametros_institucionales")
    params = _check_keys(
        {**defaults, **overrides}, _PARAM_KEYS, f"{where}, parametros_institucionales",
        optional={"metas_pct_por_anio"},
    )
    pwhere = f"{where}, parametros_institucionales"
    frecuencia = _text(params, "frecuencia", pwhere)
    if frecuencia not in frecuencias:
        raise ParamsError(f"{pwhere}: frecuencia «{frecuencia}» no está definida en «frecuencias».")
    sentido = _text(params, "sentido", pwhere)
    if sentido not in SENTIDOS:
        raise ParamsError(f"{pwhere}: sentido «{sentido}» desconocido; use ascendente o descendente.")
    verde = _number(params, "umbral_verde", pwhere)
    rojo = _number(params, "umbral_rojo", pwhere)
    if verde > rojo:
        raise ParamsError(f"{pwhere}: umbral_verde ({verde}) no puede ser mayor que umbral_rojo ({rojo}).")
    metas_raw = params.get("metas_pct_por_anio") or {}
    if not isinstance(metas_raw, dict):
        raise ParamsError(f"{pwhere}: «metas_pct_por_anio» debe ser una tabla año: meta.")
    for year in metas_raw:
        if isinstance(year, bool) or not str(year).isdigit() or len(str(year)) != 4:
            raise ParamsError(f"{pwhere}, metas_pct_por_anio: «{year}» no es un año de cuatro cifras.")
    metas = {int(year): _number(metas_raw, year, f"{pwhere}, metas_pct_por_anio") for year in metas_raw}
    return Indicator(
        clave=clave,
        nivel=nivel,
        padre=_text(raw, "padre", where, allow_none=True),
        componente=_text(raw, "componente", where, allow_none=True),
        unidad_responsable=_text(raw, "unidad_responsable", where, allow_none=True),
        texto=TextoMir(**{key: _text(textos, key, f"{where}, texto_mir") for key in sorted(_TEXT_KEYS)}),
        numerador=_text(raw, "numerador", where),
        denominador=_text(raw, "denominador", where),
        frecuencia=frecuencia,
        tipo=_text(params, "tipo", pwhere),
        dimension=_text(params, "dimension", pwhere),
        unidad_medida=_text(params, "unidad_medida", pwhere),
        sentido=sentido,
        meta_pct=_number(params, "meta_pct", pwhere),
        metas_pct_por_anio=metas,
        umbral_verde=verde,
        umbral_rojo=rojo,
        tipos_producto=_str_list(raw, "tipos_producto", where),
        flujos=_str_list(raw, "flujos", where),
    )


def load_mir(path: Path) -> Mir:
    """Load and check ``mir.yaml``."""
    raw = _check_keys(_read_yaml(path), _MIR_KEYS, str(path), optional={"parametros_institucionales"})
    freqs_raw = raw["frecuencias"]
    if not isinstance(freqs_raw, dict) or not freqs_raw:
        raise ParamsError(f"{path}: «frecuencias» debe ser una tabla frecuencia: [trimestres].")
    frecuencias: dict[str, frozenset[int]] = {}
    for name, quarters in freqs_raw.items():
        if not isinstance(quarters, list) or not all(q in (1, 2, 3, 4) for q in quarters):
            raise ParamsError(f"{path}: la frecuencia «{name}» debe listar trimestres entre 1 y 4.")
        frecuencias[str(name)] = frozenset(quarters)
    if not isinstance(raw["indicadores"], list) or not raw["indicadores"]:
        raise ParamsError(f"{path}: «indicadores» debe ser una lista no vacía.")
    defaults = _param_block(raw.get("parametros_institucionales"), f"{path}, parametros_institucionales")
    indicadores = tuple(
        _indicator(item, i, path, frecuencias, defaults) for i, item in enumerate(raw["indicadores"])
    )
    claves = [i.clave for i in indicadores]
    repeated = sorted({c for c in claves if claves.count(c) > 1})
    if repeated:
        raise ParamsError(f"{path}: claves de indicador repetidas: {', '.join(repeated)}.")
    componentes = []
    for index, item in enumerate(raw["componentes"] or []):
        where = f"{path}, componente {index + 1}"
        _check_keys(item, _COMPONENT_KEYS, where)
        componentes.append(Componente(*(_text(item, key, where) for key in ("clave", "nombre", "unidad_responsable"))))
    for indicator in indicadores:
        for ref in (indicator.padre, indicator.componente):
            if ref is not None and ref not in claves:
                raise ParamsError(f"{path}, indicador {indicator.clave}: «{ref}» no es un indicador de la MIR.")
    return Mir(
        programa=_text(raw, "programa", str(path)),
        institucion=_text(raw, "institucion", str(path)),
        fuente=_text(raw, "fuente", str(path)),
        frecuencias=frecuencias,
        componentes=tuple(componentes),
        indicadores=indicadores,
    )


def load_organizacion(path: Path, mir: Mir | None = None) -> Organizacion:
    """Load and check ``organizacion.yaml`` (against the MIR's claves when given)."""
    raw = _check_keys(_read_yaml(path), _ORG_KEYS, str(path), optional={"fuente"})
    unidades = []
    for index, item in enumerate(raw["unidades"] or []):
        where = f"{path}, unidad {index + 1}"
        _check_keys(item, _UNIT_KEYS, where, optional={"nombre_alterno", "descripcion", "nota"})
        unidad = Unidad(
            clave=_text(item, "clave", where),
            nombre=_text(item, "nombre", where),
            nombre_alterno=_text(item, "nombre_alterno", where, allow_none=True),
            descripcion=_text(item, "descripcion", where, allow_none=True) or "",
            nota=_text(item, "nota", where, allow_none=True),
            puede_reportar=_str_list(item, "puede_reportar", where),
        )
        if mir is not None:
            unknown = [c for c in unidad.puede_reportar if c not in mir.claves]
            if unknown:
                raise ParamsError(f"{where}: «puede_reportar» nombra indicadores que no existen: {', '.join(unknown)}.")
        unidades.append(unidad)
    if not unidades:
        raise ParamsError(f"{path}: «unidades» debe ser una lista no vacía.")
    return Organizacion(
        institucion=_text(raw, "institucion", str(path)),
        area_evaluacion=_text(raw, "area_evaluacion", str(path)),
        unidades=tuple(unidades),
    )
