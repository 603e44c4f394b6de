"""``params/captura.yaml``: the capture deadlines, loaded strictly."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import ROOT
from mirbook.errors import ParamsError
from mirbook.model import Period
from mirbook.plazos import load_plazos


def test_the_projects_file_loads_and_each_deadline_follows_its_quarter():
    plazos = load_plazos(ROOT / "params" / "captura.yaml")
    assert plazos
    for year, quarters in plazos.items():
        for quarter, deadline in quarters.items():
            assert deadline > Period(year, quarter).end


def test_no_file_means_no_published_deadlines(tmp_path):
    assert load_plazos(tmp_path / "captura.yaml") == {}


def test_dates_as_yaml_dates_or_quoted_text(tmp_path):
    path = tmp_path / "captura.yaml"
    path.write_text('plazos:\n  2027:\n    T1: 2027-04-09\n    T4: "2028-01-14"\n', encoding="utf-8")
    assert load_plazos(path) == {2027: {1: date(2027, 4, 9), 4: date(2028, 1, 14)}}


@pytest.mark.parametrize("text, needle", [
    ("plazo:\n  2026: {T1: 2026-04-10}\n", "faltan las claves plazos"),
    ("plazos: {}\notro: 1\n", "claves desconocidas otro"),
    ("plazos:\n  2026: {T5: 2026-04-10}\n", "año «2026»: «T5» no es un trimestre; use T1, T2, T3 o T4."),
    ("plazos:\n  2026: {T1: 2026-02-30}\n", "año «2026», T1: se esperaba una fecha AAAA-MM-DD (se encontró «2026-02-30»)."),
    ("plazos:\n  2026: {T2: 2026-06-30}\n", "T2: la fecha límite 2026-06-30 debe ser posterior al cierre del trimestre (2026-06-30)."),
    ("plazos:\n  '2026': {T1: 2026-04-10}\n", "el año debe escribirse con cuatro cifras, sin comillas."),
    ("plazos:\n  2026: []\n", "se esperaba una tabla T1: fecha, T2: fecha"),
    ("plazos: [2026]\n", "«plazos» debe ser una tabla año"),
])
def test_bad_entries_name_file_year_and_quarter(tmp_path, text, needle):
    path = tmp_path / "captura.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParamsError) as caught:
        load_plazos(path)
    assert str(caught.value).startswith(str(path)) and needle in str(caught.value)
