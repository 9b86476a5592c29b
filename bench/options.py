"""The benchmarks' command-line numbers: a count or a duration out of range is refused by
argparse with a one-line message and exit status 2, as a misspelt option is, instead of a
Python error after the set-up (dividing by zero rounds, the median of no samples)."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


def at_least(minimum: int) -> Callable[[str], int]:
    """A whole-number option of at least ``minimum`` (rounds, queries, runs: at least 1). Named
    so as not to shadow, or be shadowed by, the ``count`` the benchmarks use for their own
    counts."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {value}")
        return value

    parse.__name__ = "at_least"  # argparse names the type in its message
    return parse


def milliseconds(text: str) -> float:
    """A latency or a duration: a finite number, zero or more."""
    value = _finite(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a finite number, zero or more, not {text}")
    return value


def seconds(text: str) -> float:
    """A duration to measure over: a finite number above zero."""
    value = _finite(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite number more than zero, not {text}")
    return value


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, not {text}")
    return value
