"""The charts of the reports (seaborn on matplotlib), rendered to SVG text.

Figures are built with the object API (:class:`matplotlib.figure.Figure`, never
``pyplot``) on the Agg backend, so nothing is shown or kept behind the caller's
back and a notebook cell only displays what :mod:`mirbook.report` puts in its HTML.
SVG keeps the charts sharp in the HTML pages and in the PDFs; the output is
deterministic (fixed hash salt, no date) so two runs give the same bytes.

The semáforo is never shown by colour alone: the bands around the meta carry a
hatch pattern and a label, and the points a marker shape per semáforo (filled when
the indicator reports in that quarter, hollow when the figure is informative).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from fractions import Fraction

from . import style
from .formatting import pct_es
from .model import Indicator

_READY = False


def setup() -> None:
    """Seaborn theme and deterministic SVG output (idempotent).

    The figures are drawn on ``matplotlib.figure.Figure`` objects, never through pyplot,
    so no backend is forced: ``plt.show()`` keeps working in a researcher's JupyterLab.
    """
    global _READY
    if _READY:
        return
    import matplotlib
    import seaborn as sns

    sns.set_theme(
        style="whitegrid",
        context="paper",
        font="DejaVu Sans",
        rc={
            "axes.edgecolor": style.BORDE,
            "axes.labelcolor": style.TEXTO,
            "text.color": style.TEXTO,
            "xtick.color": style.TEXTO,
            "ytick.color": style.TEXTO,
            "grid.color": style.LINEA,
            "axes.titleweight": "bold",
            "axes.titlesize": 10,
            "axes.labelsize": 9,
            "xtick.labelsize": 9,
            "ytick.labelsize": 8.5,
            "legend.fontsize": 8,
        },
    )
    matplotlib.rcParams.update(
        {
            "svg.fonttype": "path",   # text as outlines: identical in every browser and in the PDF
            "svg.hashsalt": "mirbook",
            "hatch.linewidth": 0.6,
            "axes.unicode_minus": False,
        }
    )
    _READY = True


def to_svg(fig) -> str:
    """The figure as SVG text (without the XML prolog, ready to embed)."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight", pad_inches=0.05)
    text = buffer.getvalue()
    start = text.find("<svg")
    return text[start:] if start >= 0 else text


# --- avance vs meta --------------------------------------------------------------------------


@dataclass(frozen=True)
class Punto:
    """One quarter of one series of the avance chart."""

    trimestre: int
    avance: Fraction | None
    semaforo: str          # what the figure says (informative when the indicator does not report)
    reporta: bool


@dataclass(frozen=True)
class Barra:
    """Products of one quarter alone: programado and realizado (``None``: quarter not reached yet)."""

    trimestre: int
    programado: int
    realizado: int | None


def bands(indicator: Indicator, meta: Fraction) -> list[tuple[float, float, str]]:
    """The semáforo bands in avance space: ``(low, high, semaforo)``, from the indicator's thresholds.

    The semáforo is decided on the deviation of cumplimiento from 100; this maps the
    cumplimiento bounds back to avance percentages (ascendente: avance = meta × c / 100;
    descendente: avance = meta × 100 / c).
    """
    m = float(meta)
    if m <= 0:
        return []
    uv, ur = float(indicator.umbral_verde), float(indicator.umbral_rojo)
    cuts = [0.0, max(0.0, 100 - ur), max(0.0, 100 - uv), 100 + uv, 100 + ur, math.inf]
    names = ["rojo", "amarillo", "verde", "amarillo", "rojo"]

    def to_avance(c: float) -> float:
        if indicator.sentido == "descendente":
            return math.inf if c == 0 else m * 100 / c
        return m * c / 100

    out = []
    for (lo, hi), name in zip(zip(cuts, cuts[1:]), names):
        a, b = sorted((to_avance(lo), to_avance(hi)))
        if b > a:
            out.append((a, b, name))
    return out


