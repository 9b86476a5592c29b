"""A SELECT compiled once for one driver, for the reads every request makes straight on it
(``gateway.store.sqlite_driver``, ``gateway.store.pg_driver``): its text, where each named
parameter goes, and each column's name with SQLAlchemy's result processor for it, so that the
rows read straight on the driver are the rows SQLAlchemy would have given."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

Processor = Callable[[Any], Any] | None


def result_processor(dialect: Dialect) -> Callable[[sa.ColumnElement[Any]], Processor]:
    """SQLAlchemy's own result processor of each column on ``dialect``."""

    def of(column: sa.ColumnElement[Any]) -> Processor:
        processor: Processor = column.type.dialect_impl(dialect).result_processor(dialect, None)
        return processor

    return of


class CompiledSelect:
    """``statement`` compiled for ``dialect``; ``processor_of`` gives each selected column's
    result processor (SQLAlchemy's own unless the driver's needs otherwise)."""

    def __init__(
        self,
        statement: sa.Select[Any],
        dialect: Dialect,
        processor_of: Callable[[sa.ColumnElement[Any]], Processor] | None = None,
    ) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.order = tuple(compiled.positiontup or ())
        of = processor_of or result_processor(dialect)
        self.pairs = tuple((c.name, of(c)) for c in statement.selected_columns)

    def args(self, params: Mapping[str, Any]) -> tuple[Any, ...]:
        """The statement's parameters in its placeholders' order."""
        return tuple(params[name] for name in self.order)

    def rows(self, fetched: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
        """The driver's rows as SQLAlchemy would give them, by column name."""
        return [
            {
                name: value if process is None else process(value)
                for (name, process), value in zip(self.pairs, row, strict=True)
            }
            for row in fetched
        ]
