"""The data contract of one year's input files (mir-domain §3), stated once.

Why a module of its own: the table names, their columns in order, which ones are
required and the rules that turn a cell's text into a number or a date used to be
typed in five places (reading, typing, validation, the test fixtures and the demo
generator), free to drift apart. Everything that needs them imports them from here:

* :data:`TABLES` — every table of the contract with its columns in the contract's order,
  whether the file is required and whether each column is required;
* :data:`READ_TABLES` — the tables a run reads (every table of the contract today);
* the value rules :data:`WHOLE_NUMBER`, :data:`QUARTER` and :data:`ISO_DATE` — how a cell
  is parsed (:func:`parse_int`, :func:`parse_date`), the equivalent regular expressions the
  Great Expectations checks use, and the Spanish words that explain a failure.

Standard library only, no I/O: the demo generator imports it too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

#: File extensions a table may have (CSV in any accepted encoding, or an Excel workbook).
EXTENSIONS = (".csv", ".xlsx")


@dataclass(frozen=True)
class ValueRule:
    """How the text of one kind of cell is read, and the Spanish words for a failure.

    ``expected`` is the one-line explanation when the value cannot be used at all (typing
    in :mod:`mirbook.records`); validation checks form and range apart, with
    ``expected_form`` (not written as this kind of value) and ``expected_range`` (written
    well, outside ``minimum``…``maximum``). ``regex`` is the form as Great Expectations
    matches it on the raw text (a sign is allowed there: the sign is a range question).
    """

    name: str
    regex: str
    expected: str
    expected_form: str
    expected_range: str | None = None
    minimum: int | None = None
    maximum: int | None = None


#: An integer as text, sign allowed (the sign is a range question): ``3``, ``+3``, ``-1``, ``3.0``.
INT_REGEX = r"^[+-]?[0-9]+(\.0*)?$"
#: An ISO ``AAAA-MM-DD`` date that exists in the Gregorian calendar (leap years included).
ISO_DATE_REGEX = (
    r"^(?:[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    r"|02-(?:0[1-9]|1[0-9]|2[0-8]))"
    r"|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)$"
)

WHOLE_NUMBER = ValueRule(
    name="entero",
    regex=INT_REGEX,
    expected="se espera un número entero mayor o igual a 0",
    expected_form="se espera un número entero mayor o igual a 0, sin decimales ni texto",
    expected_range="se espera un número entero mayor o igual a 0",
    minimum=0,
)
QUARTER = ValueRule(
    name="trimestre",
    regex=INT_REGEX,
    expected="se espera un trimestre entero del 1 al 4",
    expected_form="se espera un trimestre del 1 al 4, escrito como número entero",
    expected_range="se espera un trimestre del 1 al 4",
    minimum=1,
    maximum=4,
)
ISO_DATE = ValueRule(
    name="fecha",
    regex=ISO_DATE_REGEX,
    expected="se espera una fecha que exista, escrita AAAA-MM-DD",
    expected_form="se espera una fecha que exista, escrita AAAA-MM-DD",
)  # its range is the file's year: validation phrases it with the year


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a table: its name, whether the header must have it, its value rule."""

    name: str
    required: bool = True
    rule: ValueRule | None = None


@dataclass(frozen=True)
class TableSpec:
    """One input table: its name, whether the file is required, and its columns in order.

    ``read`` says whether a run reads the table; a table may be declared before a run
    reads it, so its columns are stated once (``ajustes`` was, until issue 13 wired it in).
    """

    name: str
    required: bool
    columns: tuple[ColumnSpec, ...]
    read: bool = True

    @property
    def column_names(self) -> tuple[str, ...]:
        """Every column, in the contract's order (the header a generator writes)."""
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Columns the header must have."""
        return tuple(c.name for c in self.columns if c.required)

    @property
    def optional_columns(self) -> tuple[str, ...]:
        """Columns the header may leave out (treated as empty)."""
        return tuple(c.name for c in self.columns if not c.required)

    def rule_of(self, column: str) -> ValueRule | None:
        """The value rule of ``column`` (``None``: free text or unknown column)."""
        return next((c.rule for c in self.columns if c.name == column), None)


def _columns(*specs: str | ColumnSpec) -> tuple[ColumnSpec, ...]:
    return tuple(s if isinstance(s, ColumnSpec) else ColumnSpec(s) for s in specs)


#: Every table of the contract, in the order files are looked for and reported.
TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        TableSpec(
            "programacion",
            required=True,
            columns=_columns(
                "indicador", "unidad_responsable",
                ColumnSpec("trimestre", rule=QUARTER), ColumnSpec("programado", rule=WHOLE_NUMBER),
            ),
        ),
        TableSpec(
            "registros",
            required=True,
            columns=_columns(
                "folio", "indicador", "unidad_responsable", ColumnSpec("fecha", rule=ISO_DATE),
                "titulo", "medio_verificacion", ColumnSpec("tipo", required=False),
                ColumnSpec("flujo", required=False),
            ),
        ),
        TableSpec(
            "justificaciones",
            required=False,
            columns=_columns("indicador", ColumnSpec("trimestre", rule=QUARTER), "causa", "efecto", "otros_motivos"),
        ),
        TableSpec(
            "ajustes",
            required=False,
            columns=_columns(
                "indicador", "unidad_responsable", ColumnSpec("trimestre", rule=QUARTER),
                ColumnSpec("programado", rule=WHOLE_NUMBER), ColumnSpec("fecha", rule=ISO_DATE), "justificacion",
            ),
        ),
    )
}

#: The tables a run reads today, required first.
READ_TABLES = tuple(name for name, t in TABLES.items() if t.read)
REQUIRED_TABLES = tuple(name for name in READ_TABLES if TABLES[name].required)
OPTIONAL_TABLES = tuple(name for name in READ_TABLES if not TABLES[name].required)


#: The file SHCP published (``mirbook shcp --importar`` copies it as ``<year>/shcp_oficial.csv``
#: or ``.xlsx``). Not a table of the contract (its layout is ``params/shcp.yaml``'s), but an
#: input all the same: it is in the fingerprint and the manifest, and the reports compare it.
OFFICIAL_FIGURES = "shcp_oficial"


def table(name: str) -> TableSpec:
    """The contract of table ``name`` (``ValueError`` for a name outside the contract)."""
    try:
        return TABLES[name]
    except KeyError:
        raise ValueError(f"unknown table {name!r}") from None


# --- the value rules as parsers --------------------------------------------------------------

_INT_RE = re.compile(r"[+]?\d+(\.0*)?")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_int(text: str) -> int | None:
    """A whole number written as text (``"3"``, ``"3.0"``, ``"+3"``); ``None`` if it is not one."""
    value = text.strip()
    if not _INT_RE.fullmatch(value):
        return None
    return int(value.split(".")[0].lstrip("+"))


def parse_signed_int(value: str | None) -> float:
    """A whole number (sign allowed) as float for range checks; NaN when it is not one."""
    if not value:
        return float("nan")
    text = value.strip()
    negative = text.startswith("-")
    number = parse_int(text[1:] if negative else text)
    if number is None:
        return float("nan")
    return float(-number if negative else number)


def parse_quarter(text: str) -> int | None:
    """A quarter 1–4 written as a whole number; ``None`` otherwise."""
    number = parse_int(text)
    return number if number is not None and 1 <= number <= 4 else None


def parse_date(text: str) -> date | None:
    """An ISO ``YYYY-MM-DD`` date that exists; ``None`` otherwise."""
    value = text.strip()
    if not _DATE_RE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
