"""What the report notebooks call: one line per block of the report.

The notebooks in ``notebooks/`` hold narrative and calls into this module only::

    from mirbook import report
    wb = report.open(year, period, data_dir)
    report.portada(wb)                 # title, demo banner, semáforo of the scope
    report.perspectiva(wb)             # how each indicator closes the year (page one)
    report.cifras_shcp(wb)             # SHCP's published figures against the workbook's
    report.arbol_mir(wb)               # the MIR tree coloured by semáforo
    report.tabla_indicadores(wb)       # the indicator table
    report.avisos(wb)                  # the warnings
    report.indicador(wb, "A1.1")       # everything about one indicator

Every display function has a ``*_html`` twin that returns the HTML text (used by
the tests and by anyone who wants the block without Jupyter). This module only
gathers what each block shows; the HTML and the sentences are in the templates
``templates/report/`` (the wording mixed with figures in ``report/frases.html.j2``),
rendered by :mod:`mirbook.templating`, whose environment **autoescapes** every
value, so titles, justifications, evidence and any other user text are always
escaped. The chart is an SVG embedded as a ``data:`` URI.

Nothing here writes files.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from . import charts, perspectiva as outlook, templating
from .indicators import (
    IndicatorResult,
    by_flujo,
    by_quarter,
    by_tipo,
    by_unidad,
    justifications,
    products,
    programado,
)
from .model import Indicator
from .paths import is_demo_data
from .workbook import Workbook, open_workbook

# --- entry points ------------------------------------------------------------------------------


def open(year: int | str, period: int | str, data_dir: str | Path | None = None) -> Workbook:  # noqa: A001
    """Load and evaluate the period (``data_dir`` None: the project's ``data/``) and set up the charts."""
    charts.setup()
    return open_workbook(year, period, data_dir)


def is_demo(source: Workbook | str | Path) -> bool:
    """Whether a workbook (or a data folder) holds the synthetic demo data.

    The rule is the project's one (:func:`mirbook.paths.is_demo_data`): the data folder
    carries a ``DEMO`` marker file, as ``data/DEMO`` does. The marker travels with the
    data, so a copy of the demo elsewhere is still flagged, and real data in a folder
    without the marker is not. The banner of the notebooks, the page footer and the
    archive's manifest all follow this same rule.
    """
    return is_demo_data(Path(source.data_dir if isinstance(source, Workbook) else source))


def _show(html: str) -> None:
    from IPython.display import HTML, display

    display(HTML(html))


# --- templates ---------------------------------------------------------------------------------


#: The environment the blocks are rendered in (kept under this name for :mod:`mirbook.preload`).
_env = templating.environment


def _render(template: str, **context) -> str:
    return templating.render("report/" + template, nivel_corto=_nivel_corto, **context)


# --- small helpers -----------------------------------------------------------------------------


def _nivel_corto(result: IndicatorResult) -> str:
    """``Fin``, ``Propósito``, ``Componente 1``, ``Actividad 1.1``."""
    number = re.sub(r"^[^0-9]*", "", result.clave)
    return f"{result.indicator.nivel} {number}".strip()


def _scope(wb: Workbook, componente: str | None) -> list[IndicatorResult]:
    """Results of one component (its indicator and its activities), or of the whole MIR (``None``)."""
    if componente is None:
        return list(wb.evaluation.results)
    claves = [i.clave for i in wb.mir.of_component(componente)]
    if not claves:
        raise KeyError(f"componente desconocido: {componente}")
    return [wb.evaluation.get(c) for c in claves]


def _component(wb: Workbook, componente: str | None):
    """The component of a scope (``None``: the whole MIR)."""
    return None if componente is None else next(c for c in wb.mir.componentes if c.clave == componente)


def _umbrales(indicators: list[Indicator]) -> dict[str, str]:
    verdes = {i.umbral_verde for i in indicators}
    rojos = {i.umbral_rojo for i in indicators}
    if len(verdes) == 1 and len(rojos) == 1:
        return {"verde": templating.numero(verdes.pop()), "rojo": templating.numero(rojos.pop())}
    return {"verde": "el umbral verde de cada indicador", "rojo": "el umbral rojo de cada indicador"}


def _files(wb: Workbook) -> dict[str, str]:
    """Display names of the input files: ``2026/registros.csv``."""
    out = {}
    for name in ("programacion", "registros", "justificaciones", "ajustes"):
        path = wb.data.archivos.get(name)
        out[name] = f"{path.parent.name}/{path.name}" if path else f"{wb.period.year}/{name} (no se entregó)"
    return out


def _by_origin(wb: Workbook) -> bool:
    """Whether products are listed by origin (file, sheet, row): the units delivered them."""
    path = wb.data.archivos.get("registros")
    return path is not None and path.is_dir()


def _quarters_text(quarters) -> str:
    return templating.lista(f"T{q}" for q in sorted(quarters))


# --- page one ----------------------------------------------------------------------------------


def portada_html(wb: Workbook, componente: str | None = None) -> str:
    """Title, demo banner, cut-off date and the semáforo summary of the scope (page one)."""
    p = wb.period
    mir, org = wb.mir, wb.organizacion
    results = _scope(wb, componente)
    comp = _component(wb, componente)
    claves = {r.clave for r in results}
    return _render(
        "portada.html.j2",
        programa=mir.programa,
        institucion=mir.institucion,
        componente=comp,
        unidad=org.get(comp.unidad_responsable) if comp else None,
        actividades=[re.sub(r"^[^0-9]*", "", r.clave) for r in results if r.indicator.nivel == "Actividad"],
        unidades=[u for u in org.unidades if claves & set(u.puede_reportar)] if comp else [],
        demo=is_demo(wb),
        previous_error=wb.previous_error,
        anio_anterior=p.year - 1,
        resultados=results,
        periodo=p,
        umbrales=_umbrales([r.indicator for r in results]),
    )


def portada(wb: Workbook, componente: str | None = None) -> None:
    """Display :func:`portada_html`."""
    _show(portada_html(wb, componente))


def perspectiva_html(wb: Workbook, componente: str | None = None) -> str:
    """The year-end outlook of the scope (page one): one sentence per indicator and the table.

    The sentences are :func:`mirbook.perspectiva.frases` (and the pace of each), escaped by the
    template; in T4 the outlook is the year's result.
    """
    claves = {r.clave for r in _scope(wb, componente)}
    items = [x for x in wb.perspectivas if x.clave in claves]
    return _render(
        "perspectiva.html.j2",
        periodo=wb.period,
        items=items,
        frases=outlook.frases(items),
        ritmo={f.clave: f for f in (outlook.frase_ritmo(x) for x in items) if f is not None},
        componente=_component(wb, componente),
    )


def perspectiva(wb: Workbook, componente: str | None = None) -> None:
    """Display :func:`perspectiva_html`."""
    _show(perspectiva_html(wb, componente))


def cifras_shcp_html(wb: Workbook) -> str:
    """SHCP's published figures next to the workbook's own, every difference flagged.

    Empty when the year has no imported file (``mirbook shcp --importar``).
    """
    from . import shcp
    from .errors import DataError

    if shcp.official_file(wb.data_dir, wb.period.year) is None:
        return ""
    try:
        comparison = shcp.comparacion(wb)
    except DataError as exc:  # a damaged official file must not stop the report: it says so
        return _render("shcp.html.j2", periodo=wb.period, c=None, error=str(exc))
    return _render("shcp.html.j2", periodo=wb.period, c=comparison, error=None)


def cifras_shcp(wb: Workbook) -> None:
    """Display :func:`cifras_shcp_html` (nothing when no official file was imported)."""
    html = cifras_shcp_html(wb)
    if html:
        _show(html)


# --- MIR tree ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Nodo:
    r: IndicatorResult
    titulo: str
    hijos: tuple[_Nodo, ...]


def arbol_mir_html(wb: Workbook) -> str:
    """The MIR tree (Fin → Propósito → Componentes → Actividades) with each semáforo, as static HTML."""

    def build(clave: str | None) -> tuple[_Nodo, ...]:
        return tuple(
            _Nodo(r, _nivel_corto(r), build(i.clave))
            for i in wb.mir.children(clave)
            for r in [wb.evaluation.get(i.clave)]
        )

    return _render("arbol.html.j2", raices=build(None), periodo=wb.period)


def arbol_mir(wb: Workbook) -> None:
    """Display :func:`arbol_mir_html`."""
    _show(arbol_mir_html(wb))


# --- indicator table and warnings ----------------------------------------------------------------


def tabla_indicadores_html(wb: Workbook, componente: str | None = None) -> str:
    """The indicator table of the scope, with the same period of the previous year when it exists."""
    prev = wb.previous_evaluation
    files = _files(wb)
    filas = [{"r": r, "anterior": prev.get(r.clave) if prev else None} for r in _scope(wb, componente)]
    return _render(
        "tabla.html.j2",
        filas=filas,
        periodo=wb.period,
        componente=_component(wb, componente),
        archivo_programacion=files["programacion"],
        archivo_registros=files["registros"],
    )


def tabla_indicadores(wb: Workbook, componente: str | None = None) -> None:
    """Display :func:`tabla_indicadores_html`."""
    _show(tabla_indicadores_html(wb, componente))


def avisos_html(wb: Workbook, componente: str | None = None) -> str:
    """The warnings of the scope (the whole MIR includes the general ones) and the previous year's error."""
    if componente is None:
        selected = list(wb.evaluation.avisos)
    else:
        claves = {r.clave for r in _scope(wb, componente)}
        selected = [a for a in wb.evaluation.avisos if a.indicador in claves]
    return _render("avisos.html.j2", avisos=selected, previous_error=wb.previous_error)


def avisos(wb: Workbook, componente: str | None = None) -> None:
    """Display :func:`avisos_html`."""
    _show(avisos_html(wb, componente))


# --- one indicator -------------------------------------------------------------------------------


def _shares(rows: list[tuple[str, int]], empty_label: str) -> list[dict]:
    total = sum(n for _, n in rows)
    return [
        {"nombre": name or empty_label, "n": n, "parte": Fraction(n * 100, total) if total else None}
        for name, n in rows
    ]


def _rows_text(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in sorted(numbers))


def _chart(wb: Workbook, r: IndicatorResult, rows, prev_rows) -> str:
    ind, p = r.indicator, wb.period
    actual = [charts.Punto(q.trimestre, q.acumulado.avance_pct, q.acumulado.semaforo, q.reporta) for q in rows]
    anterior = (
        [charts.Punto(q.trimestre, q.acumulado.avance_pct, q.acumulado.semaforo, q.reporta) for q in prev_rows]
        if prev_rows else None
    )
    barras = [
        charts.Barra(
            q,
            programado(wb.plan, ind.clave, q, exact=True),
            rows[q - 1].trimestral.realizado if q <= p.quarter else None,
        )
        for q in range(1, 5)
    ]
    svg = charts.avance_svg(ind, r.meta_pct, p.year, actual, anterior, barras)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def indicador_html(wb: Workbook, clave: str) -> str:
    """Everything about one indicator: result, ficha, avance chart and table, comparison with the
    previous year, breakdowns by unidad, tipo and flujo, products with their evidence and source row,
    justifications and warnings."""
    p, mir, data = wb.period, wb.mir, wb.plan  # figures on the plan in force at the period's end
    r = wb.evaluation.get(clave)
    ind = r.indicator
    files = _files(wb)
    umbrales = _umbrales([ind])

    rows = by_quarter(mir, ind, data, p)
    prev_rows = by_quarter(mir, ind, wb.previous_plan, p.previous_year()) if wb.previous_plan is not None else None
    anterior = wb.previous_evaluation.get(clave) if wb.previous_evaluation is not None else None
    grafica = _chart(wb, r, rows, prev_rows)

    unidades = []
    for row in by_unidad(ind, data, p, wb.organizacion.claves):
        try:
            nombre = wb.organizacion.get(row.unidad).nombre
        except KeyError:
            nombre = "unidad no registrada en params/organizacion.yaml"
        filas = [x.fila for x in data.programacion
                 if x.indicador == clave and x.unidad_responsable == row.unidad and x.trimestre <= p.quarter]
        unidades.append({"clave": row.unidad, "nombre": nombre, "figures": row.figures, "filas": _rows_text(filas)})

    productos = products(ind, data, p)
    tipos = []
    if ind.tipos_producto or any(x.tipo for x in productos):
        tipos = _shares(by_tipo(ind, data, p), "(sin tipo)")
    flujos = _shares(by_flujo(ind, data, p), "(sin flujo)") if ind.flujos else []

    return _render(
        "indicador.html.j2",
        r=r,
        ind=ind,
        ancla="indicador-" + re.sub(r"[^A-Za-z0-9]+", "-", clave),
        titulo_nivel=_nivel_corto(r),
        periodo=p,
        trimestres_reporte=_quarters_text(mir.frecuencias[ind.frecuencia]),
        umbrales=umbrales,
        unidad_responsable=wb.organizacion.get(ind.unidad_responsable) if ind.unidad_responsable else None,
        institucion=mir.institucion,
        fuente_mir=mir.fuente,
        grafica=grafica,
        hay_anterior=bool(prev_rows),
        trimestres=[{"row": row, "actual": row.trimestre == p.quarter} for row in rows],
        por_venir=[
            {"trimestre": q, "programado": programado(data, clave, q, exact=True)}
            for q in range(p.quarter + 1, 5)
        ],
        anterior=anterior,
        previous_error=wb.previous_error,
        unidades=unidades,
        tipos=tipos,
        flujos=flujos,
        productos=productos,
        con_origen=_by_origin(wb),
        mostrar_tipo=bool(ind.flujos or tipos),
        justificaciones=justifications(ind, data, p),
        falta_justificacion=r.semaforo in ("amarillo", "rojo") and r.justificacion is None,
        avisos=wb.evaluation.avisos_de(clave),
        archivo_programacion=files["programacion"],
        archivo_registros=files["registros"],
        archivo_justificaciones=files["justificaciones"],
        archivo_ajustes=files["ajustes"],
        ajustes=wb.ajustes_de(clave),
    )


def indicador(wb: Workbook, clave: str) -> None:
    """Display :func:`indicador_html`."""
    _show(indicador_html(wb, clave))
