"""The SHCP layout: export a period in the open-data «avance de indicadores» columns, and read it back.

After signing, the area re-types its figures into the federal system, and SHCP publishes
them as open data. Writing the same layout here saves the re-typing; reading the
published file back (:func:`importar`) and comparing it with the workbook
(:func:`diferencias`) catches every figure that was typed differently.

The mapping (column names, the month that closes each quarter, identifiers such as
ramo 04, UR and programa presupuestario) is an institutional parameter in
``params/shcp.yaml``; see that file for the monthly rule. Only numeric figures are
compared (programado, realizado, percentages); texts are exported but not compared.

Latin-1 CSV (as SHCP publishes): characters outside Latin-1 are replaced by
:func:`to_latin1`, in this order: (1) a table of typographic characters — curly quotes
“ ” „ → ``"``, ‘ ’ ‚ → ``'``, dashes – — ― ‐ − → ``-``, … → ``...``, • → ``-``, € → ``EUR``,
thin and narrow spaces → space, zero-width characters → nothing; (2) otherwise the
character's compatibility decomposition (NFKD) without combining marks, when every
remaining character is Latin-1 (ő → o, ﬁ → fi); (3) otherwise ``?``.
"""

from __future__ import annotations

import csv
import io
import os
import sys
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from .ajustes import hasta, vigente
from .contract import OFFICIAL_FIGURES
from .errors import DataError, ParamsError, UsageError
from .formatting import round2
from .indicators import avance_pct, cumplimiento_pct, justificacion_for, programado, realizado
from .model import Ajuste, Indicator, Mir, Period, YearData, parse_year, quarter_of
from .paths import params_dir, year_dir

FIXED_SOURCES = (
    "ciclo", "fija", "id_indicador", "nombre", "id_nivel", "nivel",
    "frecuencia", "tipo", "dimension", "unidad_medida", "sentido",
)
#: Monthly sources that are figures (compared on import); the others are texts.
NUMERIC_SOURCES = ("programado_original", "programado_vigente", "realizado", "avance_pct", "cumplimiento_pct")
PCT_SOURCES = ("avance_pct", "cumplimiento_pct")
TEXT_SOURCES = ("justificacion_ajuste", "causa", "efecto", "otros_motivos")
#: Sources known for the whole year (the calendar); the others only up to the report's quarter.
PLAN_SOURCES = ("programado_original", "programado_vigente")
OFFICIAL_STEM = OFFICIAL_FIGURES


# --- the mapping -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mapping:
    """``params/shcp.yaml`` typed."""

    encoding: str
    separator: str
    closing_month: dict[int, int]
    filtro: tuple[str, ...]
    columna_ciclo: str
    columna_indicador: str
    fijas: dict[str, str]
    columnas: tuple[tuple[str, str], ...]
    mensuales: tuple[tuple[str, str], ...]
    niveles: dict[str, str]
    textos: dict[str, dict[str, str]]
    indicadores: dict[str, str]

    def id_of(self, clave: str) -> str:
        """The federal identifier of a MIR clave."""
        return self.indicadores.get(clave, clave)

    def header(self) -> list[str]:
        """Every column of the file, in order: fixed columns, then each monthly column for months 1–12."""
        monthly = [template.format(n=n) for template, _ in self.mensuales for n in range(1, 13)]
        return [name for name, _ in self.columnas] + monthly

    def numeric_columns(self) -> list[tuple[str, int, str]]:
        """(column, quarter, source) of every monthly figure the rule fills."""
        return [
            (template.format(n=self.closing_month[q]), q, source)
            for template, source in self.mensuales
            if source in NUMERIC_SOURCES
            for q in range(1, 5)
        ]


def _fail(path: Path, message: str) -> ParamsError:
    return ParamsError(f"{path}: {message}")


