#!/usr/bin/env python3
"""Deterministic generator of mirbook's SYNTHETIC DEMO DATA.

Writes ``data/2025/`` and ``data/2026/`` (programacion.csv, registros.csv,
justificaciones.csv) following the input contract (``mirbook.contract``) and checks at the
end, reading the written CSVs back with the project's own reader, that the semáforos the
mirbook engine (``mirbook.indicators``) computes with ``params/`` show the mix of cases the
demo needs. Names follow docs/nombres.md: code verbs in English, MIR and data vocabulary in
Spanish; what it prints is for people, in Spanish.

Usage (from the project root)::

    python tools/make_demo_data.py

Uses the package from ``lib/`` (with the project's environment); fixed seed: two runs write
byte-identical files. These data are NOT real figures of the UPM.
"""
from __future__ import annotations

import calendar
import csv
import datetime as dt
import random
import sys
from pathlib import Path

SEED = 20250101
ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"

# ---------------------------------------------------------------------------
# Catalogues and contract: from params/ and mirbook.contract (nothing copied by hand).
# ---------------------------------------------------------------------------
sys.path.insert(0, str(ROOT / "lib"))  # runs from the checkout even when the package is not installed

from mirbook.contract import READ_TABLES, TABLES  # noqa: E402
from mirbook.indicators import evaluate  # noqa: E402
from mirbook.model import SEMAFOROS, Period  # noqa: E402
from mirbook.records import load_year  # noqa: E402
from mirbook.workbook import load_params  # noqa: E402

PARAMS = load_params(ROOT / "params")
INDICADORES = list(PARAMS.mir.claves)
UNIDADES = list(PARAMS.organizacion.claves)
PUEDE_REPORTAR = {u.clave: u.puede_reportar for u in PARAMS.organizacion.unidades}
UNIDADES_DE = {ind: [u for u in UNIDADES if ind in PUEDE_REPORTAR[u]] for ind in INDICADORES}
TIPOS = {i.clave: i.tipos_producto for i in PARAMS.mir.indicadores if i.tipos_producto}
FLUJOS = PARAMS.mir.get("FIN").flujos

# Last day with records: 2026 is the year "in progress" (data up to T3).
ULTIMA_FECHA = {2025: dt.date(2025, 12, 31), 2026: dt.date(2026, 9, 30)}

MESES = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
         "septiembre", "octubre", "noviembre", "diciembre"]

# ---------------------------------------------------------------------------
# The scenario.
#   PROGRAMACION[año][indicador][unidad] = [T1, T2, T3, T4]  (0 = no row)
#   REALIZADO[año][indicador] = records delivered in each quarter (not cumulative)
# The resulting cumulative figures (and their semáforo) are documented in data/README.md and
# checked in self_check().
# ---------------------------------------------------------------------------
PROGRAMACION = {
    2025: {
        "FIN": {"DPPIM": [1, 0, 1, 1], "DPRCM": [0, 1, 0, 1], "DRII": [1, 0, 0, 1], "DEPCMH": [0, 1, 1, 0]},
        "PROP": {"CPM": [0, 1, 0, 1], "CEM": [0, 1, 0, 1]},
        "C1": {"CPM": [0, 2, 0, 2]},
        "C2": {"CEM": [0, 2, 0, 2]},
        "A1.1": {"DPPIM": [1, 1, 1, 1], "DPRCM": [1, 1, 1, 1], "DRII": [1, 1, 1, 1], "DEPCMH": [1, 1, 1, 1]},
        "A1.2": {"DPPIM": [1, 1, 1, 1], "DPRCM": [1, 1, 1, 1], "DRII": [0, 1, 0, 1], "DEPCMH": [0, 0, 1, 1]},
        "A1.3": {"DPPIM": [1, 1, 1, 1], "DPRCM": [1, 1, 1, 1], "DRII": [3, 3, 3, 3], "DEPCMH": [1, 1, 1, 1]},
        "A2.1": {"CEM": [1, 2, 2, 3]},
        "A2.2": {"CEM": [4, 4, 4, 4]},
        "A2.3": {"CEM": [2, 2, 3, 3]},
    },
    2026: {
        "FIN": {"DPPIM": [1, 0, 1, 1], "DPRCM": [0, 1, 1, 0], "DRII": [1, 0, 0, 1], "DEPCMH": [0, 1, 1, 1]},
        "PROP": {"CPM": [0, 1, 0, 1], "CEM": [0, 1, 0, 1]},
        "C1": {"CPM": [0, 2, 0, 2]},
        "C2": {"CEM": [0, 3, 0, 2]},
        "A1.1": {"DPPIM": [2, 1, 0, 1], "DPRCM": [1, 1, 1, 1], "DRII": [1, 0, 1, 1], "DEPCMH": [1, 1, 0, 1]},
        "A1.2": {"DPPIM": [1, 1, 1, 1], "DPRCM": [0, 1, 2, 1], "DRII": [1, 0, 1, 1], "DEPCMH": [0, 1, 1, 1]},
        # A1.3 without any row in T1 2026 (the "realizado without programación" case).
        "A1.3": {"DPPIM": [0, 2, 2, 2], "DPRCM": [0, 2, 2, 2], "DRII": [0, 4, 4, 4], "DEPCMH": [0, 2, 2, 2]},
        "A2.1": {"CEM": [2, 3, 3, 2]},
        "A2.2": {"CEM": [5, 5, 5, 5]},
        "A2.3": {"CEM": [2, 3, 3, 3]},
    },
}

REALIZADO = {
    2025: {
        "FIN": [1, 2, 2, 3], "PROP": [0, 2, 0, 3], "C1": [0, 2, 0, 1], "C2": [0, 1, 1, 2],
        "A1.1": [4, 3, 5, 4], "A1.2": [1, 3, 3, 4], "A1.3": [7, 6, 4, 5],
        "A2.1": [1, 1, 1, 4], "A2.2": [4, 4, 2, 6], "A2.3": [1, 2, 3, 5],
    },
    2026: {
        "FIN": [2, 2, 3, 0], "PROP": [0, 1, 1, 0], "C1": [0, 2, 1, 0], "C2": [0, 2, 1, 0],
        "A1.1": [4, 3, 2, 0], "A1.2": [1, 3, 4, 0], "A1.3": [1, 9, 15, 0],
        "A2.1": [0, 3, 2, 0], "A2.2": [5, 6, 5, 0], "A2.3": [2, 4, 3, 0],
    },
}

