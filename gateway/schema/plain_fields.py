"""Plain attribute fields read straight from their object, without strawberry's wrapper.

Most of a profile's ~490 fields per debtor are plain attributes of a record. For each of them
strawberry gives graphql-core a resolver that calls ``StrawberryField.get_result``, which calls
the configured default resolver (``getattr``) with the attribute's Python name: two Python calls
around one ``getattr``, for every field of every debtor of a batch. This module replaces that
resolver, on the built schema, by one that does the ``getattr`` itself.

Only fields strawberry itself marks as basic get it: no resolver of their own, no field
extension, no exception handler (strawberry sets ``_is_default`` on exactly those resolvers).
The answer, its errors and the schema's text are unchanged (``tests/gateway/schema/
test_plain_fields.py`` checks both against strawberry's own path); ``bench/batch.py`` measures
the difference on the floor of a 1,000-debtor batch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLObjectType, GraphQLResolveInfo
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

Resolver = Callable[[Any, GraphQLResolveInfo[Any]], Any]


def _attribute(name: str) -> Resolver:
    def resolve(source: Any, info: GraphQLResolveInfo[Any]) -> Any:
        return getattr(source, name)

    return resolve


def _through(default: Callable[[Any, str], Any], name: str) -> Resolver:
    def resolve(source: Any, info: GraphQLResolveInfo[Any]) -> Any:
        return default(source, name)

    return resolve


def read_plain_fields_directly(schema: strawberry.Schema) -> int:
    """Give every basic field of ``schema`` a direct attribute resolver; how many got one."""
    replaced = 0
    for graphql_type in schema._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        for field in graphql_type.fields.values():
            definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if not isinstance(definition, StrawberryField):
                continue
            if not getattr(field.resolve, "_is_default", False) or not definition.is_basic_field:
                continue
            default = definition.default_resolver
            name = definition.python_name
            resolve = _attribute(name) if default is getattr else _through(default, name)
            resolve._is_default = True  # type: ignore[attr-defined]  # as strawberry marks its own
            field.resolve = resolve
            replaced += 1
    return replaced


__all__ = ["read_plain_fields_directly"]
