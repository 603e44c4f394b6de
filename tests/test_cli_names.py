"""The command line speaks Spanish: ``generar``, ``validar``, ``verificar``; the English names still work."""

from __future__ import annotations

import re

import pytest

from mirbook.cli import build_parser, main


def test_help_lists_the_spanish_names_only(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    listed = re.findall(r"^    (\w+)\b", out, flags=re.MULTILINE)
    assert {"indicadores", "validar", "generar", "verificar"} <= set(listed)
    assert not re.search(r"\b(run|validate|verify)\b", out)


@pytest.mark.parametrize(("spanish", "english"), [("generar", "run"), ("validar", "validate"), ("verificar", "verify")])
def test_the_english_alias_runs_the_same_command(spanish, english):
    parser = build_parser()
    extra = [] if spanish == "verificar" else ["--year", "2026", "--period", "T3"]
    assert parser.parse_args([spanish, *extra]).handler is parser.parse_args([english, *extra]).handler


def test_verificar_checks_an_archive(tmp_path, capsys):
    assert main(["verificar", "--reports-dir", str(tmp_path)]) == 0
    assert "Archivo íntegro: 0 revisión(es)" in capsys.readouterr().out