# Records seeded by hand (edge cases). They count within REALIZADO.
# Missing fields are generated like those of the other records.
SEMBRADOS = [
    # Dates on the edges of the quarters.
    {"anio": 2025, "indicador": "A2.2", "unidad": "CEM", "fecha": "2025-03-31"},
    {"anio": 2025, "indicador": "A1.1", "unidad": "DPRCM", "fecha": "2025-04-01"},
    {"anio": 2025, "indicador": "FIN", "unidad": "DRII", "fecha": "2025-12-31"},
    {"anio": 2026, "indicador": "A1.1", "unidad": "DPPIM", "fecha": "2026-01-02"},
    {"anio": 2026, "indicador": "A1.1", "unidad": "DEPCMH", "fecha": "2026-06-30"},
    # Texts with characters the reports must escape (&, <, quotes, apostrophes).
    {"anio": 2025, "indicador": "A2.1", "unidad": "CEM", "fecha": "2025-02-27", "tipo": "nota técnica",
     "titulo": "Nota técnica: flujos < 2024 & tendencias de la migración en tránsito por México",
     "medio_verificacion": "Documento interno UPM/CEM/NT-01/2025"},
    {"anio": 2025, "indicador": "A1.3", "unidad": "DPPIM", "fecha": "2025-05-15",
     "titulo": 'Reunión interinstitucional con la COMAR & el INM: "Atención a niñas, niños y '
               'adolescentes migrantes no acompañados"',
     "medio_verificacion": "Minuta de la reunión del 15/05/2025"},
    {"anio": 2025, "indicador": "A2.3", "unidad": "CEM", "fecha": "2025-11-13", "tipo": "evento",
     "titulo": "Foro internacional 'Migración, desarrollo & derechos humanos' en la Ciudad de México",
     "medio_verificacion": "Memoria del evento y lista de asistencia del 13/11/2025"},
    # A1.3: the only record of T1 2026, with no programación in that quarter.
    {"anio": 2026, "indicador": "A1.3", "unidad": "DRII", "fecha": "2026-02-19",
     "titulo": 'Sesión extraordinaria del Consejo Consultivo de Política Migratoria: "Movilidad '
               'humana y desplazamiento forzado interno"',
     "medio_verificacion": "Acta de la sesión extraordinaria del Consejo Consultivo de Política "
                           "Migratoria del 19/02/2026"},
    {"anio": 2026, "indicador": "A2.1", "unidad": "CEM", "fecha": "2026-08-20", "tipo": "nota técnica",
     "titulo": "Nota técnica: flujos < 2024 & tendencias",
     "medio_verificacion": "https://portales.segob.gob.mx/es/PoliticaMigratoria/Notas_tecnicas?anio=2026&num=04"},
    {"anio": 2026, "indicador": "A2.2", "unidad": "CEM", "fecha": "2026-09-24", "tipo": "cuadro estadístico",
     "titulo": "Cuadro estadístico: niñas, niños y adolescentes (< 18 años) presentados ante la "
               "autoridad migratoria, enero–agosto 2026",
     "medio_verificacion": "Cuadros estadísticos generados a partir de los registros del INM, "
                           "archivo UPM/CEM/CE-09/2026"},
    {"anio": 2026, "indicador": "A2.3", "unidad": "CEM", "fecha": "2026-06-19", "tipo": "evento",
     "titulo": "Conversatorio 'Día Mundial del Refugiado': movilidad humana y protección internacional",
     "medio_verificacion": "Memoria del evento y lista de asistencia del 19/06/2026"},
    # Last day with 2026 data, with a URL that carries "&".
    {"anio": 2026, "indicador": "A2.3", "unidad": "CEM", "fecha": "2026-09-30",
     "tipo": "actualización de la página web",
     "titulo": 'Actualización de la página web: sección "Estadísticas & Publicaciones" de la UPM',
     "medio_verificacion": "https://portales.segob.gob.mx/es/PoliticaMigratoria/Publicaciones"
                           "?anio=2026&seccion=estadisticas"},
]

