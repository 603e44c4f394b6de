#!/usr/bin/env python3
"""Generador determinista del año de demostración que llega como libros de las unidades: ``data/2024/unidades/``.

Por qué: el ciclo de captura (las unidades devuelven su libro ``<CLAVE>.xlsx``) debe verse
en la demostración y probarse en cada ``make report``/``generar --all``. El año 2024 se
obtiene de los datos sintéticos de 2025 (``data/2025/``, de ``tools/make_demo_data.py``)
con las fechas, folios y textos llevados a 2024; con ellos se escriben los libros de
captura con ``mirbook plantillas --desde-datos`` (:func:`mirbook.plantillas.write_workbooks`)
y luego se les dan los hábitos de quien llena en Excel: números guardados como decimales
(``2.0``), espacios de más, claves en minúsculas, filas vacías al final. La hoja
«Instrucciones» va primero y las fechas son celdas de fecha (así las escribe la plantilla).
Las justificaciones de indicadores que ninguna unidad puede reportar se quedan en
``data/2024/justificaciones.csv`` (archivo del año, junto a los de las unidades).

Uso (desde la raíz del proyecto)::

    python tools/make_unit_workbooks.py

Determinista: sin azar y con las fechas de los libros fijadas, dos ejecuciones dan los
mismos datos (los .xlsx son zip: sus bytes pueden variar con la versión de openpyxl).
Estos datos NO son cifras reales de la UPM.
"""
from __future__ import annotations

import csv
import shutil
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "lib"))  # se ejecuta desde el checkout, aunque el paquete no esté instalado

from openpyxl import load_workbook  # noqa: E402

from mirbook.contract import READ_TABLES, TABLES  # noqa: E402
from mirbook.plantillas import unplaced_justifications, write_workbooks  # noqa: E402
from mirbook.records import load_year  # noqa: E402
from mirbook.workbook import load_params  # noqa: E402

SOURCE_YEAR, YEAR = 2025, 2024
DATA_DIR = ROOT / "data"
#: The workbooks' own creation date (openpyxl writes "now" otherwise).
FIXED_TIME = datetime(2025, 1, 15, 9, 0, 0)


def _to_year(text: str) -> str:
    return text.replace(str(SOURCE_YEAR), str(YEAR))


def write_consolidated(folder: Path) -> None:
    """The 2025 CSV files moved to 2024 (dates, folios and texts), in ``folder/2024/``."""
    target = folder / str(YEAR)
    target.mkdir(parents=True)
    for name in READ_TABLES:
        source = DATA_DIR / str(SOURCE_YEAR) / f"{name}.csv"
        if not source.is_file():
            continue
        with source.open(encoding="utf-8", newline="") as handle:
            rows = [[_to_year(cell) for cell in row] for row in csv.reader(handle)]
        with (target / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(rows)


def excel_habits(path: Path) -> None:
    """What a person's Excel leaves: floats for integers, stray spaces, lower-case claves, empty tail rows."""
    book = load_workbook(path)
    for name in READ_TABLES:
        if name not in book.sheetnames:
            continue
        sheet = book[name]
        header = [cell.value for cell in sheet[1]]
        last = max((row[0].row for row in sheet.iter_rows(min_row=2) if any(c.value is not None for c in row)),
                   default=1)
        for row in sheet.iter_rows(min_row=2, max_row=last):
            for cell in row:
                column = header[cell.column - 1] if cell.column <= len(header) else None
                if column in ("trimestre", "programado") and isinstance(cell.value, int):
                    cell.value = float(cell.value)
                elif column == "titulo" and isinstance(cell.value, str) and cell.row % 2 == 0:
                    cell.value = cell.value + "  "
                elif column == "indicador" and isinstance(cell.value, str) and cell.row % 3 == 0:
                    cell.value = " " + cell.value.lower()
        sheet.cell(row=last + 2, column=1, value="   ")  # a "blank" row that holds spaces
    book.properties.created = book.properties.modified = FIXED_TIME
    book.save(path)


def main() -> int:
    params = load_params()
    out = DATA_DIR / str(YEAR)
    with tempfile.TemporaryDirectory() as scratch:
        write_consolidated(Path(scratch))
        data = load_year(Path(scratch), YEAR)
        if out.exists():
            shutil.rmtree(out)
        units = [u for u in params.organizacion.unidades
                 if any(r.unidad_responsable == u.clave for r in (*data.programacion, *data.registros))]
        written = write_workbooks(params, YEAR, out / "unidades", units, {}, data)
        for path in written:
            excel_habits(path)
        unplaced = set(unplaced_justifications(params, data))
        if unplaced:
            source = Path(scratch) / str(YEAR) / "justificaciones.csv"
            with source.open(encoding="utf-8", newline="") as handle:
                rows = [r for r in csv.DictReader(handle) if r["indicador"] in unplaced]
            with (out / "justificaciones.csv").open("w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=TABLES["justificaciones"].column_names, lineterminator="\n")
                writer.writeheader()
                writer.writerows(rows)
    names = ", ".join(p.name for p in written)
    print(f"{len(written)} libro(s) de unidad escritos en {out / 'unidades'}: {names}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
