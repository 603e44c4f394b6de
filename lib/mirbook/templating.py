"""The one way mirbook makes HTML: a single autoescaping Jinja environment and its filters.

Every page and block is a template file under ``templates/`` rendered here:

* ``report/*.html.j2`` — the blocks the report notebooks display (:mod:`mirbook.report`);
* ``site/*.html.j2`` — the archive's navigation pages (:mod:`mirbook.site`);
* ``validation/validacion.html.j2`` — ``validacion.html`` (:mod:`mirbook.validation.page`);
* ``macros.html.j2`` — what they share: the semáforo badge, the legend, the demo banner, the
  warnings;
* ``mirbook/index.html.j2`` — the nbconvert template of the report pages. nbconvert renders it
  in its own environment; :data:`FILTERS` are registered there too (see
  :mod:`mirbook.render`) and ``templates/`` is on its search path, so it imports the same
  macros.

The environment **autoescapes** every value, so user text (titles, justifications, evidence,
file names) is always escaped. Numbers, dates and percentages are written by
:mod:`mirbook.formatting` only; the filters below just adapt the values the templates hold
(exact fractions from the model, or the decimal strings of an archived ``indicadores.csv``).

Jinja2 is imported inside :func:`environment`: importing this module stays cheap.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable

from . import style
from .formatting import date_es, datetime_es, decimal_es, int_es, pct_es, period_es
from .model import SEMAFOROS

if TYPE_CHECKING:  # pragma: no cover
    import jinja2

_URL_RE = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)


def _exact(value: Any) -> Fraction | int | None:
    """``value`` as an exact number; CSV text (``"66.67"``) is parsed, empty text is ``None``.
    Raises ``ValueError`` for text that is not a number."""
    if value is None or isinstance(value, (int, Fraction)):
        return value
    text = str(value).strip()
    if text == "":
        return None
    try:
        return Fraction(Decimal(text))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(text) from exc


def pct(value: Fraction | int | str | None) -> str:
    """A percentage: ``1,066.67 %``; ``—`` when undefined; text that is not a number as it is."""
    try:
        return pct_es(_exact(value))
    except ValueError:
        return str(value)


def entero(value: int | str | None) -> str:
    """A count: ``1,234``; ``—`` when undefined; text that is not an integer as it is."""
    if isinstance(value, int):
        return int_es(value)
    try:
        return int_es(int(str(value)))
    except (TypeError, ValueError):
        return "—" if value in (None, "") else str(value)


def numero(value: Fraction | int) -> str:
    """A threshold or a number of points: ``10`` or ``12.50``."""
    value = Fraction(value)
    return int_es(int(value)) if value.denominator == 1 else decimal_es(value)


def fecha_corta(value: date) -> str:
    """``02/01/2026``: the es-MX short date, for dense tables."""
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def lista(items: Any) -> str:
    """Spanish enumeration: ``A``, ``A y B``, ``A, B y C``."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " y " + items[-1]


def periodo(value: Any) -> str:
    """A :class:`~mirbook.model.Period` in words: ``tercer trimestre de 2026``."""
    return period_es(value.year, value.quarter)


def is_url(value: Any) -> bool:
    """Whether a text is one web address (evidence shown as a link)."""
    return bool(_URL_RE.fullmatch(str(value).strip()))


#: The filters every template may use (also registered in nbconvert's environment).
FILTERS: dict[str, Callable[..., str]] = {
    "pct": pct,
    "entero": entero,
    "numero": numero,
    "fecha": date_es,
    "fecha_corta": fecha_corta,
    "fecha_hora": datetime_es,
    "periodo": periodo,
    "lista": lista,
}


def _loader() -> "jinja2.BaseLoader":
    """``templates/``, listing only this environment's own templates (the nbconvert template under
    ``mirbook/`` belongs to nbconvert's environment and uses its filters)."""
    import jinja2

    class Loader(jinja2.FileSystemLoader):
        def list_templates(self) -> list[str]:
            return [n for n in super().list_templates() if n.endswith(".html.j2") and not n.startswith("mirbook/")]

    return Loader(str(style.TEMPLATES_DIR))


@lru_cache(maxsize=1)
def environment() -> "jinja2.Environment":
    """The one Jinja environment (autoescaping, strict about undefined names), built once per process."""
    import jinja2

    env = jinja2.Environment(
        loader=_loader(),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(FILTERS)
    env.tests["url"] = is_url
    env.globals.update(SEMAFOROS=style.SEMAFOROS, ORDEN_SEMAFORO=SEMAFOROS)  # the order: model.SEMAFOROS
    return env


def render(template: str, **context: Any) -> str:
    """Render ``templates/<template>`` with ``context``."""
    return environment().get_template(template).render(**context)