# Justificaciones (federal format: causa, efecto, otros motivos) by (año, indicador, trimestre).
# SIN_JUSTIFICAR are left out on purpose so that the report shows the warning.
JUSTIFICACIONES = {
    (2025, "A1.2", 1): (
        "Retraso en la entrega de insumos por parte de las dependencias participantes (INM y COMAR) para "
        "integrar el informe de seguimiento de la estrategia de protección de niñas, niños y adolescentes "
        "migrantes.",
        "La evaluación programada se concluirá en el segundo trimestre; la meta anual no se modifica.",
        "Cambio de enlaces institucionales en las dependencias participantes durante el periodo."),
    (2025, "A1.3", 1): (
        "Se atendieron reuniones adicionales convocadas por la Secretaría de Relaciones Exteriores y la "
        "OIM con motivo del incremento de los flujos en tránsito por la frontera sur.",
        "Sobrecumplimiento de la meta del trimestre; las reuniones adicionales permitieron incorporar "
        "opiniones de actores no previstos en la programación.",
        "Sin otros motivos."),
    (2025, "A2.3", 1): (
        "Reprogramación del Seminario permanente sobre migración internacional por la disponibilidad de "
        "la sede y de las personas ponentes.",
        "El evento se realizará en el segundo trimestre, sin afectar la meta anual.",
        "Calendarización de recursos al inicio del ejercicio fiscal."),
    (2025, "A1.1", 2): (
        "La Dirección de Políticas para la Regulación y Control Migratorio atendió solicitudes de opinión "
        "jurídica no previstas; una propuesta quedó en revisión.",
        "La propuesta pendiente se presentará en el tercer trimestre.",
        "Sin otros motivos."),
    (2025, "A2.1", 2): (
        "Retraso en la entrega de insumos estadísticos por parte del Instituto Nacional de Migración para "
        "concluir el estudio sobre personas solicitantes de la condición de refugiado.",
        "El estudio se concluirá en el tercer trimestre; se mantiene la meta anual.",
        "Rotación de personal en el área de investigación del Centro de Estudios Migratorios."),
    (2025, "A2.3", 2): (
        "Cancelación de la presentación editorial prevista en una feria del libro por cambios en el "
        "programa de la sede.",
        "La presentación se reprograma para el tercer trimestre.",
        "Sin otros motivos."),
    (2025, "C2", 2): (
        "El reporte de evaluación de los productos de comunicación del primer semestre no se concluyó por "
        "la reprogramación de eventos (véase A2.3).",
        "El reporte se entregará en el tercer trimestre con información acumulada.",
        "Sin otros motivos."),
    (2025, "A1.2", 3): (
        "Las dependencias participantes solicitaron ampliar el plazo para enviar comentarios a la "
        "evaluación del programa de integración laboral de personas refugiadas.",
        "La evaluación se concluirá en el cuarto trimestre.",
        "Periodo vacacional de verano de la Administración Pública Federal."),
    (2025, "A2.1", 3): (
        'Retraso en la entrega de la base de microdatos de la "Encuesta sobre Migración en la Frontera Sur '
        'de México" (EMIF Sur) por parte de las instituciones coordinadoras (COLEF & CONAPO).',
        "El análisis de resultados se concluirá en el cuarto trimestre.",
        "Sin otros motivos."),
    (2025, "A2.2", 3): (
        "Retraso en la entrega de los registros administrativos del INM de julio y agosto, insumo de los "
        "boletines estadísticos mensuales.",
        "Los boletines pendientes se publicarán en el cuarto trimestre junto con el de septiembre.",
        "Mantenimiento del sistema de registro del Instituto Nacional de Migración."),
    (2025, "A2.3", 3): (
        "Una actualización de la página web de la UPM quedó pendiente por la migración del portal "
        "institucional de la Secretaría de Gobernación a una nueva plataforma.",
        "La actualización se realizará al concluir la migración del portal, en el cuarto trimestre.",
        "Sin otros motivos."),
    (2025, "A2.1", 4): (
        "Una de las investigaciones programadas (remesas y desarrollo local) requirió información "
        "adicional que no estuvo disponible al cierre del ejercicio.",
        "La investigación se concluirá en el primer trimestre de 2026; el avance anual es de 87.5 %.",
        "Sin otros motivos."),
    (2025, "C1", 4): (
        "El reporte de evaluación del segundo semestre sobre las acciones de articulación internacional "
        "quedó pendiente de validación por la Coordinación de Política Migratoria.",
        "El reporte se entregará en enero de 2026; la meta anual se cumplió parcialmente.",
        "Cierre anticipado del ejercicio presupuestal."),
    (2025, "FIN", 4): (
        "Una propuesta de política en materia de tránsito quedó en consulta con las dependencias "
        "integrantes del grupo de trabajo interinstitucional.",
        "La presentación de la propuesta se reprograma para el primer semestre de 2026.",
        "Sin otros motivos."),
    (2026, "A1.1", 1): (
        "Retraso en la entrega de insumos por parte de los gobiernos de las entidades federativas para la "
        "propuesta de estrategia de prevención del desplazamiento forzado interno.",
        "La propuesta se presentará en el segundo trimestre.",
        "Periodo vacacional de fin de año, que redujo el tiempo efectivo de trabajo del trimestre."),
    (2026, "A1.2", 1): (
        "La evaluación del programa de mejora regulatoria se pospuso a solicitud de la Secretaría de "
        "Relaciones Exteriores, que actualizó sus criterios de expedición de visas.",
        "La evaluación se concluirá en el segundo trimestre con los criterios vigentes.",
        "Sin otros motivos."),
    (2026, "A2.1", 1): (
        "Reasignación temporal del personal de investigación a la atención de solicitudes de información "
        "del Poder Legislativo.",
        "Las dos investigaciones programadas se concluirán en el segundo trimestre.",
        "Sin otros motivos."),
    (2026, "A1.1", 2): (
        "Una propuesta de acción en materia de regulación migratoria se encuentra en revisión jurídica.",
        "La propuesta se presentará en el tercer trimestre, una vez concluida la revisión.",
        "Sin otros motivos."),
    (2026, "A2.1", 2): (
        "Retraso en la entrega de insumos por parte de la COMAR para el estudio sobre personas solicitantes "
        "de la condición de refugiado.",
        "El estudio se concluirá en el tercer trimestre; se mantiene la meta anual.",
        "Rotación de personal en el Centro de Estudios Migratorios."),
    (2026, "A2.3", 2): (
        "Se realizó un evento adicional, no programado, a petición de la Organización Internacional para "
        "las Migraciones con motivo del Día Mundial del Refugiado (20 de junio).",
        "Sobrecumplimiento de la meta acumulada; mayor difusión del conocimiento en materia migratoria sin "
        "costo adicional.",
        "Sin otros motivos."),
    (2026, "C2", 2): (
        "El reporte de evaluación de los productos estadísticos del primer semestre quedó pendiente por el "
        "retraso de las investigaciones del componente (véase A2.1).",
        "El reporte se entregará en el tercer trimestre.",
        "Sin otros motivos."),
    (2026, "A1.2", 3): (
        "Dos evaluaciones del programa de regularización migratoria requirieron información adicional de "
        "las oficinas de representación del INM.",
        "Las evaluaciones se concluirán en el cuarto trimestre.",
        "Sin otros motivos."),
    (2026, "A1.3", 3): (
        "Incremento de las reuniones estratégicas por la atención de la coyuntura migratoria en la frontera "
        "norte y por convocatorias de organismos internacionales no previstas en la programación.",
        "Sobrecumplimiento de la meta acumulada; se ajustará la programación del cuarto trimestre.",
        "Reuniones convocadas por la Secretaría Técnica del Consejo Consultivo de Política Migratoria."),
    (2026, "A2.1", 3): (
        'Retraso en la entrega de insumos por parte del INM & la COMAR para la nota técnica "Flujos mixtos '
        'en tránsito".',
        "La nota técnica se concluirá en el cuarto trimestre.",
        "Sin otros motivos."),
}
# Amarillo/rojo indicador-trimestre left without justificación on purpose.
SIN_JUSTIFICAR = {(2025, "A1.2", 2), (2025, "PROP", 4), (2026, "A1.2", 2), (2026, "A2.3", 3)}

