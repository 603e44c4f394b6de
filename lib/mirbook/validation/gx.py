"""Running Great Expectations: one ephemeral context, a suite per table, the raw results.

This is the only module that talks to Great Expectations' runtime (context, data
source, batch, suite). It knows nothing of the data contract or of Spanish: it receives
the checks declared by :mod:`mirbook.validation.checks` and the frame built by
:mod:`mirbook.validation.frame`, and hands the results to
:mod:`mirbook.validation.messages` for phrasing.

Importing it imports Great Expectations (a second or two, once what it imports and never
uses is deferred: :mod:`mirbook.deferred`): import it only on the validation path
(``mirbook validate`` / ``run``), never from ``mirbook indicadores``.
"""

from __future__ import annotations

import logging
import os
import warnings
from typing import TYPE_CHECKING, Any

from ..deferred import defer_gx_unused, defer_slow_imports

os.environ["GX_ANALYTICS_ENABLED"] = "false"  # no usage statistics, no network
defer_slow_imports()
defer_gx_unused()

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import great_expectations as gx
    import pandas as pd
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )
    from great_expectations.expectations.row_conditions import Column

if TYPE_CHECKING:
    from .checks import Check

for _name in ("great_expectations", "py.warnings"):
    logging.getLogger(_name).setLevel(logging.ERROR)

__all__ = ["GX_VERSION", "Column", "E", "GxSession"]

GX_VERSION: str = gx.__version__
#: The expectation classes, for declaring checks (``E.ExpectColumnValuesToBeInSet(...)``).
E = gx.expectations


class GxSession:
    """One ephemeral Great Expectations context, reused for every table of a validation run."""

    def __init__(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            config = DataContextConfig(
                store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),  # no Data Docs
                analytics_enabled=False,
                progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
            )
            self.context = gx.get_context(mode="ephemeral", project_config=config)
            self.source = self.context.data_sources.add_pandas("mirbook")

    def run(self, name: str, df: pd.DataFrame, checks: list[Check]) -> list[Any]:
        """Validate ``df`` (table ``name``) against ``checks``; one GX result per check, in order.

        A quick pass gives every verdict; only the checks that failed are run again for
        their row details (``COMPLETE``), which keeps a clean table fast.
        """
        suite = gx.ExpectationSuite(name=f"mirbook_{name}")
        for number, check in enumerate(checks):
            check.expectation.meta = {"mirbook_check": number}
            suite.add_expectation(check.expectation)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            asset = self.source.add_dataframe_asset(name)
            batch = asset.add_batch_definition_whole_dataframe("todo").get_batch(batch_parameters={"dataframe": df})
            results = batch.validate(suite, result_format="BOOLEAN_ONLY")
            by_number = {r.expectation_config.meta["mirbook_check"]: r for r in results.results}
            for number, result in list(by_number.items()):
                if not result.success and not (result.exception_info or {}).get("raised_exception"):
                    by_number[number] = batch.validate(checks[number].expectation, result_format="COMPLETE")
        return [by_number[number] for number in range(len(checks))]
