"""Pruebas de los parámetros derivados de los documentos fuente (seeds).

Comprueban que params/mir.yaml reproduce literalmente el texto de la MIR (seed 000), que los
parámetros institucionales están bien formados (sin fijar sus valores: el área de evaluación
puede cambiarlos, y cambiarlos no debe romper las pruebas; el cargador se prueba en
tests/test_params_loader.py) y que params/organizacion.yaml coincide con la organización
(seed 004, mir-domain.md §2).

Usan pyyaml y, para el bloque de parámetros, el cargador de mirbook. Los seeds se buscan en ../shared/seeds respecto de la
raíz del repositorio; si no existen, se usa la copia literal de tests/fixtures/seeds/.
"""

import re
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).resolve()
REPO = HERE.parents[1]
SHARED_SEEDS = HERE.parents[2] / "shared" / "seeds"
FIXTURE_SEEDS = HERE.parent / "fixtures" / "seeds"
MIR_SEED = "000_2b3c96372d3c7906.txt"
ORG_SEED = "004_7c9436ae8c335edf.txt"


def _seed_dir() -> Path:
    if all((SHARED_SEEDS / name).is_file() for name in (MIR_SEED, ORG_SEED)):
        return SHARED_SEEDS
    return FIXTURE_SEEDS


SEED_DIR = _seed_dir()

CLAVES = ["FIN", "PROP", "C1", "C2", "A1.1", "A1.2", "A1.3", "A2.1", "A2.2", "A2.3"]
CAMPOS = [
    "resumen_narrativo",
    "nombre",
    "definicion",
    "metodo_calculo",
    "medios_verificacion",
    "supuestos",
]


def norm(text: str) -> str:
    """Une espacios, saltos de línea y espacios duros (U+00A0) en un solo espacio."""
    return re.sub(r"\s+", " ", text).strip()


def _read_seed(name: str) -> str:
    return (SEED_DIR / name).read_text(encoding="utf-8")


