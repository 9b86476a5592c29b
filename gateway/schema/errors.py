"""The gateway's own errors as GraphQL errors: a stable code and a bilingual message, never a
trace; the original error rides along (never shown) so the view can answer its HTTP status.

Errors mask the identifiers they quote where they are raised; the messages are masked once more
here (``mask_ids_in_text``), so that no error, whoever wrote it, shows a full ID number."""

from __future__ import annotations

from graphql import GraphQLError

from gateway.domain.errors import ChakongError, LimitExceededError
from gateway.domain.subjects import mask_ids_in_text


def to_graphql_error(exc: ChakongError) -> GraphQLError:
    # the original error rides along (never shown) so the view can answer its HTTP status
    zh, en = mask_ids_in_text(exc.message_zh), mask_ids_in_text(exc.message_en)
    extensions: dict[str, object] = {"code": exc.code, "messageZh": zh, "messageEn": en}
    if isinstance(exc, LimitExceededError) and exc.limit is not None:
        extensions["limit"] = exc.limit
    return GraphQLError(f"{zh} / {en}", original_error=exc, extensions=extensions)
