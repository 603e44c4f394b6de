"""Preloaded by the forkserver of the PDF tasks: WeasyPrint with its fonts.

Importing this module runs :data:`mirbook.warmup.PDF_STEPS` (why, and what a forked task keeps
of it: :mod:`mirbook.warmup`).
"""

from .warmup import PDF_STEPS, warm

warm(PDF_STEPS)
