"""The SQLite driver path binds each value as SQLAlchemy's column type binds it on SQLite, the
date-times included, whose text the binder keeps for the instants it has seen."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy.dialects.sqlite import pysqlite

from gateway.store.sqlite_driver import _binder
from gateway.store.tables import audit_head

DIALECT = pysqlite.dialect()
UTC8 = datetime.timezone(datetime.timedelta(hours=8))


def sqlalchemy_binds(value: datetime.datetime) -> object:
    column = audit_head.c.updated_at
    process = column.type.dialect_impl(DIALECT).bind_processor(DIALECT)
    assert process is not None
    return process(value)


def test_a_kept_instant_binds_as_sqlalchemy_binds_it_whatever_its_zone():
    bind = _binder((audit_head.c.updated_at,))
    noon = datetime.datetime(2026, 12, 4, 12, 0, 0, 250, tzinfo=datetime.UTC)
    same_in_beijing = noon.astimezone(UTC8)
    later = noon + datetime.timedelta(microseconds=1)
    for value in (noon, same_in_beijing, later, noon):
        assert bind({"updated_at": value}) == (sqlalchemy_binds(value),)
    assert bind({"updated_at": same_in_beijing}) == ("2026-12-04 12:00:00.000250",)


def test_a_naive_time_is_refused_each_time_it_comes():
    bind = _binder((audit_head.c.updated_at,))
    naive = datetime.datetime(2026, 12, 4, 12, 0)
    for _ in range(2):
        with pytest.raises(ValueError, match="timezone-aware"):
            bind({"updated_at": naive})


def test_a_row_of_many_columns_comes_back_in_their_order():
    columns = (audit_head.c.id, audit_head.c.seq, audit_head.c.updated_at)
    at = datetime.datetime(2026, 12, 4, 20, 0, tzinfo=UTC8)
    row = {"updated_at": at, "seq": 7, "id": 1, "hash": "unused"}
    assert _binder(columns)(row) == (1, 7, "2026-12-04 12:00:00.000000")
