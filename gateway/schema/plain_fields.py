"""Plain attribute fields read straight from their object, without strawberry's wrapper, and
those of a scalar or enum type completed in one step.

Most of a profile's ~490 fields per debtor are plain attributes of a record. For each of them
strawberry gives graphql-core a resolver that calls ``StrawberryField.get_result``, which calls
the configured default resolver (``getattr``) with the attribute's Python name: two Python calls
around one ``getattr``, for every field of every debtor of a batch. ``read_plain_fields_directly``
replaces that resolver, on the built schema, by one that does the ``getattr`` itself.

Only fields strawberry itself marks as basic get it: no resolver of their own, no field
extension, no exception handler (strawberry sets ``_is_default`` on exactly those resolvers).

Even so, graphql-core does the same work around each of them as around any field
(``execute_field``): it builds the resolver's ``info`` (a tuple of sixteen values), calls the
resolver, asks whether the result is awaitable, and walks ``complete_value`` down the field's
type to the scalar's ``coerce_output_value``. For a plain field of a scalar or enum type (most of
them: names, amounts, dates, statuses) none of that is needed to answer: the value is the
attribute, coerced. ``PlainFieldsExecutionContext`` reads such a field itself and coerces it
with the same ``coerce_output_value`` when the value is an ordinary one: not null in a non-null
field, not an exception, and coerced without an error to a value. Anything else (a missing
attribute, a value the scalar refuses, a null where the schema promises a value) goes the whole
way through graphql-core, which reads the attribute again and makes the error it always made;
a plain attribute has no side effect to repeat. With a resolver middleware (a schema extension
with a ``resolve`` hook, which must see every field) it completes every field graphql-core's way.

The answer, its errors and the schema's text are unchanged (``tests/gateway/schema/
test_plain_fields.py`` checks them against strawberry's own path); ``bench/batch.py`` measures
the difference on the floor of a 1,000-debtor batch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import strawberry
from graphql import (
    GraphQLField,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    Undefined,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import AwaitableOrValue, Path, UndefinedType
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from gateway.schema.execution import ReleasingExecutionContext

Resolver = Callable[[Any, GraphQLResolveInfo[Any]], Any]

# the schema's own entry (``GraphQLSchema.extensions``, reserved for its users) for its plain
# fields of a scalar or enum type, by the ``id`` of their ``GraphQLField`` (not hashable); the
# fields belong to the schema, so no id is reused while it holds them
PLAIN_LEAVES = "chakong.plain_leaves"


class PlainLeaf(NamedTuple):
    """What completing a plain scalar or enum field takes: the attribute, its type, and whether
    null is an answer."""

    attribute: str
    leaf: GraphQLLeafType
    nullable: bool


def _attribute(name: str) -> Resolver:
    def resolve(source: Any, info: GraphQLResolveInfo[Any]) -> Any:
        return getattr(source, name)

    return resolve


def _through(default: Callable[[Any, str], Any], name: str) -> Resolver:
    def resolve(source: Any, info: GraphQLResolveInfo[Any]) -> Any:
        return default(source, name)

    return resolve


def _plain_leaf(field: GraphQLField, name: str) -> PlainLeaf | None:
    """``field``'s ``PlainLeaf`` when it is of a scalar or enum type (or a non-null one) and
    takes no argument; otherwise ``None``."""
    if field.args:
        return None
    field_type, nullable = field.type, True
    if isinstance(field_type, GraphQLNonNull):
        field_type, nullable = field_type.of_type, False
    if not is_leaf_type(field_type):
        return None
    return PlainLeaf(name, field_type, nullable)


def read_plain_fields_directly(schema: strawberry.Schema) -> int:
    """Give every basic field of ``schema`` a direct attribute resolver; how many got one. Those
    read with ``getattr`` and of a scalar or enum type are also listed for
    ``PlainFieldsExecutionContext`` (in the schema's extensions, ``PLAIN_LEAVES``)."""
    replaced = 0
    leaves: dict[int, PlainLeaf] = schema._schema.extensions.setdefault(PLAIN_LEAVES, {})
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
            leaf = _plain_leaf(field, name) if default is getattr else None
            if leaf is not None:
                leaves[id(field)] = leaf
    return replaced


class PlainFieldsExecutionContext(ReleasingExecutionContext):
    """The gateway's execution: freed by reference counting (``ReleasingExecutionContext``),
    and its plain scalar and enum fields completed in one step where their value is an
    ordinary one (see the module's docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        middleware = self.middleware_manager
        if middleware is not None and not middleware.middlewares:
            # strawberry gives every execution a manager, with no middleware unless an
            # extension has a ``resolve`` hook: without one, graphql-core's call to it for
            # each field hands the resolver back unchanged
            self.middleware_manager = middleware = None
        self._plain_leaves: dict[int, PlainLeaf] = (
            {} if middleware is not None else self.schema.extensions.get(PLAIN_LEAVES, {})
        )

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> AwaitableOrValue[Any] | UndefinedType:
        leaves = self._plain_leaves
        if leaves:
            field = self.schema.get_field(parent_type, field_details_list[0].node.name.value)
            plain = leaves.get(id(field)) if field is not None else None
            if plain is not None:
                try:
                    value = getattr(source, plain.attribute)
                    if value is None:
                        if plain.nullable:
                            return None
                    elif value is not Undefined and not isinstance(value, Exception):
                        coerced = plain.leaf.coerce_output_value(value)
                        if coerced is not None and coerced is not Undefined:
                            return coerced
                except Exception:  # noqa: S110  # graphql-core's way below makes the error
                    pass
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )


__all__ = [
    "PLAIN_LEAVES",
    "PlainFieldsExecutionContext",
    "PlainLeaf",
    "read_plain_fields_directly",
]
