"""Preloaded by the forkserver of the notebook tasks: papermill, the kernel, the report code.

Importing this module runs :data:`mirbook.warmup.NOTEBOOK_STEPS` (why, and what a forked task
keeps of it: :mod:`mirbook.warmup`).
"""

from .warmup import NOTEBOOK_STEPS, record_kernel_state, warm

warm(NOTEBOOK_STEPS, finish=record_kernel_state)
