"""The result types of a validation run (plain dataclasses, no Great Expectations)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..model import Period

#: ``ExpectationOutcome.table`` of the checks made before Great Expectations (files, folders).
FILES_TABLE = "(archivos)"


@dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation (or pre-check) and whether the data met it."""

    table: str            # programacion | registros | justificaciones | (archivos)
    filename: str         # e.g. registros.csv or registros.xlsx
    column: str | None
    description: str      # Spanish, e.g. "«fecha» es una fecha AAAA-MM-DD dentro de 2026"
    success: bool
    unexpected_count: int
    message: str | None   # the Spanish problem line when it failed
    severity: str = "error"  # "error" stops the run; "advertencia" does not


@dataclass(frozen=True)
class FileInfo:
    """An input file as it was read: table, name, encoding and data rows."""

    table: str
    filename: str
    encoding: str | None   # utf-8, utf-8-sig, cp1252, latin-1, xlsx; None when unreadable
    rows: int | None       # data rows (header excluded); None when unreadable


@dataclass(frozen=True)
class ValidationResult:
    """Everything a validation run found; ``errors`` empty means the data may be used."""

    period: Period
    data_dir: Path
    files: tuple[Path, ...]
    errors: tuple[str, ...]       # one Spanish line per problem (empty = valid)
    warnings: tuple[str, ...]     # avisos nivel advertencia of the evaluation
    infos: tuple[str, ...]        # e.g. records after the period, encodings detected
    outcomes: tuple[ExpectationOutcome, ...]
    gx_version: str
    file_info: tuple[FileInfo, ...] = ()

    @property
    def ok(self) -> bool:
        """No errors: the run may go on (warnings do not stop it)."""
        return not self.errors

    @property
    def passed(self) -> int:
        """Expectations (and pre-checks) met."""
        return sum(1 for o in self.outcomes if o.success)

    @property
    def failed(self) -> int:
        """Expectations (and pre-checks) not met."""
        return sum(1 for o in self.outcomes if not o.success)
