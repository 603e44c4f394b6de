"""Imports deferred to their first use: modules that cost seconds to import and are never used.

A few third-party imports cost more than everything else a run imports, for code mirbook
never calls:

* ``rfc3987_syntax``: ``jsonschema`` (imported by nbformat, papermill and Great
  Expectations) imports it for its optional ``iri`` format check, and it compiles a full
  RFC 3987 Earley grammar at import time: one to two seconds of CPU in every process, for
  a check that neither notebooks nor the validation suites use (:func:`defer_slow_imports`,
  called before nbformat or Great Expectations are imported, in every process);
* ``altair`` and ``scipy.stats``: Great Expectations imports both at import time for one
  expectation mirbook never declares, ``expect_column_kl_divergence_to_be_less_than`` (altair
  for its Data Docs chart — mirbook has no Data Docs, it writes its own validation page —
  and scipy.stats for the divergence itself): about half a second of CPU each (scipy.stats
  parses its distributions' docstrings at import) in every ``mirbook validar`` and ``mirbook
  generar`` (:func:`defer_gx_unused`, called by :mod:`mirbook.validation.gx` only, so a
  notebook's kernel imports them as usual).

Each is replaced in ``sys.modules`` by a stand-in module that imports the real one the
first time anything of it is used, and hands that over: the code that uses it works exactly
as before, it only pays the import later, or never. ``importlib.util.LazyLoader`` cannot do
this: an ``import`` statement of a module already in ``sys.modules`` reads its
``__spec__``, which makes a lazy module load at once. Nothing is deferred when the module is
already imported or not installed. tests/test_deferred.py checks both stand-ins.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from collections.abc import Callable, Sequence


def defer(name: str, functions: Sequence[str] = (), *, probes_load: bool = True) -> None:
    """Put a stand-in for module ``name`` in ``sys.modules``: the real module is imported on first use.

    ``functions``: names that code takes with ``from name import f`` when it is itself
    imported; they are wrappers on the stand-in that import the real module when called.
    ``probes_load``: whether reading a missing dunder attribute (``__path__``, ``__version__``…)
    imports the real module too. A ``from name import f`` reads ``__path__``, so a module
    taken that way must answer it without loading (``probes_load=False``: the stand-in then
    looks like a plain module, not a package, until it is used).
    """
    if name in sys.modules:
        return
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return
    if spec is None or spec.loader is None:
        return

    def real() -> types.ModuleType:
        module = sys.modules.get(name)
        if module is None or module is stand_in:
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            try:
                spec.loader.exec_module(module)  # type: ignore[union-attr]
            except BaseException:
                sys.modules[name] = stand_in
                raise
        return module

    def attribute(key: str):
        if key.startswith("__") and not probes_load:
            raise AttributeError(key)
        return getattr(real(), key)

    def wrapper(function: str) -> Callable:
        def call(*args, **kwargs):
            return getattr(real(), function)(*args, **kwargs)

        call.__name__ = call.__qualname__ = function
        return call

    stand_in = types.ModuleType(name, f"Deferred import of {name} (see mirbook.deferred).")
    stand_in.__spec__ = spec
    for function in functions:
        setattr(stand_in, function, wrapper(function))
    stand_in.__getattr__ = attribute  # type: ignore[attr-defined]
    sys.modules[name] = stand_in


def defer_slow_imports() -> None:
    """Defer the IRI grammar of jsonschema (see the module docstring); call it before importing
    nbformat, papermill or Great Expectations."""
    defer("rfc3987_syntax", functions=("is_valid_syntax",), probes_load=False)


def defer_gx_unused() -> None:
    """Defer altair and scipy.stats, which Great Expectations imports for an expectation mirbook
    does not use (see the module docstring); call it before importing Great Expectations."""
    defer("altair")
    defer("scipy.stats")