def _mix(colour: str, white: float) -> str:
    """``colour`` blended with ``white`` parts of white (0–1): lighter hatch lines for the bands."""
    h = colour.lstrip("#")
    rgb = [int(h[i : i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(c + (255 - c) * white):02X}" for c in rgb)


def _pct_axis(value: float, _pos: int) -> str:
    return f"{value:,.0f} %"


def _draw_bands(ax, band_list: list[tuple[float, float, str]], top: float, label_x: float) -> None:
    """Shade the semáforo bands (tint, hatch, word) from 0 to ``top``; words right-aligned at ``label_x``."""
    for lo, hi, name in band_list:
        lo_c, hi_c = max(lo, 0), min(hi, top)
        if hi_c <= lo_c:
            continue
        sem = style.display(name)
        ax.axhspan(lo_c, hi_c, facecolor=sem.tinte, edgecolor=_mix(sem.oscuro, 0.55), hatch=sem.trama or None,
                   linewidth=0, zorder=0)
        if (hi_c - lo_c) / top > 0.06:
            # a little above the middle, so the verde label stays clear of the meta line
            ax.text(label_x, lo_c + (hi_c - lo_c) * 0.7, sem.etiqueta, ha="right", va="center", fontsize=7.5,
                    color=sem.oscuro, fontweight="bold", zorder=1,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})


def avance_svg(
    indicator: Indicator,
    meta: Fraction,
    year: int,
    actual: list[Punto],
    anterior: list[Punto] | None,
    barras: list[Barra],
) -> str:
    """Two panels: cumulative avance against the meta with the semáforo bands; products per quarter."""
    setup()
    import pandas as pd
    import seaborn as sns
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    fig = Figure(figsize=(8.8, 3.7), layout="constrained")
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]})
    quarters = [1, 2, 3, 4]
    labels = [f"T{q}" for q in quarters]

    # Left: cumulative avance with the semáforo bands around the meta.
    values = [float(p.avance) for p in actual + (anterior or []) if p.avance is not None]
    m = float(meta)
    band_list = bands(indicator, meta)
    top = max([m * 1.45, *(v * 1.15 for v in values), 10.0])
    left.set_xlim(0.5, 4.5)
    left.set_ylim(0, top)
    _draw_bands(left, band_list, top, 4.47)
    left.axhline(m, color=style.TEXTO, linewidth=1.1, linestyle=(0, (6, 3)), zorder=2)

    def series(points: list[Punto], colour: str, dashed: bool, label: str, annotate: bool) -> None:
        xs = [p.trimestre for p in points if p.avance is not None]
        ys = [float(p.avance) for p in points if p.avance is not None]
        if xs:
            left.plot(xs, ys, color=colour, linewidth=2.0 if not dashed else 1.3,
                      linestyle=(0, (3, 2)) if dashed else "-", zorder=4, label=label)
        for p in points:
            if p.avance is None:
                if annotate:
                    left.text(p.trimestre, top * 0.03, "sin\nprogramación", ha="center", va="bottom",
                              fontsize=6.5, color=style.TEXTO_SUAVE, zorder=5)
                continue
            sem = style.display(p.semaforo)
            filled = p.reporta and not dashed
            left.scatter([p.trimestre], [float(p.avance)], s=60 if not dashed else 28, marker=sem.marcador,
                         facecolor=sem.fondo if filled else "white",
                         edgecolor=sem.oscuro if not dashed else colour,
                         linewidth=1.4, zorder=6)
            if annotate:
                left.annotate(pct_es(p.avance), (p.trimestre, float(p.avance)), textcoords="offset points",
                              xytext=(0, 8), ha="center", fontsize=7.5, color=style.TEXTO, zorder=7,
                              bbox={"boxstyle": "round,pad=0.12", "facecolor": "white", "edgecolor": "none",
                                    "alpha": 0.85})

    if anterior:
        series(anterior, style.ANTERIOR, True, f"{year - 1} (mismo periodo)", False)
    series(actual, style.GUINDA, False, f"{year}", True)
    left.set_xticks(quarters, labels)
    left.yaxis.set_major_formatter(FuncFormatter(_pct_axis))
    left.set_title("Avance acumulado frente a la meta", loc="left")
    left.set_xlabel("")
    left.set_ylabel("Avance acumulado")
    handles = [Line2D([], [], color=style.GUINDA, linewidth=2, marker="o", markerfacecolor=style.GUINDA,
                      label=f"{year}")]
    if anterior:
        handles.append(Line2D([], [], color=style.ANTERIOR, linewidth=1.3, linestyle=(0, (3, 2)), marker="o",
                              markerfacecolor="white", markersize=4, label=f"{year - 1}"))
    handles.append(Line2D([], [], color=style.TEXTO, linewidth=1.1, linestyle=(0, (6, 3)), label=f"Meta ({pct_es(meta)})"))
    if any(not p.reporta for p in actual if p.avance is not None):
        handles.append(Line2D([], [], linestyle="", marker="o", markerfacecolor="white",
                              markeredgecolor=style.TEXTO_SUAVE, label="hueco: informativo"))
    left.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.1), frameon=False,
                ncol=len(handles), handlelength=1.8, columnspacing=1.0)

    # Right: products of each quarter alone, programado against realizado.
    rows = []
    for b in barras:
        rows.append({"Trimestre": f"T{b.trimestre}", "Serie": "Programado", "Productos": b.programado})
        rows.append({"Trimestre": f"T{b.trimestre}", "Serie": "Realizado",
                     "Productos": b.realizado if b.realizado is not None else float("nan")})
    frame = pd.DataFrame(rows, columns=["Trimestre", "Serie", "Productos"])
    sns.barplot(data=frame, x="Trimestre", y="Productos", hue="Serie", order=labels,
                hue_order=["Programado", "Realizado"], palette=[style.LINEA, style.GUINDA],
                edgecolor=style.TEXTO, linewidth=0.6, ax=right, legend=False)
    for container, hatch in zip(right.containers, ("////", "")):
        for patch in container:
            patch.set_hatch(hatch)
        right.bar_label(container, fmt="{:,.0f}", fontsize=7.5, padding=2)
    pending = [b.trimestre for b in barras if b.realizado is None]
    if pending:
        right.set_xticks(range(4), [f"T{q}" + ("\n(por venir)" if q in pending else "") for q in quarters])
    peak = max([b.programado for b in barras] + [b.realizado or 0 for b in barras] + [1])
    right.set_ylim(0, peak * 1.25 + 0.5)
    right.yaxis.set_major_locator(MaxNLocator(integer=True))
    right.set_title("Productos de cada trimestre", loc="left")
    right.set_xlabel("")
    right.set_ylabel("Productos")
    right.legend(
        handles=[Patch(facecolor=style.LINEA, edgecolor=style.TEXTO, hatch="////", label="Programado"),
                 Patch(facecolor=style.GUINDA, edgecolor=style.TEXTO, label="Realizado")],
        loc="upper center", bbox_to_anchor=(0.5, -0.1 if not pending else -0.2), frameon=False, ncol=2,
    )
    return to_svg(fig)


