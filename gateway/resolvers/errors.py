"""Expected errors as GraphQL errors: a stable code and a bilingual message, never a trace."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from gateway.domain.errors import ChakongError
from gateway.schema.errors import to_graphql_error

P = ParamSpec("P")
R = TypeVar("R")


def expected_errors(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Turn the gateway's own errors raised in a resolver into coded GraphQL errors."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await fn(*args, **kwargs)
        except ChakongError as exc:
            raise to_graphql_error(exc) from None

    return wrapper
