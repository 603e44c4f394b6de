#!/usr/bin/env python3
"""Synthetic data the code was not written against, for ``bench/run_bench.py``.

Writes two year folders (2023 and 2024) that follow the input contract but differ
from the demo data in every way the benchmark could depend on: a random plan and
records (the seed decides; ``run_bench.py`` draws a new one at each run), other years,
other record counts (``--scale`` multiplies them), units spread over everyone allowed
to report, and other encodings (``justificaciones`` in
Windows-1252, ``registros`` in UTF-8 with BOM). Units, indicators, product types and
migration flows are read from ``params/`` so the data stay valid if those change.
Also writes ``bench.json`` with the period to benchmark.

    python bench/make_unseen_data.py OUT_DIR [--seed N] [--scale K]

Synthetic figures only: they describe no real work of the UPM.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
from datetime import date, timedelta
from pathlib import Path

from mirbook.workbook import load_params

YEARS = (2023, 2024)
VERBS = ("Elaboración", "Revisión", "Actualización", "Integración", "Análisis", "Difusión", "Seguimiento")
TOPICS = ("movilidad laboral regional", "retorno asistido", "protección consular", "niñez migrante",
          "desplazamiento interno", "integración local", "regularización", "tránsito por la frontera sur",
          "remesas y desarrollo", "atención a solicitantes de refugio")
MEDIOS = ("Oficio UPM/{u}/{n:04d}/{y}", "Minuta de reunión UPM-{u}-{n:03d}-{y}", "Publicación en el DOF del {d}",
          "https://portales.segob.gob.mx/es/PoliticaMigratoria/doc-{n}-{y}")


def _csv(header: list[str], rows: list[list]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def make_year(folder: Path, year: int, rng: random.Random, scale: int) -> None:
    params = load_params()
    indicators = params.mir.indicadores
    units = params.organizacion.unidades
    allowed = {i.clave: [u.clave for u in units if i.clave in u.puede_reportar] for i in indicators}
    plan, records, justifications = [], [], []
    number = 0
    for indicator in indicators:
        planned_units = rng.sample(allowed[indicator.clave], k=min(len(allowed[indicator.clave]), rng.randint(1, 3)))
        for unit in planned_units:
            for quarter in (1, 2, 3, 4):
                programmed = rng.choice((0, 1, 2, 3, 4, 6)) * scale
                if programmed == 0 and rng.random() < 0.5:
                    continue  # a missing row means 0 programmed
                plan.append([indicator.clave, unit, quarter, programmed])
                start = date(year, 3 * quarter - 2, 1)
                done = max(0, round(programmed * rng.choice((0.5, 0.8, 0.95, 1.0, 1.0, 1.1, 1.3))))
                for _ in range(done):
                    number += 1
                    day = start + timedelta(days=rng.randrange(89))
                    tipo = rng.choice(indicator.tipos_producto) if indicator.tipos_producto else ""
                    flujo = rng.choice(indicator.flujos) if indicator.flujos else ""
                    medio = rng.choice(MEDIOS).format(u=unit, n=number, y=year, d=day.strftime("%d/%m/%Y"))
                    title = f"{rng.choice(VERBS)} sobre {rng.choice(TOPICS)} ({indicator.clave}, {unit})"
                    records.append([f"SIN-{year}-{number:05d}", indicator.clave, unit, day.isoformat(), title, medio,
                                    tipo, flujo])
        for quarter in (1, 2, 3, 4):
            if rng.random() < 0.3:
                justifications.append([indicator.clave, quarter, f"Causa sintética {quarter} de {indicator.clave}: "
                                       "reprogramación de actividades.", "Se atenderá en el siguiente trimestre.",
                                       rng.choice(("", "Sin otros motivos."))])
    rng.shuffle(records)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "programacion.csv").write_bytes(
        _csv(["indicador", "unidad_responsable", "trimestre", "programado"], plan).encode("utf-8"))
    (folder / "registros.csv").write_bytes(
        _csv(["folio", "indicador", "unidad_responsable", "fecha", "titulo", "medio_verificacion", "tipo", "flujo"],
             records).encode("utf-8-sig"))
    (folder / "justificaciones.csv").write_bytes(
        _csv(["indicador", "trimestre", "causa", "efecto", "otros_motivos"], justifications).encode("cp1252"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=6_2026)
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    for year in YEARS:
        make_year(args.out / str(year), year, rng, args.scale)
    (args.out / "bench.json").write_text(json.dumps({"year": YEARS[-1], "period": "T4", "seed": args.seed}),
                                        encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
