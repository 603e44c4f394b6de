"""Writing figures out: the only place where numbers are rounded.

Percentages are rounded half-up to two decimals (the usual rule in Mexican
public-finance reports) from their exact :class:`~fractions.Fraction` value.
CSV output uses a plain decimal point; text for people uses es-MX conventions
(comma for thousands, point for decimals, Spanish month names).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

MESES = (
    "enero", "febrero", "marzo", "abril", "mayo", "junio",
    "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
)
NOMBRES_TRIMESTRE = {1: "primer", 2: "segundo", 3: "tercer", 4: "cuarto"}


def round2(value: Fraction | int) -> Decimal:
    """Round an exact value half-up to two decimals."""
    fraction = Fraction(value)
    scaled = fraction * 100
    floor = scaled.numerator // scaled.denominator
    remainder = scaled - floor
    cents = floor + (1 if remainder >= Fraction(1, 2) else 0)
    return (Decimal(cents) / Decimal(100)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def pct_csv(value: Fraction | int | None) -> str:
    """A percentage for CSV: ``66.67``, or empty when undefined."""
    return "" if value is None else f"{round2(value):.2f}"


def bool_csv(value: bool) -> str:
    """``true`` / ``false``."""
    return "true" if value else "false"


def int_es(value: int) -> str:
    """An integer with es-MX thousands separators: ``1,234``."""
    return f"{value:,}"


def decimal_es(value: Fraction | int) -> str:
    """A number with es-MX thousands separators and 2 decimals: ``1,234.57``."""
    return f"{round2(value):,.2f}"


def pct_es(value: Fraction | int | None, empty: str = "—") -> str:
    """A percentage for people: ``1,066.67 %``; ``empty`` when undefined."""
    if value is None:
        return empty
    return f"{decimal_es(value)} %"


def date_es(value: date) -> str:
    """``31 de marzo de 2026``."""
    return f"{value.day} de {MESES[value.month - 1]} de {value.year}"


def period_es(year: int, quarter: int) -> str:
    """``tercer trimestre de 2026``."""
    return f"{NOMBRES_TRIMESTRE[quarter]} trimestre de {year}"


def datetime_es(moment: datetime | str) -> str:
    """``21 de noviembre de 2026, 10:15 (UTC-06:00)``; accepts an ISO string."""
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            return moment
    offset = moment.strftime("%z")
    zone = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    return f"{date_es(moment.date())}, {moment:%H:%M} ({zone})"
