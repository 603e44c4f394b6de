#!/usr/bin/env python3
"""A valid year of exactly N records, for the size benchmark (``bench/run_bench.py --sizes``).

Why: issue 15 asks that cost grow linearly with the records and memory stay bounded, measured
at 1,000, 20,000 and 200,000 records. The year (2026) follows the input contract: every
indicator, unit, product type and migration flow is read from ``params/`` (units only report
what they may), folios are unique, dates fall inside the year, and the plan programmes about
what was delivered so the semáforos vary. Deterministic for a given ``--seed``.

    python bench/make_sized_data.py OUT_DIR --records 20000 [--seed N]

Synthetic figures only: they describe no real work of the UPM.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from mirbook.workbook import load_params

YEAR = 2026


def make(out: Path, records: int, seed: int) -> Path:
    """Write ``out/2026/{programacion,registros}.csv`` with ``records`` records; returns the year folder."""
    rng = random.Random(seed)
    params = load_params()
    pairs = [(i, u.clave) for i in params.mir.indicadores for u in params.organizacion.unidades
             if i.clave in u.puede_reportar]
    folder = out / str(YEAR)
    folder.mkdir(parents=True, exist_ok=True)
    delivered: Counter = Counter()
    with open(folder / "registros.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["folio", "indicador", "unidad_responsable", "fecha", "titulo", "medio_verificacion",
                         "tipo", "flujo"])
        for number in range(1, records + 1):
            indicator, unit = rng.choice(pairs)
            day = date(YEAR, 1, 1) + timedelta(days=rng.randrange(365))
            delivered[(indicator.clave, unit, (day.month - 1) // 3 + 1)] += 1
            writer.writerow([
                f"BEN-{YEAR}-{number:07d}", indicator.clave, unit, day.isoformat(),
                f"Producto sintético {number} de {indicator.clave}", f"Oficio UPM/{unit}/{number:07d}/{YEAR}",
                rng.choice(indicator.tipos_producto) if indicator.tipos_producto else "",
                rng.choice(indicator.flujos) if indicator.flujos else "",
            ])
    with open(folder / "programacion.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["indicador", "unidad_responsable", "trimestre", "programado"])
        for indicator, unit in pairs:
            for quarter in (1, 2, 3, 4):
                done = delivered[(indicator.clave, unit, quarter)]
                writer.writerow([indicator.clave, unit, quarter, round(done * rng.choice((0.8, 1.0, 1.0, 1.2)))])
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--records", type=int, required=True)
    parser.add_argument("--seed", type=int, default=15_2026)
    args = parser.parse_args()
    make(args.out, args.records, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