def load_mapping(path: Path | None = None) -> Mapping:
    """Load and check ``params/shcp.yaml`` (a :class:`ParamsError` names the key that is wrong)."""
    path = Path(path) if path else params_dir() / "shcp.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParamsError(f"No se encontró el archivo de parámetros {path}.") from None
    except yaml.YAMLError as exc:
        raise ParamsError(f"{path}: el archivo YAML no se puede leer ({exc}).") from None
    if not isinstance(raw, dict):
        raise _fail(path, "se esperaba una tabla de claves y valores.")
    try:
        months = {int(q): int(m) for q, m in raw["meses_cierre"].items()}
        columnas = tuple((str(c["columna"]), str(c["valor"])) for c in raw["columnas"])
        mensuales = tuple((str(c["columna"]), str(c["valor"])) for c in raw["mensuales"])
        mapping = Mapping(
            encoding=str(raw["csv"]["codificacion"]),
            separator=str(raw["csv"]["separador"]),
            closing_month=months,
            filtro=tuple(str(c) for c in raw["filtro"]),
            columna_ciclo=str(raw["columna_ciclo"]),
            columna_indicador=str(raw["columna_indicador"]),
            fijas={str(k): str(v) for k, v in raw["fijas"].items()},
            columnas=columnas,
            mensuales=mensuales,
            niveles={str(k): str(v) for k, v in raw["niveles"].items()},
            textos={str(k): {str(a): str(b) for a, b in v.items()} for k, v in raw["textos"].items()},
            indicadores={str(k): str(v) for k, v in (raw.get("indicadores") or {}).items()},
        )
    except KeyError as exc:
        raise _fail(path, f"falta la clave «{exc.args[0]}».") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise _fail(path, f"un valor no tiene la forma esperada ({exc}).") from None
    if sorted(months) != [1, 2, 3, 4] or not all(1 <= m <= 12 for m in months.values()):
        raise _fail(path, "«meses_cierre» debe dar un mes del 1 al 12 para cada trimestre 1, 2, 3 y 4.")
    for name, source in columnas:
        if source not in FIXED_SOURCES:
            raise _fail(path, f"columna {name}: valor «{source}» desconocido; use {', '.join(FIXED_SOURCES)}.")
        if source == "fija" and name not in mapping.fijas:
            raise _fail(path, f"columna {name}: es «fija» pero no tiene valor en «fijas».")
    for template, source in mensuales:
        if "{n}" not in template:
            raise _fail(path, f"columna mensual {template}: debe llevar «{{n}}» (el número de mes).")
        if source not in NUMERIC_SOURCES + TEXT_SOURCES:
            raise _fail(path, f"columna mensual {template}: valor «{source}» desconocido.")
    for name in (*mapping.filtro, mapping.columna_ciclo, mapping.columna_indicador):
        if name not in mapping.header():
            raise _fail(path, f"la columna {name} (filtro, ciclo o indicador) no está entre las columnas.")
    try:
        "".encode(mapping.encoding)
    except LookupError:
        raise _fail(path, f"codificación «{mapping.encoding}» desconocida.") from None
    return mapping


# --- figures ------------------------------------------------------------------------------------------


def _fixed_value(source: str, column: str, indicator: Indicator, year: int, mapping: Mapping) -> str:
    values = {
        "ciclo": str(year),
        "fija": mapping.fijas.get(column, ""),
        "id_indicador": mapping.id_of(indicator.clave),
        "nombre": indicator.nombre,
        "id_nivel": mapping.niveles.get(indicator.nivel, indicator.nivel),
        "nivel": indicator.nivel,
        "frecuencia": mapping.textos.get("frecuencia", {}).get(indicator.frecuencia, indicator.frecuencia),
        "tipo": indicator.tipo,
        "dimension": indicator.dimension,
        "unidad_medida": indicator.unidad_medida,
        "sentido": mapping.textos.get("sentido", {}).get(indicator.sentido, indicator.sentido),
    }
    return values[source]


def _quarter_values(
    indicator: Indicator, data: YearData, plan: YearData, ajustes: Sequence[Ajuste], period: Period, quarter: int
) -> dict[str, Any]:
    """Every monthly source for one quarter's closing month (``None``: left empty)."""
    clave = indicator.clave
    values: dict[str, Any] = {
        "programado_original": programado(data, clave, quarter),
        "programado_vigente": programado(plan, clave, quarter),
    }
    if quarter > period.quarter:
        return values
    upto = Period(period.year, quarter)
    done = realizado(data, clave, upto)
    avance = avance_pct(done, values["programado_vigente"])
    cumplimiento = cumplimiento_pct(avance, indicator.meta_for(period.year), indicator.sentido)
    justificacion = justificacion_for(data, clave, quarter)
    textos = [
        a.justificacion for a in hasta(ajustes, period)
        if a.indicador == clave and a.fecha.year == period.year and quarter_of(a.fecha) == quarter
    ]
    values.update(
        realizado=done,
        avance_pct=None if avance is None else round2(avance),
        cumplimiento_pct=None if cumplimiento is None else round2(cumplimiento),
        justificacion_ajuste=" / ".join(textos) or None,
        causa=justificacion.causa if justificacion else None,
        efecto=justificacion.efecto if justificacion else None,
        otros_motivos=justificacion.otros_motivos if justificacion else None,
    )
    return values


