"""Plain attribute fields read directly, and those of a scalar or enum type completed in one
step: the same answers and errors as strawberry's own path."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
import strawberry
from graphql import GraphQLObjectType
from strawberry.extensions import SchemaExtension

from gateway.api import build_schema
from gateway.schema.plain_fields import (
    PLAIN_LEAVES,
    PlainFieldsExecutionContext,
    read_plain_fields_directly,
)


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclass
class Row:
    """What a resolver may hand over in a record's place: any object with the attributes."""

    display_name: Any = "甲"
    amount: Any = 1
    note: Any = None
    colour: Any = Colour.RED
    total: Any = Decimal("1.50")
    tags: Any = field(default_factory=lambda: ["a", "b"])


@strawberry.type
class Item:
    display_name: str
    amount: int
    note: str | None
    colour: Colour
    total: Decimal
    tags: list[str]

    @strawberry.field
    def doubled(self) -> int:
        return int(self.amount) * 2


ROWS: dict[str, list[Any]] = {
    "items": [
        Item(
            display_name="甲",
            amount=1,
            note=None,
            colour=Colour.RED,
            total=Decimal("1.50"),
            tags=["a"],
        )
    ],
    # a row per way a plain field can fail, each in a nullable list item of its own
    "odd": [
        Row(note="备注"),
        Row(amount=None),  # null in a non-null field
        Row(amount="abc"),  # a value Int refuses
        Row(amount=2**40),  # a value Int refuses: beyond 32 bits
        Row(amount=ValueError("held as a value")),  # an exception as the value
        Row(colour="GREEN"),  # not a value of the enum
        Row(display_name=None, note=3),  # null where a String is promised; a number as text
        Row(total="not a number"),
    ],
}


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return ROWS["items"]

    @strawberry.field
    def odd(self) -> list[Item | None]:
        return ROWS["odd"]

    @strawberry.field
    def broken(self) -> Item:
        return object()  # type: ignore[return-value]  # no attribute at all


def plain_schema(**kwargs: Any) -> strawberry.Schema:
    schema = strawberry.Schema(
        query=Query, execution_context_class=PlainFieldsExecutionContext, **kwargs
    )
    replaced = read_plain_fields_directly(schema)
    # Item's six attributes, not the resolvers' fields
    assert replaced == 6
    return schema


def outcome(schema: strawberry.Schema, query: str) -> tuple[Any, list[Any]]:
    result = schema.execute_sync(query)
    errors = [(e.message, e.path) for e in result.errors or []]
    return result.data, errors


FIELDS = "displayName amount note colour total tags doubled"


@pytest.mark.parametrize(
    "query",
    [
        f"{{ items {{ {FIELDS} }} }}",
        f"{{ odd {{ {FIELDS} }} }}",
        "{ odd { note colour } }",  # objects of plain leaves only: completed whole
        "{ odd { amount colour total } }",
        "{ odd { displayName note } }",
        "{ broken { displayName } }",  # an attribute the object lacks: the same error
        "{ broken { note doubled } }",
        "{ items { a: amount b: amount ...on Item { amount } } }",
    ],
)
def test_answers_and_errors_are_those_of_strawberrys_own_path(query: str) -> None:
    assert outcome(plain_schema(), query) == outcome(strawberry.Schema(query=Query), query)


def test_the_odd_values_are_errors_at_their_fields() -> None:
    data, errors = outcome(plain_schema(), "{ odd { amount } }")
    assert data == {
        "odd": [{"amount": 1}, None, None, None, None, {"amount": 1}, {"amount": 1}, {"amount": 1}]
    }
    messages = {tuple(path): message for message, path in errors}
    assert (
        messages[("odd", 1, "amount")] == "Cannot return null for non-nullable field Item.amount."
    )
    assert "abc" in messages[("odd", 2, "amount")]
    assert "held as a value" in messages[("odd", 4, "amount")]
    _, errors = outcome(plain_schema(), "{ broken { displayName } }")
    assert "display_name" in errors[0][0]


class _Counting(PlainFieldsExecutionContext):
    infos = 0

    def build_resolve_info(self, *args: Any, **kwargs: Any) -> Any:
        type(self).infos += 1
        return super().build_resolve_info(*args, **kwargs)


def test_plain_scalar_fields_with_ordinary_values_are_completed_without_a_resolver_call() -> None:
    schema = plain_schema()
    schema.execution_context_class = _Counting
    _Counting.infos = 0
    assert outcome(schema, f"{{ items {{ {FIELDS} }} }}")[1] == []
    # `items` and its item's `doubled` (resolvers of their own) and `tags` (a list): not the
    # four scalar and enum fields
    assert _Counting.infos == 3
    # an object that selects only such fields: completed whole, no info for any of them
    _Counting.infos = 0
    assert outcome(schema, "{ items { displayName amount note colour total } }")[1] == []
    assert _Counting.infos == 1
    _Counting.infos = 0
    outcome(schema, "{ odd { amount } }")
    # `odd`, and `amount` for the four rows whose value graphql-core must turn into an error
    assert _Counting.infos == 1 + 4


class _SeesEveryField(SchemaExtension):
    seen: list[str] = []  # noqa: RUF012

    def resolve(
        self, _next: Callable[..., Any], root: Any, info: Any, *args: Any, **kwargs: Any
    ) -> Any:
        self.seen.append(info.field_name)
        return _next(root, info, *args, **kwargs)


def test_a_resolver_middleware_still_sees_every_field() -> None:
    schema = plain_schema(extensions=[_SeesEveryField])
    _SeesEveryField.seen.clear()
    query = "{ items { displayName amount colour } }"
    assert outcome(schema, query) == outcome(strawberry.Schema(query=Query), query)
    assert _SeesEveryField.seen == ["items", "displayName", "amount", "colour"]


def test_only_fields_without_a_resolver_of_their_own_are_replaced() -> None:
    plain = plain_schema()
    item = plain._schema.type_map["Item"]
    assert isinstance(item, GraphQLObjectType)
    own, plain_attribute = item.fields["doubled"].resolve, item.fields["amount"].resolve
    assert own is not None
    assert own.__qualname__.startswith("GraphQLCoreConverter")
    assert plain_attribute is not None
    assert plain_attribute.__module__ == "gateway.schema.plain_fields"
    # completed in one step: the scalar and enum fields, not the list nor the resolvers' fields
    leaves = plain._schema.extensions[PLAIN_LEAVES]
    names = {name for name, f in item.fields.items() if id(f) in leaves}
    assert names == {"displayName", "amount", "note", "colour", "total"}


def test_the_gateways_schema_reads_its_records_plain_fields_directly() -> None:
    schema = build_schema()
    assert schema.execution_context_class is PlainFieldsExecutionContext
    profile = schema._schema.type_map["DebtorProfile"]
    assert isinstance(profile, GraphQLObjectType)
    direct = [
        name
        for name, field in profile.fields.items()
        if field.resolve is not None and field.resolve.__module__ == "gateway.schema.plain_fields"
    ]
    assert direct  # the profile's plain attributes
    assert schema._schema.extensions[PLAIN_LEAVES]  # and its scalar ones in one step
    # and the schema's text is what it was: docs/schema.graphql still matches (test_schema_docs)
