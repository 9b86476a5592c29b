"""Validation cached by the query's text (``gateway.schema.validation``): strawberry's results,
computed once per text."""

from __future__ import annotations

import functools
from typing import Any

import pytest
import strawberry
from strawberry.extensions import ParserCache
from strawberry.extensions import ValidationCache as StrawberrysValidationCache
from strawberry.schema.schema import validate_document

from gateway.schema import validation
from gateway.schema.validation import ValidationCache, ValidationsByText


@strawberry.type
class Query:
    @strawberry.field
    def greeting(self, name: str) -> str:
        return f"你好，{name}"


QUERIES = (
    '{ greeting(name: "甲") }',
    "{ greeting }",  # a missing argument
    "{ nothing }",  # an unknown field
    'query A { greeting(name: "乙") } query A { greeting(name: "丙") }',  # a duplicate name
)


def outcome(schema: strawberry.Schema, query: str) -> tuple[Any, list[str]]:
    result = schema.execute_sync(query)
    return result.data, [e.message for e in result.errors or []]


def test_the_answers_and_errors_are_strawberrys() -> None:
    ours = strawberry.Schema(
        query=Query,
        extensions=[
            functools.partial(ParserCache, maxsize=16),
            functools.partial(ValidationCache, ValidationsByText(16)),
        ],
    )
    theirs = strawberry.Schema(
        query=Query,
        extensions=[
            functools.partial(ParserCache, maxsize=16),
            functools.partial(StrawberrysValidationCache, maxsize=16),
        ],
    )
    for query in QUERIES * 2:  # the second time from the cache
        assert outcome(ours, query) == outcome(theirs, query)
    assert outcome(ours, QUERIES[0]) == ({"greeting": "你好，甲"}, [])
    assert outcome(ours, QUERIES[1])[1]  # refused


def test_a_text_is_validated_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = validate_document

    def counted(*args: Any) -> Any:
        calls.append("validate")
        return real(*args)

    monkeypatch.setattr(validation, "validate_document", counted)
    cache = ValidationsByText(16)
    schema = strawberry.Schema(query=Query, extensions=[functools.partial(ValidationCache, cache)])
    for _ in range(3):
        assert outcome(schema, QUERIES[0])[1] == []
        assert outcome(schema, QUERIES[1])[1]
    assert len(calls) == 2  # once per text
    assert len(cache) == 2
    # the same text against another schema is that schema's own validation
    other = strawberry.Schema(query=Query, extensions=[functools.partial(ValidationCache, cache)])
    assert outcome(other, QUERIES[0])[1] == []
    assert len(calls) == 3


def test_the_cache_is_bounded_least_recently_used_first() -> None:
    cache = ValidationsByText(2)
    schema = strawberry.Schema(query=Query)._schema
    rules: tuple[Any, ...] = ()
    cache.put((schema, "a", rules), [])
    cache.put((schema, "b", rules), [])
    assert cache.get((schema, "a", rules)) == []  # "a" is now the most recent
    cache.put((schema, "c", rules), [])
    assert len(cache) == 2
    assert cache.get((schema, "b", rules)) is None
    assert cache.get((schema, "a", rules)) == []
    with pytest.raises(ValueError, match="at least 1"):
        ValidationsByText(0)
