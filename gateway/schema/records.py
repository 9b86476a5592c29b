"""GraphQL types for the agencies' records, made from their one declaration.

Each agency declares its records once, as ``@record`` dataclasses with a '中文 / English' doc
on every field (``connectors/<agency>/records.py``). ``record_type`` turns such a class into a
strawberry type of the same name and descriptions, whose fields resolve attributes of the
dataclass itself: no schema class is written by hand and nothing is copied on the way out.
Tuples become lists, nested records their own types, and a documented ``@property`` (a derived
value such as ``EnterpriseRole.controls``) a field of its own.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from typing import Any

import strawberry

from gateway.domain.records import description, documented_properties, record_description

_MADE: dict[type, Any] = {}


def record_type(cls: type) -> Any:
    """The strawberry type of a ``@record`` class (made once per class)."""
    made = _MADE.get(cls)
    if made is not None:
        return made
    hints = typing.get_type_hints(cls)
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__module__": __name__}
    for field in dataclasses.fields(cls):
        annotations[field.name] = graphql_annotation(hints[field.name])
        namespace[field.name] = strawberry.field(description=description(field))
    for name, (getter, text) in documented_properties(cls).items():
        returns = graphql_annotation(typing.get_type_hints(getter)["return"])
        namespace[name] = strawberry.field(resolver=_attribute(name, returns), description=text)
    namespace["__annotations__"] = annotations
    shell = type(cls.__name__, (), namespace)
    made = strawberry.type(shell, name=cls.__name__, description=record_description(cls))
    _MADE[cls] = made
    return made


def graphql_annotation(tp: Any) -> Any:
    """A record field's type as strawberry reads it: tuples as lists, records as their types."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [graphql_annotation(a) for a in typing.get_args(tp) if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"only optional unions are supported, not {tp}")
        return inner[0] | None
    if origin is tuple:
        item, *rest = typing.get_args(tp)
        if rest != [Ellipsis]:
            raise TypeError(f"record tuples are tuple[X, ...], not {tp}")
        return list[graphql_annotation(item)]  # type: ignore[misc]
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return record_type(tp)
    return tp


def _attribute(name: str, returns: Any) -> Callable[..., Any]:
    """A resolver reading ``name`` off the record (for a documented property)."""

    def resolve(root: Any) -> Any:
        return getattr(root, name)

    resolve.__annotations__ = {"root": Any, "return": returns}
    resolve.__name__ = name
    return resolve
