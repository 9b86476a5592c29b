"""A check's verdict: ``CheckFailedError`` and ``expect``, shared by the kit's modules."""

from __future__ import annotations


class CheckFailedError(Exception):
    """A check's verdict: the endpoint broke the contract (the message says how)."""


def expect(condition: bool, failure: str) -> None:
    if not condition:
        raise CheckFailedError(failure)