# ---------------------------------------------------------------------------
# Vocabulary for titles and medios de verificación.
# ---------------------------------------------------------------------------
TEMAS_A1 = {
    "DPPIM": [
        "para la protección integral de niñas, niños y adolescentes migrantes",
        "de integración laboral de personas refugiadas y con protección complementaria",
        "para la reintegración de personas mexicanas en retorno y sus familias",
        "de acceso a servicios de salud para personas migrantes",
        "para la inclusión financiera de personas migrantes",
        "de atención a mujeres migrantes víctimas de violencia",
        "para el acceso a la identidad y a la educación de la niñez migrante",
    ],
    "DPRCM": [
        "de actualización de los lineamientos para trámites y procedimientos migratorios",
        "para la emisión de la Tarjeta de Visitante Regional",
        "de mejora regulatoria de la condición de estancia por razones humanitarias",
        "para el fortalecimiento del control migratorio en puntos de internación aéreos",
        "de simplificación de los trámites de residencia temporal",
        "de criterios para la regularización migratoria por unidad familiar",
    ],
    "DRII": [
        "para el cumplimiento de los acuerdos de la Conferencia Regional sobre Migración",
        "de implementación del Pacto Mundial para una Migración Segura, Ordenada y Regular",
        "de cooperación bilateral México–Guatemala en materia migratoria",
        "de coordinación interinstitucional con las entidades federativas de la frontera sur",
        "de vinculación con organismos internacionales (OIM, ACNUR, UNICEF)",
        "para la agenda migratoria de México en foros multilaterales",
    ],
    "DEPCMH": [
        "de atención a personas en situación de desplazamiento forzado interno",
        "para soluciones duraderas a personas desplazadas internamente",
        "de perfilamiento de la población en desplazamiento forzado interno",
        "de prevención del desplazamiento forzado interno en entidades prioritarias",
        "de coordinación con gobiernos estatales en materia de desplazamiento forzado interno",
    ],
}
PLANTILLAS_A12 = {
    "estrategia": ["Informe de seguimiento de la estrategia {t}", "Evaluación de resultados de la estrategia {t}"],
    "programa": ["Evaluación del programa {t}", "Informe de seguimiento del programa {t}"],
    "acción": ["Seguimiento de la acción {t}", "Reporte de evaluación de la acción {t}"],
}
ACTORES_A13 = {
    "DPPIM": ["el DIF Nacional y la Procuraduría Federal de Protección de Niñas, Niños y Adolescentes",
              "la COMAR", "organizaciones de la sociedad civil", "la Secretaría de Salud",
              "el Instituto Nacional de las Mujeres", "el ACNUR"],
    "DPRCM": ["el Instituto Nacional de Migración", "la Secretaría de Relaciones Exteriores",
              "la Agencia Federal de Aviación Civil", "la Secretaría de Economía", "el SAT y la Guardia Nacional"],
    "DRII": ["la Organización Internacional para las Migraciones (OIM)", "el ACNUR", "la Embajada de Guatemala",
             "los gobiernos de las entidades federativas de la frontera sur",
             "la Secretaría de Relaciones Exteriores", "la Embajada de Honduras"],
    "DEPCMH": ["el gobierno del estado de Chiapas", "el gobierno del estado de Guerrero",
               "el gobierno del estado de Michoacán", "el CICR y organizaciones de la sociedad civil",
               "la Comisión Nacional de Búsqueda", "el gobierno del estado de Zacatecas"],
}
TEMAS_A13 = {
    "DPPIM": ["la protección de la niñez migrante", "la integración de personas refugiadas",
              "la reintegración de personas en retorno", "el acceso a la salud de personas migrantes"],
    "DPRCM": ["la actualización de los lineamientos migratorios", "la regularización migratoria",
              "los procedimientos de internación", "la expedición de visas por razones humanitarias"],
    "DRII": ["la agenda migratoria regional", "la cooperación en la frontera sur",
             "la movilidad laboral ordenada", "los compromisos internacionales en materia migratoria"],
    "DEPCMH": ["la atención del desplazamiento forzado interno", "las soluciones duraderas",
               "el registro de personas desplazadas internamente", "la prevención del desplazamiento"],
}
TIPOS_REUNION = ["Reunión interinstitucional con", "Reunión de trabajo con", "Mesa técnica con",
                 "Reunión de coordinación con"]
TEMAS_A21 = [
    "la migración de retorno de Estados Unidos a México",
    "las personas solicitantes de la condición de refugiado en México",
    "la movilidad laboral transfronteriza en la frontera sur",
    "la feminización de los flujos migratorios en tránsito",
    "las remesas y el desarrollo local en comunidades de origen",
    "la niñez y adolescencia migrante no acompañada",
    "los flujos de personas venezolanas, haitianas y cubanas en tránsito",
    "el desplazamiento forzado interno en México",
    "la integración de personas extranjeras residentes en México",
    "la migración calificada y la movilidad académica",
]
TEMAS_A22 = [
    "personas extranjeras con residencia temporal y permanente",
    "eventos de personas en situación migratoria irregular",
    "entradas aéreas de personas extranjeras por nacionalidad",
    "Tarjetas de Visitante Regional y de Visitante Trabajador Fronterizo",
    "solicitudes de la condición de refugiado",
    "personas mexicanas devueltas por autoridades estadounidenses",
]
SECCIONES_WEB = ["Boletines estadísticos", "Series históricas", "Publicaciones", "Biblioteca digital",
                 "Desplazamiento forzado interno", "Consejo Consultivo", "Mapas de la migración"]
FIN_TITULOS = {
    "inmigración": [
        "Propuesta de lineamientos para la integración socioeconómica de personas inmigrantes",
        "Propuesta de política para la regularización migratoria de personas extranjeras con arraigo",
        "Propuesta de política de atracción y reconocimiento de personas extranjeras calificadas",
    ],
    "emigración": [
        "Propuesta de estrategia de atención a personas mexicanas en el exterior y sus familias",
        "Propuesta de política de movilidad laboral ordenada de personas trabajadoras mexicanas",
        "Propuesta de protocolo de información previa a la emigración en comunidades de origen",
    ],
    "tránsito": [
        "Propuesta de protocolo para la atención humanitaria de personas migrantes en tránsito",
        "Propuesta de política para la gestión ordenada de flujos mixtos en tránsito por México",
        "Propuesta de lineamientos de coordinación en la frontera sur para personas en tránsito",
    ],
    "retorno": [
        "Propuesta de programa de reintegración de personas mexicanas en retorno",
        "Propuesta de política de retorno asistido y reintegración comunitaria",
        "Propuesta de lineamientos para la certificación de competencias de personas retornadas",
    ],
}


