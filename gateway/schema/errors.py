"""The gateway's own errors as GraphQL errors: a stable code and a bilingual message, never a
trace; the original error rides along (never shown) so the view can answer its HTTP status."""

from __future__ import annotations

from graphql import GraphQLError

from gateway.domain.errors import ChakongError


def to_graphql_error(exc: ChakongError) -> GraphQLError:
    # the original error rides along (never shown) so the view can answer its HTTP status
    return GraphQLError(
        str(exc),
        original_error=exc,
        extensions={"code": exc.code, "messageZh": exc.message_zh, "messageEn": exc.message_en},
    )
