"""Deferred imports (mirbook.deferred): nothing is paid until first use, and first use works as before.

Each check runs in a fresh interpreter: what is imported is per process.
"""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def _python(code: str) -> None:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr


def test_the_deferred_iri_grammar_still_checks_iris():
    _python(
        "import sys\n"
        "from mirbook.deferred import defer_slow_imports\n"
        "defer_slow_imports()\n"
        "import jsonschema\n"
        "assert 'rfc3987_syntax.syntax_helpers' not in sys.modules\n"
        "checker = jsonschema.FormatChecker()\n"
        "assert checker.conforms('https://example.org/migración', 'iri')\n"
        "assert not checker.conforms('no es un iri', 'iri')\n"
        "assert 'rfc3987_syntax.syntax_helpers' in sys.modules\n"
    )


def test_great_expectations_is_imported_without_altair_and_can_still_draw_with_it():
    _python(
        "import sys\n"
        "import mirbook.validation.gx\n"
        "assert 'altair.vegalite' not in sys.modules, 'altair was imported'\n"
        "stand_in = sys.modules['altair']\n"
        "import altair\n"  # an import statement alone does not load it
        "assert altair is stand_in and 'altair.vegalite' not in sys.modules\n"
        "from great_expectations.expectations.core import expect_column_kl_divergence_to_be_less_than as kl\n"
        "import pandas as pd\n"
        "chart = kl.alt.Chart(pd.DataFrame({'x': [1, 2]})).mark_bar().encode(x='x')\n"  # GX's own use
        "assert type(chart).__module__.startswith('altair.'), type(chart)\n"
        "real = sys.modules['altair']\n"
        "assert real is not stand_in and real.Chart is stand_in.Chart\n"
        "import altair.vegalite.v6\n"
        "assert hasattr(real, '__version__') and stand_in.__version__ == real.__version__\n"
    )


def test_great_expectations_is_imported_without_scipy_stats_and_its_divergence_still_works():
    _python(
        "import sys\n"
        "import mirbook.validation.gx\n"
        "assert 'scipy.stats._stats_py' not in sys.modules, 'scipy.stats was imported'\n"
        "from great_expectations.expectations.core import expect_column_kl_divergence_to_be_less_than as kl\n"
        "assert abs(kl.stats.entropy([0.5, 0.5], [0.25, 0.75]) - 0.1438410362258904) < 1e-12\n"  # GX's own use
        "import scipy.stats\n"
        "assert 'scipy.stats._stats_py' in sys.modules and scipy.stats.norm.cdf(0) == 0.5\n"
        "from scipy.stats import distributions\n"
        "assert distributions.norm is scipy.stats.norm\n"
    )


def test_a_submodule_imported_first_loads_the_real_package():
    _python(
        "import sys\n"
        "from mirbook.deferred import defer\n"
        "defer('altair')\n"
        "from altair.vegalite import v6\n"
        "import altair\n"
        "assert altair.__doc__ == sys.modules['altair'].__doc__ and 'Deferred' not in (altair.__doc__ or '')\n"
        "assert v6.Chart is altair.Chart\n"
    )


def test_nothing_is_deferred_when_the_module_is_already_imported():
    _python(
        "import sys, json\n"
        "from mirbook.deferred import defer\n"
        "defer('json')\n"
        "assert sys.modules['json'] is json\n"
        "defer('no_hay_tal_modulo')\n"
        "assert 'no_hay_tal_modulo' not in sys.modules\n"
    )