# --- the house style for a researcher's own charts ---------------------------------------------
#
# The same colours, axes and bands as the report's charts, for a notebook's own figures, so they
# look like the rest of the report in the HTML pages and in the PDFs.

#: The period's year and the previous year, as in the avance chart; programado bars.
COLOR_ACTUAL = style.GUINDA
COLOR_ANTERIOR = "#6B6B6B"
COLOR_PROGRAMADO = "#D9D9D9"


def figura(ancho: float = 7.0, alto: float = 3.0, filas: int = 1, columnas: int = 1):
    """A new figure in the house style (``Figure``, never pyplot) and its axes: ``fig, ax``."""
    setup()
    from matplotlib.figure import Figure

    fig = Figure(figsize=(ancho, alto), layout="constrained")
    return fig, fig.subplots(filas, columnas)


def colores_anios(anios, actual: int) -> dict[int, str]:
    """A colour per year: guinda for ``actual``, grey for the year before, lighter greys for older ones
    (later years, if any, guinda lightened)."""
    out = {}
    for year in sorted({int(a) for a in anios}):
        if year == actual:
            out[year] = COLOR_ACTUAL
        elif year < actual:
            out[year] = _mix(COLOR_ANTERIOR, min(0.7, 0.25 * (actual - 1 - year)))
        else:
            out[year] = _mix(COLOR_ACTUAL, min(0.7, 0.3 * (year - actual)))
    return out