def format_fecha(d: dt.date) -> str:
    return d.strftime("%d/%m/%Y")


def trimestre_bounds(anio: int, q: int) -> tuple[dt.date, dt.date]:
    inicio = dt.date(anio, 3 * q - 2, 1)
    fin = dt.date(anio, 3 * q, calendar.monthrange(anio, 3 * q)[1])
    return inicio, min(fin, ULTIMA_FECHA[anio])


def trimestre_of(d: dt.date) -> int:
    return (d.month - 1) // 3 + 1


def nth_monday(anio: int, mes: int, n: int) -> dt.date:
    primero = dt.date(anio, mes, 1)
    return primero + dt.timedelta(days=(7 - primero.weekday()) % 7 + 7 * (n - 1))


def holidays(anio: int) -> set[dt.date]:
    """Mandatory rest days (art. 74 of the Ley Federal del Trabajo)."""
    return {dt.date(anio, 1, 1), nth_monday(anio, 2, 1), nth_monday(anio, 3, 3), dt.date(anio, 5, 1),
            dt.date(anio, 9, 16), nth_monday(anio, 11, 3), dt.date(anio, 12, 25)}


def is_working_day(d: dt.date) -> bool:
    return d.weekday() < 5 and d not in holidays(d.year)


def pick_working_day(rng: random.Random, inicio: dt.date, fin: dt.date) -> dt.date:
    dias = [inicio + dt.timedelta(n) for n in range((fin - inicio).days + 1)]
    return rng.choice([d for d in dias if is_working_day(d)])