def table(mir: Mir, data: YearData, period: Period, mapping: Mapping, ajustes: Iterable[Ajuste] = ()) -> list[dict[str, Any]]:
    """One row per indicator in MIR order: column → value (``str``, ``int``, ``Decimal`` or ``None`` for empty)."""
    ajustes = tuple(ajustes)
    plan = vigente(data, ajustes, period)
    out = []
    for indicator in mir.indicadores:
        row: dict[str, Any] = dict.fromkeys(mapping.header())
        for column, source in mapping.columnas:
            row[column] = _fixed_value(source, column, indicator, period.year, mapping)
        for quarter in range(1, 5):
            values = _quarter_values(indicator, data, plan, ajustes, period, quarter)
            for template, source in mapping.mensuales:
                row[template.format(n=mapping.closing_month[quarter])] = values.get(source)
        out.append(row)
    return out


# --- writers ------------------------------------------------------------------------------------------

_LATIN1_TABLE = {
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u2026": "...", "\u2022": "-", "\u20ac": "EUR",
    "\u2009": " ", "\u202f": " ", "\u2002": " ", "\u2003": " ", "\u200a": " ",
    "\u200b": "", "\u200c": "", "\u200d": "", "\ufeff": "",
}


def to_latin1(text: str) -> str:
    """``text`` with every character outside Latin-1 replaced by its nearest Latin-1 form (module docstring)."""
    out = []
    for char in text:
        if ord(char) < 256:
            out.append(char)
        elif char in _LATIN1_TABLE:
            out.append(_LATIN1_TABLE[char])
        else:
            decomposed = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            out.append(decomposed if decomposed and all(ord(c) < 256 for c in decomposed) else "?")
    return "".join(out)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def to_csv_bytes(rows: list[dict[str, Any]], mapping: Mapping) -> bytes:
    """The CSV in the mapping's encoding (Latin-1), characters outside it approximated."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=mapping.separator, lineterminator="\r\n")
    writer.writerow(mapping.header())
    for row in rows:
        writer.writerow([_text(row[c]) for c in mapping.header()])
    text = buffer.getvalue()
    if mapping.encoding.lower().replace("_", "-") in ("latin-1", "latin1", "iso-8859-1"):
        text = to_latin1(text)
    return text.encode(mapping.encoding, errors="replace")


def to_xlsx_bytes(rows: list[dict[str, Any]], mapping: Mapping) -> bytes:
    """The same table as an ``.xlsx`` workbook (integers and percentages as numbers)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "avance_indicadores"
    sheet.append(mapping.header())
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in (row[c] for c in mapping.header())])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_atomic(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file in the same folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export_bytes(rows: list[dict[str, Any]], mapping: Mapping, suffix: str) -> bytes:
    """CSV or xlsx by the output file's suffix."""
    return to_xlsx_bytes(rows, mapping) if suffix.lower() == ".xlsx" else to_csv_bytes(rows, mapping)


# --- reading a published file --------------------------------------------------------------------------

#: (clave, trimestre, columna) → the figure as canonical text (``""``: empty).
Cifras = dict[tuple[str, int, str], str]


@dataclass(frozen=True)
class Oficial:
    """The figures of this programme in a published file, by MIR clave, quarter and column."""

    path: Path
    ciclo: int
    cifras: Cifras
    claves: tuple[str, ...]
    desconocidos: tuple[str, ...]
    ultimo_trimestre: int | None

    @property
    def period(self) -> Period | None:
        """The period the file reports: the last quarter with an avance."""
        return None if self.ultimo_trimestre is None else Period(self.ciclo, self.ultimo_trimestre)


def _read_rows(path: Path, mapping: Mapping) -> list[tuple[int, dict[str, str]]]:
    """The file's rows as text by column, with their row numbers (header = 1)."""
    if not path.is_file():
        raise DataError(f"No existe el archivo {path}.")
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        from .sources import _cell_text  # the same cell-to-text rule as the input tables

        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is one user message
            raise DataError(f"{path.name}: no se puede abrir como libro de Excel ({type(exc).__name__}).") from None
        try:
            records = [[_cell_text(v) for v in row] for row in workbook.worksheets[0].iter_rows(values_only=True)]
        finally:
            workbook.close()
    else:
        from .sources import decode_text

        text, _ = decode_text(path.read_bytes(), path)
        try:
            records = list(csv.reader(io.StringIO(text, newline=""), delimiter=mapping.separator))
        except csv.Error as exc:
            raise DataError(f"{path.name}: el CSV está mal formado ({exc}).") from None
    if not records:
        raise DataError(f"{path.name}: el archivo está vacío; se esperaba el encabezado del formato de la SHCP.")
    header = [c.strip().lstrip("\ufeff") for c in records[0]]
    needed = [mapping.columna_ciclo, mapping.columna_indicador, *mapping.filtro]
    needed += [column for column, _, _ in mapping.numeric_columns()]
    missing = [c for c in dict.fromkeys(needed) if c not in header]
    if missing:
        raise DataError(
            f"{path.name}, fila 1 (encabezados): faltan las columnas {', '.join(missing)} del formato de la SHCP "
            "(params/shcp.yaml)."
        )
    return [
        (number, dict(zip(header, [c.strip() for c in cells])))
        for number, cells in enumerate(records[1:], start=2)
        if any(c.strip() for c in cells)
    ]


def _canonical(value: str, source: str, where: str) -> str:
    """A figure as canonical text: integers without decimals, percentages with two; empty stays empty."""
    if value == "":
        return ""
    try:
        number = Decimal(value.replace(" ", ""))
    except InvalidOperation:
        raise DataError(f"{where}: valor «{value}» — se espera un número") from None
    if source in PCT_SOURCES:
        return f"{number.quantize(Decimal('0.01')):.2f}"
    if number != number.to_integral_value():
        raise DataError(f"{where}: valor «{value}» — se espera un número entero de productos")
    return str(int(number))


def importar(path: Path, mir: Mir, mapping: Mapping) -> Oficial:
    """Read a published file: this programme's rows (other programmes' are ignored), one cycle, by MIR clave."""
    path = Path(path)
    by_id = {mapping.id_of(clave): clave for clave in mir.claves}
    ours = [
        (number, row) for number, row in _read_rows(path, mapping)
        if all(row.get(c, "") == mapping.fijas.get(c, "") for c in mapping.filtro)
    ]
    if not ours:
        shown = ", ".join(f"{c}={mapping.fijas.get(c, '')}" for c in mapping.filtro)
        raise DataError(f"{path.name}: no hay filas del programa ({shown}); revise el archivo o params/shcp.yaml.")
    ciclos = sorted({row[mapping.columna_ciclo] for _, row in ours})
    if len(ciclos) != 1:
        raise DataError(f"{path.name}, columna «{mapping.columna_ciclo}»: el archivo trae varios ciclos "
                        f"({', '.join(ciclos)}); importe un archivo por año.")
    try:
        ciclo = parse_year(ciclos[0])
    except UsageError:
        raise DataError(f"{path.name}, columna «{mapping.columna_ciclo}», fila {ours[0][0]}: "
                        f"valor «{ciclos[0]}» — se espera un año de cuatro cifras") from None
    cifras: Cifras = {}
    seen: dict[str, int] = {}
    unknown = []
    last = None
    for number, row in ours:
        ident = row[mapping.columna_indicador]
        clave = by_id.get(ident)
        if clave is None:
            unknown.append(ident)
            continue
        if clave in seen:
            raise DataError(f"{path.name}, filas {seen[clave]} y {number}: el indicador {ident} aparece dos veces.")
        seen[clave] = number
        for column, quarter, source in mapping.numeric_columns():
            where = f"{path.name}, columna «{column}», fila {number}"
            value = _canonical(row.get(column, ""), source, where)
            cifras[(clave, quarter, column)] = value
            if source == "realizado" and value != "":
                last = max(last or 0, quarter)
    return Oficial(path, ciclo, cifras, tuple(c for c in mir.claves if c in seen), tuple(unknown), last)


def cifras_propias(rows: list[dict[str, Any]], mapping: Mapping, mir: Mir) -> Cifras:
    """The workbook's own figures from :func:`table` rows, in the same canonical text as :func:`importar`."""
    out: Cifras = {}
    for clave, row in zip(mir.claves, rows):
        for column, quarter, _ in mapping.numeric_columns():
            out[(clave, quarter, column)] = _text(row[column])
    return out


@dataclass(frozen=True)
class Diferencia:
    """One figure that differs between SHCP's file and the workbook (``None``: a whole indicator)."""

    clave: str
    trimestre: int | None
    columna: str | None
    oficial: str
    propio: str

    def mensaje(self) -> str:
        """One Spanish line."""
        if self.columna is None:
            return f"{self.clave}: {self.oficial}"
        show = lambda v: v if v != "" else "(vacío)"  # noqa: E731
        return (f"{self.clave}, T{self.trimestre} ({self.columna}): la SHCP publica {show(self.oficial)}; "
                f"el libro calcula {show(self.propio)}.")


def diferencias(oficial: Oficial, propias: Cifras, mir: Mir) -> list[Diferencia]:
    """Every difference, in MIR order then quarter and column: missing or unknown indicators, then figures."""
    out = [Diferencia(clave, None, None, "no aparece en el archivo de la SHCP", "")
           for clave in mir.claves if clave not in oficial.claves]
    out += [Diferencia(ident, None, None, "clave de indicador que no está en params/shcp.yaml ni en la MIR", "")
            for ident in oficial.desconocidos]
    keys = sorted(propias, key=lambda k: (mir.claves.index(k[0]), k[1], k[2]))
    out += [
        Diferencia(clave, quarter, column, oficial.cifras[(clave, quarter, column)], propias[(clave, quarter, column)])
        for clave, quarter, column in keys
        if (clave, quarter, column) in oficial.cifras and oficial.cifras[(clave, quarter, column)] != propias[(clave, quarter, column)]
    ]
    return out


def official_path(data_dir: Path, year: int, suffix: str) -> Path:
    """Where an imported file lives in the year's data folder: ``<year>/shcp_oficial.csv`` (or ``.xlsx``)."""
    return year_dir(Path(data_dir), year) / f"{OFFICIAL_STEM}{'.xlsx' if suffix.lower() == '.xlsx' else '.csv'}"


def copy_official(source: Path, data_dir: Path, year: int) -> Path:
    """Copy the published file into the year's data folder (an input like any other), atomically.

    A previous import with the other extension is removed, so the folder holds one official file.
    """
    target = official_path(data_dir, year, source.suffix)
    if target.resolve() != Path(source).resolve():
        write_atomic(target, Path(source).read_bytes())
    other = target.with_suffix(".csv" if target.suffix == ".xlsx" else ".xlsx")
    other.unlink(missing_ok=True)
    return target


def official_file(data_dir: Path, year: int) -> Path | None:
    """The imported official file of ``year`` (``shcp_oficial.csv`` or ``.xlsx``), or ``None``."""
    folder = Path(data_dir) / str(year)
    found = [folder / f"{OFFICIAL_STEM}{ext}" for ext in (".csv", ".xlsx") if (folder / f"{OFFICIAL_STEM}{ext}").is_file()]
    return found[0] if found else None


@dataclass(frozen=True)
class Cifra:
    """One figure of the report's comparison: what SHCP publishes and what the workbook computes."""

    clave: str
    trimestre: int
    columna: str
    fuente: str
    oficial: str
    propio: str

    @property
    def difiere(self) -> bool:
        """Whether the two disagree (this is what the report flags)."""
        return self.oficial != self.propio


@dataclass(frozen=True)
class Comparacion:
    """SHCP's published figures next to the workbook's own, for the quarters both cover."""

    archivo: Path
    periodo_oficial: Period | None
    trimestres: tuple[int, ...]
    cifras: tuple[Cifra, ...]
    faltantes: tuple[Diferencia, ...]

    @property
    def diferencias(self) -> tuple[Cifra, ...]:
        """Every figure that differs."""
        return tuple(c for c in self.cifras if c.difiere)

    @property
    def ultimo(self) -> int | None:
        """The last quarter compared (the report's own figures), ``None`` when none is."""
        return self.trimestres[-1] if self.trimestres else None

    def filas(self) -> list[tuple[str, list[Cifra]]]:
        """The figures of the last quarter compared, one row per indicator (MIR order)."""
        rows: dict[str, list[Cifra]] = {}
        for cifra in self.cifras:
            if cifra.trimestre == self.ultimo:
                rows.setdefault(cifra.clave, []).append(cifra)
        return list(rows.items())

    def anteriores(self) -> list[Cifra]:
        """The differences of earlier quarters (listed apart under the table)."""
        return [c for c in self.diferencias if c.trimestre != self.ultimo]


def comparacion(workbook, mapping: Mapping | None = None) -> Comparacion | None:
    """Compare the year's imported official file with the workbook's period (``None``: no file).

    Compared: every figure of the mapping for the quarters up to the report's period that the
    official file also covers (its last quarter with an avance), so a file published for T2
    is not flagged for T3 figures it cannot have yet. Indicators missing from the file, or
    unknown to the MIR, are listed apart.
    """
    path = official_file(workbook.data_dir, workbook.period.year)
    if path is None:
        return None
    mapping = mapping or load_mapping()
    mir = workbook.mir
    oficial = importar(path, mir, mapping)
    last = min(workbook.period.quarter, oficial.ultimo_trimestre or 0)
    quarters = tuple(range(1, last + 1))
    propias = cifras_propias(table(mir, workbook.data, workbook.period, mapping, workbook.data.ajustes), mapping, mir)
    cifras = tuple(
        Cifra(clave, quarter, column, source, oficial.cifras[(clave, quarter, column)], propias[(clave, quarter, column)])
        for clave in oficial.claves
        for column, quarter, source in mapping.numeric_columns()
        if quarter in quarters and (clave, quarter, column) in oficial.cifras
    )
    cifras = tuple(sorted(cifras, key=lambda c: (mir.claves.index(c.clave), c.trimestre)))
    faltantes = tuple(d for d in diferencias(oficial, {}, mir) if d.columna is None)
    return Comparacion(path, oficial.period, quarters, cifras, faltantes)


# --- the command line (called from mirbook.cli) ----------------------------------------------------------

def _evaluate_rows(year: int, label: str, data_dir: str | Path | None, mapping: Mapping):
    from .workbook import open_workbook

    workbook = open_workbook(year, label, data_dir)
    rows = table(workbook.mir, workbook.data, workbook.period, mapping, workbook.data.ajustes)
    return workbook, rows


def cli_export(year: str, period: str, out: str | None, data_dir: str | None) -> int:
    """``mirbook shcp --year Y --period Tq [--out FILE]``: the file, or CSV on the standard output."""
    mapping = load_mapping()
    workbook, rows = _evaluate_rows(year, period, data_dir, mapping)
    if out:
        target = Path(out)
        write_atomic(target, export_bytes(rows, mapping, target.suffix))
        print(f"Formato SHCP de {workbook.period} escrito en {target} ({len(rows)} indicadores).", file=sys.stderr)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(to_csv_bytes(rows, mapping))
        sys.stdout.buffer.flush()
    return 0


def cli_import(file: str, period: str | None, data_dir: str | None) -> int:
    """``mirbook shcp --importar FILE``: copy it into the year's data folder and print the differences."""
    from .paths import resolve_dir
    from .workbook import load_params

    mapping = load_mapping()
    mir = load_params().mir
    source = Path(file).expanduser()
    oficial = importar(source, mir, mapping)
    if period is not None:
        label = period
    elif oficial.period is not None:
        label = oficial.period.label
    else:
        raise UsageError(f"{source.name} no trae avances; indique el periodo con --period (T1 a T4).")
    folder = resolve_dir(data_dir, "data")
    workbook, rows = _evaluate_rows(oficial.ciclo, label, folder, mapping)
    target = copy_official(source, folder, oficial.ciclo)
    found = diferencias(oficial, cifras_propias(rows, mapping, mir), mir)
    print(f"Archivo de la SHCP copiado en {target}.")
    if not found:
        print(f"Sin diferencias: las cifras publicadas por la SHCP para {workbook.period} coinciden con las del libro "
              f"({len(oficial.claves)} indicadores).")
    else:
        print(f"{len(found)} diferencia(s) entre lo publicado por la SHCP y el libro para {workbook.period}:")
        for item in found:
            print(f"  - {item.mensaje()}")
    return 0