def _load(name: str) -> dict:
    with open(REPO / "params" / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def mir():
    return _load("mir.yaml")


@pytest.fixture(scope="module")
def org():
    return _load("organizacion.yaml")


@pytest.fixture(scope="module")
def seed_mir():
    return norm(_read_seed(MIR_SEED))


@pytest.fixture(scope="module")
def seed_org():
    return norm(_read_seed(ORG_SEED))


@pytest.fixture(scope="module")
def por_clave(mir):
    return {ind["clave"]: ind for ind in mir["indicadores"]}


# --------------------------------------------------------------------------- seeds


def test_seeds_disponibles():
    for name in (MIR_SEED, ORG_SEED):
        assert (SEED_DIR / name).is_file(), SEED_DIR / name


def test_copia_de_fixtures_identica_a_la_fuente():
    """La copia de respaldo debe ser byte por byte igual a los seeds compartidos."""
    for name in (MIR_SEED, ORG_SEED):
        assert (FIXTURE_SEEDS / name).is_file(), f"falta la copia tests/fixtures/seeds/{name}"
        if (SHARED_SEEDS / name).is_file():
            assert (FIXTURE_SEEDS / name).read_bytes() == (SHARED_SEEDS / name).read_bytes()


# --------------------------------------------------------------------------- mir.yaml: estructura


def test_cabecera(mir):
    assert mir["programa"] == "Matriz de Indicadores para Resultados (MIR)"
    assert mir["institucion"] == "Unidad de Política Migratoria"
    assert MIR_SEED in mir["fuente"]
    assert mir["frecuencias"] and all(set(q) <= {1, 2, 3, 4} for q in mir["frecuencias"].values())
    assert mir["componentes"] == [
        {"clave": "C1", "nombre": "Componente 1", "unidad_responsable": "CPM"},
        {"clave": "C2", "nombre": "Componente 2", "unidad_responsable": "CEM"},
    ]


def test_diez_indicadores_en_orden_mir(mir):
    claves = [ind["clave"] for ind in mir["indicadores"]]
    assert claves == CLAVES


def test_texto_mir_completo(mir):
    for ind in mir["indicadores"]:
        texto = ind["texto_mir"]
        assert list(texto) == CAMPOS, ind["clave"]
        for campo in CAMPOS:
            valor = texto[campo]
            assert isinstance(valor, str) and valor.strip(), (ind["clave"], campo)
            # ya normalizado en el YAML: sin espacios dobles ni en los extremos
            assert valor == norm(valor), (ind["clave"], campo)


NIVEL = {"FIN": "Fin", "PROP": "Propósito", "C1": "Componente", "C2": "Componente"}
PADRE = {"FIN": None, "PROP": "FIN", "C1": "PROP", "C2": "PROP"}


def _esperado_jerarquia(clave):
    if clave in NIVEL:
        nivel, padre = NIVEL[clave], PADRE[clave]
    else:
        nivel, padre = "Actividad", "C" + clave[1]
    componente = None if clave in ("FIN", "PROP") else "C" + clave[1]
    unidad = {None: None, "C1": "CPM", "C2": "CEM"}[componente]
    return nivel, padre, componente, unidad


def test_jerarquia(mir):
    for ind in mir["indicadores"]:
        nivel, padre, componente, unidad = _esperado_jerarquia(ind["clave"])
        assert ind["nivel"] == nivel, ind["clave"]
        assert ind["padre"] == padre, ind["clave"]
        assert ind["componente"] == componente, ind["clave"]
        assert ind["unidad_responsable"] == unidad, ind["clave"]
        assert isinstance(ind["numerador"], str) and ind["numerador"].strip()
        assert isinstance(ind["denominador"], str) and ind["denominador"].strip()


# --------------------------------------------------------------------------- mir.yaml: texto literal


def test_cada_campo_es_literal_de_la_fuente(mir, seed_mir):
    for ind in mir["indicadores"]:
        for campo in CAMPOS:
            valor = norm(ind["texto_mir"][campo])
            assert valor in seed_mir, (ind["clave"], campo, valor)


# Entre dos campos consecutivos solo puede haber espacio y, antes del resumen narrativo,
# el número de esquema de la MIR ("1.", "1.1", "2.3", ...).
_HUECO = re.compile(r"\s*(\d+(\.\d+)?\.?)?\s*")


def test_campos_cubren_la_fuente_en_orden(mir, seed_mir):
    """Los 60 campos, leídos en orden MIR, recorren el seed entero sin saltarse texto."""
    pos = 0
    for ind in mir["indicadores"]:
        for campo in CAMPOS:
            valor = norm(ind["texto_mir"][campo])
            idx = seed_mir.find(valor, pos)
            assert idx >= 0, (ind["clave"], campo, "no aparece después del campo anterior")
            hueco = seed_mir[pos:idx]
            assert _HUECO.fullmatch(hueco), (ind["clave"], campo, f"texto omitido: {hueco!r}")
            pos = idx + len(valor)
    assert seed_mir[pos:].strip() == "", f"texto final omitido: {seed_mir[pos:]!r}"


# (clave, campo, texto normalizado esperado): frases clave de la MIR, comparadas por igualdad.
# Incluye nombre y método de cálculo de los diez indicadores y las celdas que la fuente une
# en una sola línea (nombre + definición, medios + supuestos).
ESPERADO = [
    (
        'FIN',
        'resumen_narrativo',
        (
            'Contribuir a la formulación de la política migratoria del país mediante el '
            'diseño de estrategias, programas y acciones acordes a la normativa vigente en la'
            ' materia, en un marco de coordinación bi y multilateral.'
        ),
    ),
    (
        'FIN',
        'nombre',
        (
            'Porcentaje de propuestas de política para la inmigración, emigración, tránsito o'
            ' retorno.'
        ),
    ),
    (
        'FIN',
        'metodo_calculo',
        (
            '(Propuestas de política migratoria elaboradas/Total de propuestas de política '
            'migratoria programadas) X 100'
        ),
    ),
    (
        'FIN',
        'supuestos',
        (
            'Se cuentan con estudios, investigaciones, encuestas y datos estadísticos, así '
            'mismo, se realizan reuniones estratégicas donde se incorporan las opiniones de '
            'los actores involucrados en la política migratoria.'
        ),
    ),
    (
        'PROP',
        'resumen_narrativo',
        (
            'La política migratoria se fundamenta en el análisis científico de las '
            'migraciones y la coordinación interinstitucional e internacional para atender de'
            ' manera integral el fenómeno migratorio en México.'
        ),
    ),
    (
        'PROP',
        'nombre',
        (
            'Porcentaje de reportes de evaluación sobre las investigaciones, estadísticas, '
            'estrategias, programas o acciones de política migratoria.'
        ),
    ),
    (
        'PROP',
        'metodo_calculo',
        (
            '(Reportes de evaluación sobre las investigaciones, estadísticas, estrategias, '
            'programas o acciones de política migratoria realizados / Total de reportes de '
            'evaluación sobre las investigaciones, estadísticas, estrategias, programas o '
            'acciones de política migratoria programados) *100'
        ),
    ),
    (
        'PROP',
        'medios_verificacion',
        'Documental y CD´s',
    ),
    (
        'C1',
        'nombre',
        (
            'Porcentaje de las actividades sobre las estrategias, programas o acciones de '
            'política migratoria realizadas.'
        ),
    ),
    (
        'C1',
        'metodo_calculo',
        (
            '(Reportes de evaluación sobre las estrategias, programas o acciones de política '
            'migratoria realizados / Total de reportes de evaluación sobre las estrategias, '
            'programas o acciones de política migratoria programados) *100'
        ),
    ),
    (
        'C1',
        'medios_verificacion',
        'Documental y CD´s',
    ),
    (
        'C2',
        'nombre',
        (
            'Porcentaje de las actividades sobre las investigaciones, estadísticas y '
            'productos de comunicación en materia migratoria realizadas.'
        ),
    ),
    (
        'C2',
        'metodo_calculo',
        (
            '(Reportes de evaluación sobre las investigaciones, estadísticas y productos de '
            'comunicación en materia migratoria realizados / Total de reportes de evaluación '
            'sobre las investigaciones, estadísticas y productos de comunicación en materia '
            'migratoria programados) *100'
        ),
    ),
    (
        'C2',
        'medios_verificacion',
        'Documental y CD´s',
    ),
    (
        'A1.1',
        'nombre',
        'Porcentaje de estrategias, programas o acciones',
    ),
    (
        'A1.1',
        'definicion',
        (
            'Diseñar y proponer estrategias, programas o acciones de política en materia de '
            'protección, asistencia e integración de migrantes, así como de control, '
            'verificación y regulación migratoria.'
        ),
    ),
    (
        'A1.1',
        'metodo_calculo',
        (
            '(Estrategias, programas o acciones elaboradas/ Estrategias, programas o acciones'
            ' programadas) *100'
        ),
    ),
    (
        'A1.2',
        'nombre',
        'Porcentaje de seguimiento y evaluación de política migratoria',
    ),
    (
        'A1.2',
        'definicion',
        (
            'Dar seguimiento e implementar mecanismos de evaluación que permitan medir la '
            'eficacia y eficiencia de las estrategias, programas o acciones existentes de '
            'política en materia migratoria del país.'
        ),
    ),
    (
        'A1.2',
        'metodo_calculo',
        (
            '(Estrategias, programas o acciones evaluadas/ Total de estrategias, programas o '
            'acciones programadas) *100'
        ),
    ),
    (
        'A1.3',
        'nombre',
        (
            'Porcentaje de reuniones estratégicas para incorporar opiniones de los actores '
            'involucrados en la política migratoria'
        ),
    ),
    (
        'A1.3',
        'metodo_calculo',
        (
            '(Reuniones estratégicas realizadas/ Total de reuniones estratégicas programadas)'
            ' *100'
        ),
    ),
    (
        'A1.3',
        'medios_verificacion',
        'Minutas, relatorías o informes de las reuniones.',
    ),
    (
        'A2.1',
        'nombre',
        'Porcentaje de investigaciones, estudios, encuestas o notas técnicas elaboradas.',
    ),
    (
        'A2.1',
        'metodo_calculo',
        (
            '(Investigaciones, estudios, encuestas o notas técnicas realizadas / Total '
            'investigaciones, estudios, encuestas o notas técnicas programadas) *100'
        ),
    ),
    (
        'A2.2',
        'nombre',
        'Porcentaje de productos estadísticos elaborados.',
    ),
    (
        'A2.2',
        'definicion',
        (
            'Boletines estadísticos, síntesis gráficas y series históricas publicadas, así '
            'como bases de datos generadas a partir de los registros administrativos del INM.'
        ),
    ),
    (
        'A2.2',
        'metodo_calculo',
        '(Productos estadísticos generados/ Productos estadísticos programados) *100',
    ),
    (
        'A2.3',
        'nombre',
        'Porcentaje de eventos y materiales para difusión promovidos.',
    ),
    (
        'A2.3',
        'definicion',
        (
            'Porcentaje de eventos y publicaciones realizadas; actualizaciones de la página '
            'Web y desarrollo de la biblioteca.'
        ),
    ),
    (
        'A2.3',
        'metodo_calculo',
        (
            '(eventos y publicaciones; actualizaciones de la página Web y desarrollo de la '
            'biblioteca espacios de discusión y difusión realizados / eventos y '
            'publicaciones; actualizaciones de la página Web y desarrollo de la biblioteca '
            'espacios de discusión y difusión programados) *100'
        ),
    ),
    (
        'A2.3',
        'medios_verificacion',
        (
            'Eventos realizados, materiales de difusión publicados, visitas a la página Web '
            'realizadas y número de usuarios de la biblioteca .'
        ),
    ),
]


@pytest.mark.parametrize("clave,campo,esperado", ESPERADO, ids=[f"{c}-{f}" for c, f, _ in ESPERADO])
def test_textos_clave_exactos(por_clave, clave, campo, esperado):
    assert norm(por_clave[clave]["texto_mir"][campo]) == esperado


def test_supuestos_de_celdas_unidas(por_clave):
    """Celdas que la fuente escribe en la misma línea: los supuestos empiezan tras los medios."""
    inicios = {
        "PROP": "Existen mecanismos de comunicación eficiente",
        "C1": "Se cuentan con presupuesto suficiente, insumos de política migratoria",
        "C2": "Se cuenta con presupuesto suficiente para realizar las actividades programadas",
        "A1.3": "Las autoridades vinculadas en la materia migratoria, otros Poderes",
    }
    for clave, inicio in inicios.items():
        assert por_clave[clave]["texto_mir"]["supuestos"].startswith(inicio), clave


def test_resumen_sin_numero_de_esquema(mir):
    for ind in mir["indicadores"]:
        assert not re.match(r"\d", ind["texto_mir"]["resumen_narrativo"]), ind["clave"]


# --------------------------------------------------------------------------- parámetros institucionales


def test_parametros_institucionales_bien_formados(mir):
    """Sin fijar valores: cada indicador tiene, con los de omisión, un bloque completo y válido."""
    from mirbook.params import load_mir

    loaded = load_mir(REPO / "params" / "mir.yaml")  # el cargador estricto comprueba claves y valores
    assert [i.clave for i in loaded.indicadores] == CLAVES
    for ind in loaded.indicadores:
        assert ind.frecuencia in mir["frecuencias"], ind.clave
        assert ind.umbral_verde <= ind.umbral_rojo, ind.clave


def test_tipos_producto_y_flujos_bien_formados(mir):
    for ind in mir["indicadores"]:
        for campo in ("tipos_producto", "flujos"):
            valores = ind.get(campo) or []
            assert all(isinstance(v, str) and v.strip() for v in valores), (ind["clave"], campo)
            assert len(set(valores)) == len(valores), (ind["clave"], campo)


# --------------------------------------------------------------------------- organizacion.yaml

UNIDADES = {
    "CPM": ("Coordinación de Política Migratoria", ["C1", "PROP"]),
    "DPPIM": (
        "Dirección de Política para la Protección e Integración de Migrantes",
        ["FIN", "A1.1", "A1.2", "A1.3"],
    ),
    "DPRCM": (
        "Dirección de Políticas para la Regulación y Control Migratorio",
        ["FIN", "A1.1", "A1.2", "A1.3"],
    ),
    "DRII": (
        "Dirección de Relaciones Internacionales e Interinstitucionales",
        ["FIN", "A1.1", "A1.2", "A1.3"],
    ),
    "DEPCMH": (
        "Dirección de Evaluación de Políticas para el Control de la Movilidad Humana",
        ["FIN", "A1.1", "A1.2", "A1.3"],
    ),
    "CEM": (
        "Dirección General Adjunta del Centro de Estudios Migratorios",
        ["PROP", "C2", "A2.1", "A2.2", "A2.3"],
    ),
}


def test_organizacion_cabecera(org, seed_org):
    assert org["institucion"] == "Unidad de Política Migratoria"
    assert ORG_SEED in org["fuente"]
    area = norm(org["area_evaluacion"])
    assert "planea, evalúa y monitorea" in area
    assert area in seed_org


def test_seis_unidades(org):
    unidades = org["unidades"]
    assert [u["clave"] for u in unidades] == list(UNIDADES)
    for u in unidades:
        nombre, puede = UNIDADES[u["clave"]]
        assert u["nombre"] == nombre, u["clave"]
        assert u["puede_reportar"] == puede, u["clave"]
        assert "nombre_alterno" in u and "descripcion" in u
    cpm = unidades[0]
    assert cpm["nombre_alterno"] == "Dirección General Adjunta de Política Migratoria"


def test_nombres_y_descripciones_en_las_fuentes(org, seed_org, seed_mir):
    for u in org["unidades"]:
        for campo in ("nombre", "nombre_alterno", "descripcion", "nota"):
            valor = u.get(campo)
            if valor is None:
                continue
            valor = norm(valor)
            assert valor in seed_org or valor in seed_mir, (u["clave"], campo, valor)


def test_referencias_cruzadas(mir, org):
    claves_mir = {ind["clave"] for ind in mir["indicadores"]}
    claves_org = {u["clave"] for u in org["unidades"]}
    reportables = set()
    for u in org["unidades"]:
        assert set(u["puede_reportar"]) <= claves_mir, u["clave"]
        assert len(set(u["puede_reportar"])) == len(u["puede_reportar"]), u["clave"]
        reportables |= set(u["puede_reportar"])
    # todo indicador lo puede reportar al menos una unidad
    assert reportables == claves_mir
    for ind in mir["indicadores"]:
        if ind["unidad_responsable"] is not None:
            assert ind["unidad_responsable"] in claves_org, ind["clave"]
    for comp in mir["componentes"]:
        assert comp["clave"] in claves_mir
        assert comp["unidad_responsable"] in claves_org
