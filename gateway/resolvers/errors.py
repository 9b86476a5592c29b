"""Expected errors as GraphQL errors: a stable code and a bilingual message, never a trace."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from gateway.domain.errors import ChakongError, StoreUnavailableError
from gateway.schema.errors import to_graphql_error

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


def expected_errors(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Turn the gateway's own errors raised in a resolver into coded GraphQL errors; a database
    that fails (gone away, read-only, locked past the wait) is ``STORE_UNAVAILABLE``, which says
    to try again, not an internal error (the cause is logged)."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await fn(*args, **kwargs)
        except ChakongError as exc:
            raise to_graphql_error(exc) from None
        except SQLAlchemyError:
            log.exception("the database failed in %s", fn.__qualname__)
            unavailable = StoreUnavailableError(
                "数据库暂不可用，请稍后再试", "the database is unavailable: try again later"
            )
            raise to_graphql_error(unavailable) from None

    return wrapper