class ProductWriter:
    """Writes plausible (titulo, tipo, flujo, medio), with no titulo repeated within the year."""

    def __init__(self, anio: int, rng: random.Random):
        self.anio = anio
        self.rng = rng
        self.usados: set[str] = set()
        self.oficio = {u: rng.randint(80, 160) for u in UNIDADES}
        self.consecutivo: dict[str, int] = {}
        self.flujo_idx = 0

    def next_number(self, clave: str) -> int:
        self.consecutivo[clave] = self.consecutivo.get(clave, 0) + 1
        return self.consecutivo[clave]

    def next_oficio(self, unidad: str) -> str:
        self.oficio[unidad] += self.rng.randint(3, 40)
        return f"Oficio UPM/{unidad}/{self.oficio[unidad]:04d}/{self.anio}"

    def reserve(self, titulo: str) -> None:
        if titulo in self.usados:
            raise AssertionError(f"título repetido en {self.anio}: {titulo}")
        self.usados.add(titulo)

    def write(self, ind: str, unidad: str, fecha: dt.date) -> dict[str, str]:
        for _ in range(200):
            # The sequence numbers only advance when the attempt is accepted (no gaps in the numbering).
            antes = (dict(self.oficio), dict(self.consecutivo))
            r = self._attempt(ind, unidad, fecha)
            if r["titulo"] in self.usados:
                self.oficio, self.consecutivo = antes
            else:
                self.usados.add(r["titulo"])
                if ind == "FIN":
                    self.flujo_idx += 1
                return r
        raise RuntimeError(f"sin título libre para {ind}/{unidad}")

    def _attempt(self, ind: str, unidad: str, fecha: dt.date) -> dict[str, str]:
        rng, y = self.rng, self.anio
        tipo = flujo = ""
        mes = MESES[fecha.month - 1]
        # The month the statistics refer to (the one before publication).
        ref = fecha.replace(day=1) - dt.timedelta(days=1)
        mes_ref, anio_ref = MESES[ref.month - 1], ref.year
        if ind == "FIN":
            flujo = FLUJOS[self.flujo_idx % len(FLUJOS)]  # rotates: the four flujos appear every year
            titulo = rng.choice(FIN_TITULOS[flujo])
            medio = rng.choice([
                self.next_oficio(unidad),
                f"DOF {format_fecha(fecha)}",
                f"Expediente interno UPM/{unidad}/EXP-{self.next_number('EXP' + unidad):03d}/{y}",
                f"{self.next_oficio(unidad)} y nota de remisión a la Subsecretaría de Derechos Humanos, "
                "Población y Migración",
            ])
        elif ind == "A1.1":
            tipo = rng.choice(TIPOS["A1.1"])
            titulo = f"Propuesta de {tipo} {rng.choice(TEMAS_A1[unidad])}"
            medio = rng.choice([
                self.next_oficio(unidad),
                f"Circular UPM/{unidad}/C-{self.next_number('C' + unidad):02d}/{y}",
                f"Expediente interno UPM/{unidad}/EXP-{self.next_number('EXP' + unidad):03d}/{y}",
                f"Publicación en el DOF del {format_fecha(fecha)}",
            ])
        elif ind == "A1.2":
            tipo = rng.choice(TIPOS["A1.2"])
            titulo = rng.choice(PLANTILLAS_A12[tipo]).format(t=rng.choice(TEMAS_A1[unidad]))
            medio = rng.choice([
                f"Informe de seguimiento UPM/{unidad}/IS-{self.next_number('IS' + unidad):02d}/{y}",
                self.next_oficio(unidad),
                f"Documento interno de evaluación UPM/{unidad}/EV-{self.next_number('EV' + unidad):02d}/{y}",
            ])
        elif ind == "A1.3":
            if unidad == "DRII" and rng.random() < 0.3:
                titulo = f"Sesión ordinaria del Consejo Consultivo de Política Migratoria, {mes} de {y}"
                medio = ("Acta de la sesión ordinaria del Consejo Consultivo de Política Migratoria del "
                         f"{format_fecha(fecha)}")
            else:
                titulo = (f"{rng.choice(TIPOS_REUNION)} {rng.choice(ACTORES_A13[unidad])} sobre "
                          f"{rng.choice(TEMAS_A13[unidad])}")
                medio = rng.choice(["Minuta de la reunión del", "Relatoría de la reunión del",
                                    "Informe de la reunión del"]) + f" {format_fecha(fecha)}"
        elif ind == "A2.1":
            tipo = rng.choice(TIPOS["A2.1"])
            tema = rng.choice(TEMAS_A21)
            titulo = {
                "investigación": f"Investigación sobre {tema}",
                "estudio": f"Estudio sobre {tema}",
                "encuesta": f"Encuesta sobre {tema}: resultados {y}",
                "nota técnica": f"Nota técnica sobre {tema}",
            }[tipo]
            medio = rng.choice([
                f"Documento interno UPM/CEM/INV-{self.next_number('INV'):02d}/{y}",
                "https://portales.segob.gob.mx/es/PoliticaMigratoria/Investigaciones_y_estudios",
            ])
        elif ind == "A2.2":
            tipo = rng.choices(TIPOS["A2.2"], weights=[5, 2, 1, 1, 2])[0]
            tema = rng.choice(TEMAS_A22)
            if tipo == "boletín estadístico":
                titulo = f"Boletín mensual de estadísticas migratorias, {mes_ref} {anio_ref}"
                medio = rng.choice([
                    f"Boletín mensual de estadísticas migratorias, {mes_ref} {anio_ref}",
                    "https://portales.segob.gob.mx/es/PoliticaMigratoria/Boletines_Estadisticos",
                ])
            elif tipo == "síntesis gráfica":
                titulo = f"Síntesis gráfica: {tema}, {mes_ref} {anio_ref}"
                medio = "https://portales.segob.gob.mx/es/PoliticaMigratoria/Sintesis_Graficas"
            elif tipo == "serie histórica":
                titulo = f"Serie histórica de {tema}, 2000–{y - 1}"
                medio = "https://portales.segob.gob.mx/es/PoliticaMigratoria/Series_Historicas"
            elif tipo == "base de datos":
                titulo = f"Base de datos de {tema}, corte al {format_fecha(fecha)}"
                medio = (f"Base de datos generada a partir de los registros administrativos del INM, "
                         f"archivo UPM/CEM/BD-{self.next_number('BD'):02d}/{y}")
            else:
                titulo = f"Cuadros estadísticos de {tema}, {mes_ref} {anio_ref}"
                medio = (f"Cuadros estadísticos generados a partir de los registros del INM, "
                         f"archivo UPM/CEM/CE-{self.next_number('CE'):02d}/{y}")
        elif ind == "A2.3":
            tipo = rng.choice(TIPOS["A2.3"])
            if tipo == "evento":
                titulo = rng.choice([
                    f"Seminario permanente sobre migración internacional: {rng.choice(TEMAS_A21)}",
                    f"Conversatorio sobre {rng.choice(TEMAS_A21)}",
                    f"Presentación de resultados de investigación sobre {rng.choice(TEMAS_A21)}",
                ])
                medio = f"Memoria del evento y lista de asistencia del {format_fecha(fecha)}"
            elif tipo == "publicación":
                n = self.next_number("PUB")
                titulo = rng.choice([
                    f"Publicación de la revista de estudios migratorios, número {n} de {y}",
                    f"Publicación del cuaderno de divulgación {n}/{y}: {rng.choice(TEMAS_A21)}",
                ])
                medio = "https://portales.segob.gob.mx/es/PoliticaMigratoria/Publicaciones"
            elif tipo == "actualización de la página web":
                titulo = (f"Actualización de la sección «{rng.choice(SECCIONES_WEB)}» de la página web "
                          f"de la UPM, {mes} {y}")
                medio = "https://portales.segob.gob.mx/es/PoliticaMigratoria/"
            else:
                n = rng.randint(12, 60)
                titulo = f"Incorporación de {n} títulos al acervo de la biblioteca de la UPM, {mes} {y}"
                medio = f"Reporte mensual de la biblioteca de la UPM (acervo y usuarios atendidos), {mes} {y}"
        elif ind == "C1":
            enfoque = rng.choice(["propuestas de protección e integración", "regulación y control migratorio",
                                  "articulación interinstitucional e internacional",
                                  "desplazamiento forzado interno"])
            semestre = "primer" if fecha.month <= 9 else "segundo"  # the late one is delivered in T3
            titulo = (f"Reporte de evaluación del {semestre} semestre de {y} sobre las estrategias, "
                      f"programas y acciones de política migratoria: {enfoque}")
            medio = (f"Reporte de evaluación UPM/CPM/RE-{self.next_number('RE-CPM'):02d}/{y}, remitido con "
                     f"el {self.next_oficio('CPM')}")
        elif ind == "C2":
            enfoque = rng.choice(["investigaciones y estudios", "productos estadísticos",
                                  "productos de comunicación y difusión"])
            semestre = "primer" if fecha.month <= 9 else "segundo"  # the late one is delivered in T3
            titulo = (f"Reporte de evaluación del {semestre} semestre de {y} sobre las investigaciones, "
                      f"estadísticas y productos de comunicación: {enfoque}")
            medio = f"Reporte de evaluación UPM/CEM/RE-{self.next_number('RE-CEM'):02d}/{y} (documental y CD)"
        elif ind == "PROP":
            if unidad == "CPM":
                enfoque = rng.choice(["estrategias, programas y acciones", "articulación interinstitucional",
                                      "propuestas de política por flujo migratorio"])
            else:
                enfoque = rng.choice(["investigaciones y estudios", "estadísticas migratorias",
                                      "productos de comunicación"])
            titulo = f"Reporte de evaluación de la política migratoria {y}: {enfoque} ({mes})"
            medio = (f"Reporte de evaluación UPM/{unidad}/REP-{self.next_number('REP' + unidad):02d}/{y} "
                     "(documental y CD)")
        else:  # pragma: no cover
            raise ValueError(ind)
        return {"titulo": titulo, "tipo": tipo, "flujo": flujo, "medio_verificacion": medio}


def distribute(rng: random.Random, n: int, pesos: dict[str, int], unidades: list[str]) -> list[str]:
    """Assign n registros to unidades, in proportion to what each programmed in the quarter."""
    lugares = [u for u in unidades for _ in range(pesos.get(u, 0))]
    rng.shuffle(lugares)
    elegidas = lugares[:n]
    while len(elegidas) < n:
        elegidas.append(rng.choice(unidades))
    return elegidas


