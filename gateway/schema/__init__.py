"""The GraphQL schema: strawberry types per area, converted from the domain at the edge."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, ParserCache, SchemaExtension, ValidationCache
from strawberry.types import ExecutionContext

from gateway.auth.extension import FieldPermissions
from gateway.domain.errors import INTERNAL_ERROR_MESSAGE
from gateway.schema.query import Mutation, Query


def _should_mask(error: GraphQLError) -> bool:
    """Mask unexpected errors of resolvers; keep expected ones (they carry a code) and every
    error about the request itself: syntax, validation and variable coercion (these have no
    ``path``, as they happen before any field is resolved)."""
    if error.extensions and "code" in error.extensions:
        return False
    if not error.path:
        return False
    return not isinstance(error.original_error, GraphQLError | None)


class GatewaySchema(strawberry.Schema):
    """Strawberry's schema, logging only unexpected errors (expected ones are answers)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        unexpected = [e for e in errors if _should_mask(e)]
        if unexpected:
            super().process_errors(unexpected, execution_context)


def build_schema(
    extensions: Sequence[Callable[[], SchemaExtension]] = (),
) -> strawberry.Schema:
    """The gateway's schema.

    Court systems send the same few operations again and again with new variables: parsing and
    validating each of them once saves more than half of the CPU of a full-profile inquiry
    (``bench/fanout``). The caches are bounded LRUs, so literal-laden one-off queries only churn.

    ``extensions`` (factories, such as ``gateway.schema.limits.limit_extensions(...)``) run after
    the caches, so their validation hooks see the cached validation's result, and before
    ``MaskErrors``.
    """
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        extensions=[
            # factories: strawberry keeps one LRU per maxsize, shared by every request
            functools.partial(ParserCache, maxsize=256),
            functools.partial(ValidationCache, maxsize=256),
            FieldPermissions,  # before any limit: who may ask at all comes first
            *extensions,
            functools.partial(
                MaskErrors,
                should_mask_error=_should_mask,
                error_message=INTERNAL_ERROR_MESSAGE,
            ),
        ],
    )


__all__ = ["build_schema"]
