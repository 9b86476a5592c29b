"""Every text a request carries, checked once before any resolver runs.

A string may arrive as a variable (at any depth of an input object or list, as a value or as a
key) or as a literal in the document. Either way, a character the gateway refuses
(``gateway.domain.inputs.refused_character``: control characters, lone surrogates) ends the
request with ``INVALID_TEXT``: no resolver, no database and no error message ever sees it, so
PostgreSQL's refusal of NUL, and a lone surrogate that cannot be written as UTF-8, never become
internal errors. The text itself is not echoed; the English message says where it was.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from graphql import DocumentNode, ExecutionResult, StringValueNode, visit
from graphql.language import Visitor
from strawberry.extensions import SchemaExtension

from gateway.domain.inputs import InvalidTextError, check_text, refused_character
from gateway.schema.errors import to_graphql_error


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """``(location, text)`` for every string in a JSON value, the keys of objects included."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            name = str(key)
            yield where, name
            shown = name if refused_character(name) is None else "?"
            yield from _strings(item, f"{where}.{shown}" if where else f"${shown}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}[{index}]")


class _Literals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.values: list[str] = []

    def enter_string_value(self, node: StringValueNode, *_: object) -> None:
        self.values.append(node.value)


def _literals(document: DocumentNode) -> list[str]:
    visitor = _Literals()
    visit(document, visitor)
    return visitor.values


def refused_text(
    variables: Mapping[str, Any] | None, document: DocumentNode | None, source: str | None
) -> InvalidTextError | None:
    """The refusal of the first string of the request that holds a refused character."""
    located = list(_strings(dict(variables or {}), ""))
    # a literal holds a refused character only as an escape (\u0000) or written raw: the
    # document is walked only then (most documents have neither)
    if document is not None and (
        source is None or "\\" in source or refused_character(source) is not None
    ):
        located += [("", text) for text in _literals(document)]
    for where, text in located:
        try:
            check_text(text, "请求中的文本", f"the text at {where}" if where else "a string")
        except InvalidTextError as exc:
            return exc
    return None


class TextInputs(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        if not execution.result:  # not refused already (permissions)
            refused = refused_text(execution.variables, execution.graphql_document, execution.query)
            if refused is not None:
                execution.result = ExecutionResult(data=None, errors=[to_graphql_error(refused)])
        yield