def generate_year(anio: int) -> tuple[list[dict], list[dict], list[dict]]:
    rng = random.Random(SEED + anio)

    # programacion.csv: only rows with something programmed (a missing row = 0).
    programacion = []
    for ind in INDICADORES:
        for unidad in UNIDADES_DE[ind]:
            valores = PROGRAMACION[anio][ind].get(unidad, [0, 0, 0, 0])
            for q, p in enumerate(valores, start=1):
                if p > 0:
                    programacion.append({"indicador": ind, "unidad_responsable": unidad,
                                         "trimestre": q, "programado": p})

    # Skeleton of the registros: (indicador, unidad, fecha) + seeded fields.
    esqueleto = []
    sembrados = [s for s in SEMBRADOS if s["anio"] == anio]
    for ind in INDICADORES:
        for q in range(1, 5):
            total = REALIZADO[anio][ind][q - 1]
            propios = [s for s in sembrados
                       if s["indicador"] == ind and trimestre_of(dt.date.fromisoformat(s["fecha"])) == q]
            if len(propios) > total:
                raise AssertionError(f"más sembrados que realizados en {anio} {ind} T{q}")
            for s in propios:
                esqueleto.append(dict(s, fecha=dt.date.fromisoformat(s["fecha"])))
            pesos = {u: PROGRAMACION[anio][ind].get(u, [0] * 4)[q - 1] for u in UNIDADES_DE[ind]}
            inicio, fin = trimestre_bounds(anio, q)
            if ind in ("C1", "C2", "PROP"):  # the evaluation reports are delivered at year end
                inicio = max(inicio, dt.date(anio, 3 * q, 1))
            for unidad in distribute(rng, total - len(propios), pesos, UNIDADES_DE[ind]):
                esqueleto.append({"indicador": ind, "unidad": unidad, "fecha": pick_working_day(rng, inicio, fin)})

    orden = {ind: i for i, ind in enumerate(INDICADORES)}
    esqueleto.sort(key=lambda r: (r["fecha"], orden[r["indicador"]], UNIDADES.index(r["unidad"])))

    redactor = ProductWriter(anio, rng)
    for s in sembrados:
        if "titulo" in s:
            redactor.reserve(s["titulo"])
    registros = []
    for n, r in enumerate(esqueleto, start=1):
        if "titulo" in r:
            campos = {"titulo": r["titulo"], "tipo": r.get("tipo", ""), "flujo": r.get("flujo", ""),
                      "medio_verificacion": r["medio_verificacion"]}
        else:
            campos = redactor.write(r["indicador"], r["unidad"], r["fecha"])
        registros.append({
            "folio": f"UPM-{anio}-{n:04d}",
            "indicador": r["indicador"],
            "unidad_responsable": r["unidad"],
            "fecha": r["fecha"].isoformat(),
            "titulo": campos["titulo"],
            "medio_verificacion": campos["medio_verificacion"],
            "tipo": campos["tipo"],
            "flujo": campos["flujo"],
        })

    justificaciones = [
        {"indicador": ind, "trimestre": q, "causa": c, "efecto": e, "otros_motivos": o}
        for (a, ind, q), (c, e, o) in sorted(JUSTIFICACIONES.items(), key=lambda kv: (kv[0][2], orden[kv[0][1]]))
        if a == anio
    ]
    return programacion, registros, justificaciones


COLUMNAS = {f"{name}.csv": list(TABLES[name].column_names) for name in READ_TABLES}


def write_csv(ruta: Path, filas: list[dict]) -> None:
    ruta.parent.mkdir(parents=True, exist_ok=True)
    with ruta.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNAS[ruta.name], lineterminator="\n")
        w.writeheader()
        w.writerows(filas)


def read_csv(ruta: Path) -> list[dict]:
    with ruta.open(encoding="utf-8", newline="") as fh:
        lector = csv.DictReader(fh)
        assert lector.fieldnames == COLUMNAS[ruta.name], (ruta, lector.fieldnames)
        return list(lector)


# ---------------------------------------------------------------------------
# Self-check: the semáforos are computed by mirbook's engine (mir-domain §4) with the
# parameters of params/, on the written CSVs read back by the project's own reader.
# ---------------------------------------------------------------------------
def evaluate_period(anio: int, q: int) -> dict[str, dict]:
    evaluacion = evaluate(PARAMS.mir, load_year(DATA_DIR, anio), Period(anio, q))
    return {
        r.clave: {"realizado": r.realizado, "programado": r.programado, "reporta": r.reporta,
                  "cumplimiento": r.cumplimiento_pct, "semaforo": r.semaforo}
        for r in evaluacion.results
    }


