"""The look of the reports: semáforo colours, words and symbols, and the shared CSS.

One palette serves the HTML pages, the PDFs and the charts, so a semáforo looks the
same everywhere. A semáforo is never shown by colour alone: every badge carries
its word and a symbol of its own shape (✔ ▲ ✖ ○), and every chart marks it with a
marker shape and, for the bands, a hatch pattern, so grey print and colour-blind
readers can tell them apart.

Text colours meet WCAG AA contrast (4.5:1) against their backgrounds; the test
suite checks it with :func:`contrast_ratio`.

Light module: standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from string import Template

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
CSS_FILE = TEMPLATES_DIR / "mirbook" / "report.css"
NARROW_CSS_FILE = TEMPLATES_DIR / "mirbook" / "narrow.css"
SITE_CSS_FILE = TEMPLATES_DIR / "site" / "site.css"
SITE_NARROW_CSS_FILE = TEMPLATES_DIR / "site" / "narrow.css"
VALIDATION_CSS_FILE = TEMPLATES_DIR / "validation" / "validacion.css"
#: Media query of the narrow-screen rules (phones down to 360 px).
NARROW_MEDIA = "screen and (max-width: 40rem)"

#: Institutional colours (Gobierno de México): guinda for headings, gold for rules only (never text).
GUINDA = "#691C32"
DORADO = "#BC955C"
TEXTO = "#1A1A1A"
TEXTO_SUAVE = "#4D4D4D"
ENLACE = "#0B4FA8"
FONDO_SUAVE = "#F4F1EC"
BORDE = "#8A8A8A"

#: Neutral greys and tints of the pages (backgrounds, rules, table lines).
BLANCO = "#FFFFFF"
BORDE_CLARO = "#BFBFBF"      # table cells, cards, strips
LINEA_FICHA = "#D0D0D0"      # rules between the rows of the ficha
LINEA_TITULO = "#CCCCCC"     # rule under section titles
LINEA = "#D9D9D9"            # rules between list rows; chart grid and "programado" bars
FONDO_ACTUAL = "#FFF8E6"     # the row of the current period / revision
FONDO_ENLACE = "#EAF1FB"     # a button under the pointer
ANTERIOR = "#6B6B6B"         # the previous year's line in the charts


@dataclass(frozen=True)
class Semaforo:
    """How one semáforo value is shown."""

    clave: str
    etiqueta: str          # the word, as the users say it
    simbolo: str           # a symbol of its own shape
    fondo: str             # badge background
    texto: str             # badge text (AA contrast against ``fondo``)
    tinte: str             # light tint for chart bands and table cells
    trama: str             # matplotlib hatch of the chart band (grey print)
    marcador: str          # matplotlib marker of the chart points
    oscuro: str            # the colour used for lines and text on white


SEMAFOROS: dict[str, Semaforo] = {
    "verde": Semaforo("verde", "Verde", "✔", "#1B7A3A", "#FFFFFF", "#D3EBD9", "", "o", "#1B6E35"),
    "amarillo": Semaforo("amarillo", "Amarillo", "▲", "#F2C230", "#1A1A1A", "#FCEFC0", "\\\\\\", "^", "#8A6500"),
    "rojo": Semaforo("rojo", "Rojo", "✖", "#B3261E", "#FFFFFF", "#F7D4D1", "xxx", "X", "#A3221B"),
    "no_aplica": Semaforo("no_aplica", "No aplica", "○", "#E3E3E3", "#1A1A1A", "#F2F2F2", "", "s", "#595959"),
}

#: Level names as the MIR says them.
NIVEL_ORDEN = ("Fin", "Propósito", "Componente", "Actividad")


def display(value: str) -> Semaforo:
    """How a semáforo value (``verde``, ``amarillo``, ``rojo``, ``no_aplica``) is shown: colours,
    symbol, word. Deciding the value is :func:`mirbook.indicators.classify_semaforo`."""
    return SEMAFOROS[value]


def etiqueta(value: str) -> str:
    """The word of a semáforo: ``Verde``, ``Amarillo``, ``Rojo``, ``No aplica``."""
    return SEMAFOROS[value].etiqueta


def css_variables() -> dict[str, str]:
    """The palette as the ``${name}`` placeholders of the stylesheets in ``templates/`` see it."""
    values = {
        "guinda": GUINDA,
        "dorado": DORADO,
        "texto": TEXTO,
        "texto_suave": TEXTO_SUAVE,
        "enlace": ENLACE,
        "fondo_suave": FONDO_SUAVE,
        "borde": BORDE,
        "blanco": BLANCO,
        "borde_claro": BORDE_CLARO,
        "linea_ficha": LINEA_FICHA,
        "linea_titulo": LINEA_TITULO,
        "linea": LINEA,
        "fondo_actual": FONDO_ACTUAL,
        "fondo_enlace": FONDO_ENLACE,
    }
    for key, sem in SEMAFOROS.items():
        values[f"{key}_fondo"] = sem.fondo
        values[f"{key}_texto"] = sem.texto
        values[f"{key}_tinte"] = sem.tinte
        values[f"{key}_oscuro"] = sem.oscuro
    return values


@lru_cache(maxsize=None)
def stylesheet(path: Path) -> str:
    """A stylesheet of ``templates/`` with the palette filled in: the one way CSS gets its colours."""
    return Template(Path(path).read_text(encoding="utf-8")).substitute(css_variables())


def base_css() -> str:
    """Screen, print and PDF rules, with the palette filled in."""
    return stylesheet(CSS_FILE)


def narrow_css() -> str:
    """The rules for narrow screens only (to be used under :data:`NARROW_MEDIA`)."""
    return stylesheet(NARROW_CSS_FILE)


@lru_cache(maxsize=1)
def page_css() -> str:
    """The whole shared CSS as one stylesheet: :func:`base_css` plus the narrow-screen rules in an
    ``@media`` block. (The report pages put the narrow rules in a separate ``<style media=…>``
    element instead, which WeasyPrint skips silently.)"""
    return base_css() + _media(narrow_css())


def _media(rules: str) -> str:
    return f"\n@media {NARROW_MEDIA} {{\n{rules}}}\n"


@lru_cache(maxsize=1)
def site_css() -> str:
    """The stylesheet of the archive's navigation pages: the reports' one plus the site's own rules."""
    return page_css() + stylesheet(SITE_CSS_FILE) + _media(stylesheet(SITE_NARROW_CSS_FILE))[1:]


def validation_css() -> str:
    """The stylesheet of ``validacion.html``."""
    return stylesheet(VALIDATION_CSS_FILE)


# --- contrast (WCAG 2.x) ---------------------------------------------------------------------


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(hex_colour: str) -> float:
    """WCAG relative luminance of ``#RRGGBB``."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG contrast ratio between two ``#RRGGBB`` colours (1–21)."""
    a, b = relative_luminance(foreground), relative_luminance(background)
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)
