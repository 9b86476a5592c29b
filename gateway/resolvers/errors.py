"""Expected errors as GraphQL errors: a stable code and a bilingual message, never a trace."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from graphql import GraphQLError

from gateway.domain.errors import ChakongError

P = ParamSpec("P")
R = TypeVar("R")


def to_graphql_error(exc: ChakongError) -> GraphQLError:
    # the original error rides along (never shown) so the view can answer its HTTP status
    return GraphQLError(
        str(exc),
        original_error=exc,
        extensions={"code": exc.code, "messageZh": exc.message_zh, "messageEn": exc.message_en},
    )


def expected_errors(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Turn the gateway's own errors raised in a resolver into coded GraphQL errors."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await fn(*args, **kwargs)
        except ChakongError as exc:
            raise to_graphql_error(exc) from None

    return wrapper