def eje_porcentaje(ax, eje: str = "y") -> None:
    """Write the ``eje`` axis (``"y"`` or ``"x"``) as percentages: ``50 %``, ``1,200 %``."""
    from matplotlib.ticker import FuncFormatter

    (ax.yaxis if eje == "y" else ax.xaxis).set_major_formatter(FuncFormatter(_pct_axis))


def bandas_semaforo(ax, indicador: Indicator, meta: Fraction, tope: float | None = None,
                    linea_meta: bool = True) -> None:
    """Shade the semáforo bands of ``indicador`` around ``meta`` (avance percentages on the y axis),
    with the hatch and the word of each band, and the dashed meta line, as in the avance chart.

    Call it after plotting the data (the bands reach up to ``tope``, default the current top of
    the y axis, at least 1.45 × meta) and before :func:`mostrar`.
    """
    m = float(meta)
    top = float(tope) if tope is not None else max(ax.get_ylim()[1], m * 1.45, 10.0)
    ax.set_ylim(0, top)
    low, high = ax.get_xlim()
    _draw_bands(ax, bands(indicador, meta), top, high - (high - low) * 0.01)
    if linea_meta:
        ax.axhline(m, color=style.TEXTO, linewidth=1.1, linestyle=(0, (6, 3)), zorder=2,
                   label=f"Meta ({pct_es(meta)})")
    eje_porcentaje(ax)


def _bar_text(porcentaje: bool):
    def text(value: float) -> str:
        if value != value:  # NaN: no bar
            return ""
        return pct_es(Fraction(str(value))) if porcentaje else f"{value:,.0f}"

    return text


def barras(ax, datos, x: str, y: str, hue: str | None = None, actual: int | None = None,
           porcentaje: bool = False, etiquetas: bool = True, horizontal: bool = False) -> None:
    """Bars in the house style from a DataFrame: guinda bars, or one colour per year when ``hue``
    holds years (``actual``: the period's year, guinda; the previous one grey); values written
    on the bars in es-MX (percentages when ``porcentaje``), thin dark outlines for grey print."""
    import seaborn as sns
    from matplotlib.ticker import MaxNLocator

    setup()
    options: dict = {"color": COLOR_ACTUAL} if hue is None else {}
    if hue is not None and actual is not None:
        options = {"palette": colores_anios(datos[hue].dropna(), actual)}
    elif hue is not None:
        options = {"palette": [COLOR_ACTUAL, COLOR_ANTERIOR, COLOR_PROGRAMADO]}
    sns.barplot(data=datos, x=y if horizontal else x, y=x if horizontal else y, hue=hue,
                orient="h" if horizontal else "v", saturation=1, edgecolor=style.TEXTO, linewidth=0.6, ax=ax,
                **options)
    if etiquetas:
        for container in ax.containers:
            ax.bar_label(container, fmt=_bar_text(porcentaje), fontsize=7.5, padding=2)
    value_axis = "x" if horizontal else "y"
    if porcentaje:
        eje_porcentaje(ax, value_axis)
    else:
        (ax.xaxis if horizontal else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
    if hue is not None and ax.get_legend() is not None:
        # below the axes, as in the avance chart, so it never covers a bar or its figure
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles, labels, title=None, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.12),
                  ncol=max(1, len(labels)))


def mostrar(fig) -> None:
    """Show the figure as SVG (what goes into the report's HTML and PDF, identical in JupyterLab)."""
    from IPython.display import SVG, display

    display(SVG(to_svg(fig)))
