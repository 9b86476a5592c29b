"""Agency JSON models -> domain dataclasses, where the two agree field for field.

An agency's ``mapping.py`` calls ``to_domain(DomainClass, model)`` for the parts whose JSON
matches the domain record by name, and writes by hand only what really differs (renamed fields,
codes to translate). Lists become tuples; nested models become nested dataclasses.

A plan per domain class is built once from its type hints, so a mapping costs about what the
hand-written constructor calls would.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_Convert = Callable[[Any], Any]
_PLANS: dict[type, tuple[tuple[str, _Convert | None], ...]] = {}


def to_domain(cls: type[T], model: object) -> T:
    """Build ``cls`` (a dataclass) from ``model``'s attributes of the same names."""
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = _plan(cls)
    values = {}
    for name, convert in plan:
        value = getattr(model, name)
        values[name] = value if convert is None or value is None else convert(value)
    return cls(**values)


def _plan(cls: type) -> tuple[tuple[str, _Convert | None], ...]:
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls.__name__} is not a dataclass")
    hints = typing.get_type_hints(cls)
    return tuple((f.name, _converter(hints[f.name])) for f in dataclasses.fields(cls))


def _converter(tp: Any) -> _Convert | None:
    """How to turn a model's value into the domain field's type; None when it is already right."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return _converter(inner[0]) if len(inner) == 1 else None
    if origin is tuple:
        item = _converter(typing.get_args(tp)[0])
        if item is None:
            return tuple
        return lambda values: tuple(item(v) for v in values)
    if dataclasses.is_dataclass(tp):
        target: type = tp  # type: ignore[assignment]
        return lambda value: to_domain(target, value)
    return None