def self_check() -> None:
    errores: list[str] = []

    def check(cond: bool, msg: str) -> None:
        if not cond:
            errores.append(msg)

    resumen = {}
    for anio in (2025, 2026):
        carpeta = DATA_DIR / str(anio)
        prog = read_csv(carpeta / "programacion.csv")
        regs = read_csv(carpeta / "registros.csv")
        just = read_csv(carpeta / "justificaciones.csv")
        justificados = {(j["indicador"], int(j["trimestre"])) for j in just}

        # --- the input contract holds ---
        check(80 <= len(regs) <= 150, f"{anio}: {len(regs)} registros (se esperan 80–150)")
        folios = [r["folio"] for r in regs]
        check(len(folios) == len(set(folios)), f"{anio}: folios repetidos")
        claves_prog = [(p["indicador"], p["unidad_responsable"], p["trimestre"]) for p in prog]
        check(len(claves_prog) == len(set(claves_prog)), f"{anio}: programación duplicada")
        for p in prog:
            check(p["indicador"] in PUEDE_REPORTAR[p["unidad_responsable"]], f"{anio}: programación {p}")
            check(p["trimestre"] in ("1", "2", "3", "4") and int(p["programado"]) > 0, f"{anio}: programación {p}")
        for r in regs:
            f = dt.date.fromisoformat(r["fecha"])
            check(dt.date(anio, 1, 1) <= f <= ULTIMA_FECHA[anio], f"{anio}: fecha fuera de rango {r['folio']}")
            check(is_working_day(f), f"{anio}: {r['folio']} en día inhábil")
            check(r["indicador"] in PUEDE_REPORTAR[r["unidad_responsable"]], f"{anio}: unidad {r['folio']}")
            check(r["medio_verificacion"].strip() != "" and r["titulo"].strip() != "", f"{anio}: vacío {r['folio']}")
            check(r["tipo"] in TIPOS.get(r["indicador"], ("",)), f"{anio}: tipo {r['folio']} {r['tipo']!r}")
            if r["indicador"] == "FIN":
                check(r["flujo"] in FLUJOS, f"{anio}: flujo {r['folio']}")
            else:
                check(r["flujo"] == "", f"{anio}: flujo sobrante {r['folio']}")
        check(len({r["titulo"] for r in regs}) == len(regs), f"{anio}: títulos repetidos")
        check({r["flujo"] for r in regs if r["indicador"] == "FIN"} == set(FLUJOS), f"{anio}: faltan flujos")
        for u in UNIDADES:
            check(any(p["unidad_responsable"] == u for p in prog), f"{anio}: {u} sin programación")
            check(any(r["unidad_responsable"] == u for r in regs), f"{anio}: {u} sin registros")
        texto = "".join(r["titulo"] for r in regs)
        for car in ("&", "<", '"', "'", "ñ", "á"):
            check(car in texto, f"{anio}: ningún título contiene {car!r}")
        for j in just:
            check(all(j[c].strip() for c in ("causa", "efecto", "otros_motivos")), f"{anio}: justificación vacía")

        # --- semáforos per period ---
        for q in range(1, 5):
            s = evaluate_period(anio, q)
            resumen[(anio, q)] = (s, justificados)
            for ind, v in s.items():
                clave = (anio, ind, q)
                no_verde = v["semaforo"] in ("amarillo", "rojo")
                if clave in JUSTIFICACIONES:
                    check(no_verde, f"justificación de {clave} en un indicador {v['semaforo']}")
                if no_verde and (anio, q) != (2026, 4):
                    check((clave in JUSTIFICACIONES) != (clave in SIN_JUSTIFICAR),
                          f"{clave} {v['semaforo']}: ni justificado ni en SIN_JUSTIFICAR")
                sin_prog = v["realizado"] > 0 and v["programado"] == 0
                check(sin_prog == (clave == (2026, "A1.3", 1)), f"{clave}: realizado sin programación inesperado")

    periodos_demo = [(2025, 1), (2025, 2), (2025, 3), (2025, 4), (2026, 1), (2026, 2), (2026, 3)]
    for anio, q in periodos_demo:
        s, _ = resumen[(anio, q)]
        cuenta = {c: sum(1 for v in s.values() if v["semaforo"] == c) for c in SEMAFOROS if c != "no_aplica"}
        check(all(n >= 1 for n in cuenta.values()), f"{anio} T{q}: falta mezcla {cuenta}")
    s3, just3 = resumen[(2026, 3)]
    cuenta3 = {c: sum(1 for v in s3.values() if v["semaforo"] == c) for c in SEMAFOROS if c != "no_aplica"}
    check(cuenta3["verde"] >= 2 and cuenta3["amarillo"] >= 1 and cuenta3["rojo"] >= 1, f"2026 T3: {cuenta3}")
    check(any(v["reporta"] and v["cumplimiento"] is not None and v["cumplimiento"] > 110 for v in s3.values()),
          "2026 T3: sin sobrecumplimiento > 110 %")
    check(any(v["semaforo"] in ("amarillo", "rojo") and (ind, 3) not in just3 for ind, v in s3.items()),
          "2026 T3: todo amarillo/rojo está justificado")
    todos_2026 = [v for q in (1, 2, 3) for v in resumen[(2026, q)][0].values() if v["reporta"]]
    for pct, sem in ((90, "verde"), (80, "amarillo"), (110, "verde"), (120, "amarillo")):
        check(any(v["cumplimiento"] == pct and v["semaforo"] == sem for v in todos_2026),
              f"2026: falta el caso límite {pct} % = {sem}")
    a21 = resumen[(2026, 1)][0]["A2.1"]
    check(a21["realizado"] == 0 and a21["programado"] > 0 and a21["semaforo"] == "rojo", f"2026 T1 A2.1: {a21}")
    a13 = resumen[(2026, 1)][0]["A1.3"]
    check(a13["programado"] == 0 and a13["realizado"] == 1, f"2026 T1 A1.3: {a13}")

    print_summary(resumen)
    if errores:
        print("\nAUTOVERIFICACIÓN FALLIDA:", *errores, sep="\n  - ", file=sys.stderr)
        raise SystemExit(1)
    print("\nAutoverificación: OK")


def print_summary(resumen: dict) -> None:
    marca = {"verde": "V", "amarillo": "A", "rojo": "R", "no_aplica": "-"}
    for (anio, q), (s, justificados) in sorted(resumen.items()):
        nota = "  (sin registros del T4: el ejercicio 2026 llega al 30/09)" if (anio, q) == (2026, 4) else ""
        cuenta = {c: sum(1 for v in s.values() if v["semaforo"] == c) for c in SEMAFOROS}
        print(f"\n{anio} T{q}: verde {cuenta['verde']}, amarillo {cuenta['amarillo']}, rojo {cuenta['rojo']}, "
              f"no_aplica {cuenta['no_aplica']}{nota}")
        print(f"  {'ind':5} {'rep':3} {'real/prog':>9} {'cumpl.%':>8}  semáforo   observación")
        for ind, v in s.items():
            c = "" if v["cumplimiento"] is None else f"{float(v['cumplimiento']):.2f}"
            obs = []
            if v["semaforo"] in ("amarillo", "rojo"):
                obs.append("justificado" if (ind, q) in justificados else "SIN JUSTIFICACIÓN")
            if v["realizado"] > 0 and v["programado"] == 0:
                obs.append("REALIZADO SIN PROGRAMACIÓN")
            if v["cumplimiento"] is not None and v["cumplimiento"] > 110:
                obs.append("sobrecumplimiento")
            if v["cumplimiento"] in (80, 90, 110, 120):
                obs.append("caso límite")
            rep = "sí" if v["reporta"] else "no"
            print(f"  {ind:5} {rep:3} {v['realizado']:>4}/{v['programado']:<4} {c:>8}  "
                  f"{marca[v['semaforo']]} {v['semaforo']:9} {', '.join(obs)}")


def main() -> None:
    for anio in (2025, 2026):
        programacion, registros, justificaciones = generate_year(anio)
        carpeta = DATA_DIR / str(anio)
        write_csv(carpeta / "programacion.csv", programacion)
        write_csv(carpeta / "registros.csv", registros)
        write_csv(carpeta / "justificaciones.csv", justificaciones)
        print(f"{carpeta.relative_to(ROOT)}: {len(programacion)} filas de programación, "
              f"{len(registros)} registros, {len(justificaciones)} justificaciones")
    self_check()


if __name__ == "__main__":
    main()
