"""Silence progress bars and log printing while tuning: library code never prints."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def quiet() -> Iterator[None]:
    """transformers' (and, when loaded, datasets') bars and chatter off; restored on exit."""
    from transformers.utils import logging as hf_logging

    datasets = sys.modules.get("datasets")
    bars = datasets is not None and datasets.is_progress_bar_enabled()
    hf_bars = hf_logging.is_progress_bar_enabled()
    verbosity = hf_logging.get_verbosity()
    if datasets is not None:
        datasets.disable_progress_bars()
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    try:
        with warnings.catch_warnings():
            # TRL calls transformers' renamed gradient-checkpointing API; nothing a user can act on.
            warnings.filterwarnings("ignore", message=".*checkpointing.*", category=FutureWarning)
            yield
    finally:
        if bars and datasets is not None:
            datasets.enable_progress_bars()
        if hf_bars:
            hf_logging.enable_progress_bar()
        hf_logging.set_verbosity(verbosity)
