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
a plain attribute has no side effect to repeat. An object that selects only such fields (most
of a profile's records: an account, a property, a policy) is completed in one step as a whole,
without the path graphql-core makes for each of its fields; should one of its values not be an
ordinary one, the whole object goes graphql-core's way, so its errors come as they always came.
With a resolver middleware (a schema extension with a ``resolve`` hook, which must see every
field) it completes every field graphql-core's way.

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
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
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
            if default is getattr:
                resolve = _attribute(name)
                leaf = _plain_leaf(field, name)
                if leaf is not None:
                    leaves[id(field)] = leaf
            else:
                resolve = _through(default, name)
            resolve._is_default = True  # type: ignore[attr-defined]  # as strawberry marks its own
            field.resolve = resolve
            replaced += 1
    return replaced


# what ``_completed`` answers for a value graphql-core must complete itself
_NOT_ORDINARY: Any = object()


def _completed(source: Any, plain: PlainLeaf) -> Any:
    """``plain``'s field of ``source`` as graphql-core would complete it, when its value is an
    ordinary one; ``_NOT_ORDINARY`` when graphql-core must (an error, or a value it may refuse)."""
    try:
        value = getattr(source, plain.attribute)
        if value is None:
            return None if plain.nullable else _NOT_ORDINARY
        if value is Undefined or isinstance(value, Exception):
            return _NOT_ORDINARY
        coerced = plain.leaf.coerce_output_value(value)
    except Exception:  # graphql-core's way makes the error
        return _NOT_ORDINARY
    return _NOT_ORDINARY if coerced is None or coerced is Undefined else coerced


# an object's selection (graphql-core makes one per object type and selection, and hands the
# same one over for every object of a list), its type, and the plain leaves it reads, in order,
# when it selects nothing else
_Selection = tuple[GroupedFieldSet, GraphQLObjectType, tuple[tuple[str, PlainLeaf], ...] | None]


class PlainFieldsExecutionContext(ReleasingExecutionContext):
    """The gateway's execution: freed by reference counting (``ReleasingExecutionContext``),
    and its plain scalar and enum fields completed in one step where their value is an
    ordinary one (see the module's docstring): an object that selects only such fields in
    one step as a whole, and such a field of any other object on its own."""

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
        # by the selection's ``id``; each entry holds its selection, so no id is reused
        self._selections: dict[int, _Selection] = {}

    def _plain_reads(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> tuple[tuple[str, PlainLeaf], ...] | None:
        """The plain leaves ``grouped_field_set`` reads on ``parent_type``, in order, when it
        selects nothing else; ``None`` otherwise."""
        known = self._selections.get(id(grouped_field_set))
        if known is not None and known[0] is grouped_field_set and known[1] is parent_type:
            return known[2]
        found: tuple[tuple[str, PlainLeaf], ...] | None = None
        reads: list[tuple[str, PlainLeaf]] = []
        for response_name, field_details_list in grouped_field_set.items():
            field = self.schema.get_field(parent_type, field_details_list[0].node.name.value)
            plain = self._plain_leaves.get(id(field)) if field is not None else None
            if plain is None:
                break
            reads.append((response_name, plain))
        else:
            found = tuple(reads) or None
        self._selections[id(grouped_field_set)] = (grouped_field_set, parent_type, found)
        return found

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        if self._plain_leaves:
            reads = self._plain_reads(parent_type, grouped_field_set)
            if reads is not None:
                results: dict[str, Any] = {}
                for response_name, plain in reads:
                    value = _completed(source_value, plain)
                    if value is _NOT_ORDINARY:
                        break  # the whole object graphql-core's way: the same errors, in order
                    results[response_name] = value
                else:
                    return results
        return super().execute_fields(
            parent_type, source_value, path, grouped_field_set, position_context
        )

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> AwaitableOrValue[Any] | UndefinedType:
        if self._plain_leaves:
            field = self.schema.get_field(parent_type, field_details_list[0].node.name.value)
            plain = self._plain_leaves.get(id(field)) if field is not None else None
            if plain is not None:
                value = _completed(source, plain)
                if value is not _NOT_ORDINARY:
                    return value
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )


__all__ = [
    "PLAIN_LEAVES",
    "PlainFieldsExecutionContext",
    "PlainLeaf",
    "read_plain_fields_directly",
]
