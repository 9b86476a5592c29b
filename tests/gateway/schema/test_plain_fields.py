"""Plain attribute fields read directly: the same answers and errors as strawberry's own path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import GraphQLObjectType

from gateway.api import build_schema
from gateway.schema.plain_fields import read_plain_fields_directly


@dataclass
class Row:
    name: str
    amount: int
    tags: list[str]


@strawberry.type
class Item:
    display_name: str
    amount: int

    @strawberry.field
    def doubled(self) -> int:
        return self.amount * 2


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return [Item(display_name="甲", amount=1), Item(display_name="乙", amount=2)]

    @strawberry.field
    def broken(self) -> Item:
        return Row(name="no display_name here", amount=3, tags=[])  # type: ignore[return-value]


def two_schemas() -> tuple[strawberry.Schema, strawberry.Schema]:
    plain = strawberry.Schema(query=Query)
    replaced = read_plain_fields_directly(plain)
    assert replaced == 2  # Item.displayName and Item.amount; not the resolvers' fields
    return strawberry.Schema(query=Query), plain


def outcome(schema: strawberry.Schema, query: str) -> tuple[Any, list[Any]]:
    result = schema.execute_sync(query)
    errors = [(e.message, e.path) for e in result.errors or []]
    return result.data, errors


def test_answers_and_errors_are_those_of_strawberrys_own_path() -> None:
    wrapped, plain = two_schemas()
    for query in (
        "{ items { displayName amount doubled } }",
        "{ broken { displayName } }",  # an attribute the object lacks: the same error
        "{ broken { amount doubled } }",
    ):
        assert outcome(plain, query) == outcome(wrapped, query)
    data, errors = outcome(plain, "{ broken { displayName } }")
    assert data is None
    assert "display_name" in errors[0][0]


def test_only_fields_without_a_resolver_of_their_own_are_replaced() -> None:
    _, plain = two_schemas()
    item = plain._schema.type_map["Item"]
    assert isinstance(item, GraphQLObjectType)
    own, plain_attribute = item.fields["doubled"].resolve, item.fields["amount"].resolve
    assert own is not None
    assert own.__qualname__.startswith("GraphQLCoreConverter")
    assert plain_attribute is not None
    assert plain_attribute.__module__ == "gateway.schema.plain_fields"


def test_the_gateways_schema_reads_its_records_plain_fields_directly() -> None:
    schema = build_schema()
    profile = schema._schema.type_map["DebtorProfile"]
    assert isinstance(profile, GraphQLObjectType)
    direct = [
        name
        for name, field in profile.fields.items()
        if field.resolve is not None and field.resolve.__module__ == "gateway.schema.plain_fields"
    ]
    assert direct  # the profile's plain attributes
    # and the schema's text is what it was: docs/schema.graphql still matches (test_schema_docs)
