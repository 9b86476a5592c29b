"""Validation cached by the query's text.

strawberry's ``ValidationCache`` keys its LRU on the parsed document. graphql-core's nodes are
dataclasses with a hash computed over the whole tree, so every request hashed its document
again to find the validation it already had: about 90 µs for the README's full profile, about
1% of an inquiry's CPU. The parser cache (``ParserCache``, before this one) maps the same text
to the same document, so the text is as good a key, and a string hashes in a C loop. The result
is strawberry's own validation (``validate_document``: the schema's rules and strawberry's two
of its own), computed once per text and set of rules.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

from graphql import ASTValidationRule, GraphQLError, GraphQLSchema
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

Key = tuple[GraphQLSchema, str, tuple[type[ASTValidationRule], ...]]


class ValidationsByText:
    """A bounded LRU of validation results, by schema, query text and validation rules (a
    schema hashes by identity)."""

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._entries: OrderedDict[Key, list[GraphQLError]] = OrderedDict()

    def get(self, key: Key) -> list[GraphQLError] | None:
        errors = self._entries.get(key)
        if errors is not None:
            self._entries.move_to_end(key)
        return errors

    def put(self, key: Key, errors: list[GraphQLError]) -> None:
        self._entries[key] = errors
        self._entries.move_to_end(key)
        while len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


class ValidationCache(SchemaExtension):
    """strawberry's ``ValidationCache``, keyed on the query's text (``cache``). A request
    without text (a document given already parsed) is left alone: strawberry validates a
    document no hook has validated (as does ``RequestLimits``, after this hook)."""

    def __init__(self, cache: ValidationsByText) -> None:
        super().__init__()
        self.cache = cache

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        document = ctx.graphql_document
        if document is not None and ctx.query is not None:
            key = (ctx.schema._schema, ctx.query, ctx.validation_rules)
            errors = self.cache.get(key)
            if errors is None:
                errors = validate_document(ctx.schema._schema, document, ctx.validation_rules)
                self.cache.put(key, errors)
            ctx.pre_execution_errors = errors
        yield


__all__ = ["ValidationCache", "ValidationsByText"]
