"""The gateway's tables, as SQLAlchemy Core metadata, portable between SQLite and PostgreSQL.

* ``cases``, ``case_judges``, ``case_parties``: the case register (执行案件登记);
* ``audit_log``: the append-only, hash-chained audit log (审计日志);
* ``audit_head``: one row (``id = 1``) holding the last sequence number and hash of the chain,
  updated in the same transaction as every append, so that a removed tail is detected.

Only portable types are used. Timestamps go through :class:`UTCDateTime`, which stores UTC and
always returns an aware UTC ``datetime`` (SQLite keeps no zone; PostgreSQL has ``timestamptz``).
Amounts are ``NUMERIC(18, 2)``; on SQLite they are exact up to 15 significant digits, which is
why the domain caps amounts (``gateway.domain.register.MAX_AMOUNT``).

The schema itself is created by the Alembic migrations in ``gateway/store/migrations``; this
metadata must stay equal to what they create (a test compares the two).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

# The hash that the first audit entry links to (its ``prev_hash``).
AUDIT_GENESIS_HASH = "0" * 64
AUDIT_HEAD_ID = 1

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime.datetime]):
    """An aware ``datetime`` stored as UTC; naive values are refused on the way in."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: datetime.datetime | None, dialect: Dialect
    ) -> datetime.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("timestamps must be timezone-aware / 时间必须带时区")
        utc = value.astimezone(datetime.UTC)
        # SQLite keeps no zone: store the UTC wall time, re-attached on the way out
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(
        self, value: datetime.datetime | None, dialect: Dialect
    ) -> datetime.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=datetime.UTC)
        return value.astimezone(datetime.UTC)

    def copy(self, **kw: Any) -> UTCDateTime:
        return UTCDateTime()


def _money() -> sa.Numeric[Decimal]:
    return sa.Numeric(18, 2)


cases = sa.Table(
    "cases",
    metadata,
    sa.Column("case_number", sa.String(64), primary_key=True),  # canonical 案号
    sa.Column("court", sa.String(32), nullable=False),  # 法院代码, e.g. 苏0812
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("obligation", _money(), nullable=False),  # 执行标的
    sa.Column("performed", _money(), nullable=False),  # 已履行金额
    sa.Column("currency", sa.String(3), nullable=False, server_default="CNY"),
    sa.Column("filed_on", sa.Date(), nullable=True),  # 立案日期
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Index("ix_cases_court_status", "court", "status"),
)

case_judges = sa.Table(
    "case_judges",
    metadata,
    sa.Column(
        "case_number",
        sa.String(64),
        sa.ForeignKey("cases.case_number", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("judge_id", sa.String(64), primary_key=True),  # 承办法官
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Index("ix_case_judges_judge_id", "judge_id"),
)

case_parties = sa.Table(
    "case_parties",
    metadata,
    sa.Column(
        "case_number",
        sa.String(64),
        sa.ForeignKey("cases.case_number", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("subject_kind", sa.String(16), primary_key=True),
    sa.Column("subject_id", sa.String(32), primary_key=True),  # canonical 18 characters
    sa.Column("role", sa.String(16), nullable=False),  # 被执行人 / 申请执行人
    sa.Column("name", sa.String(200), nullable=True),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Index("ix_case_parties_subject_kind_subject_id", "subject_kind", "subject_id"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("request_id", sa.String(128), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("code", sa.String(64), nullable=True),
    sa.Column("actor", sa.String(128), nullable=False),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("court", sa.String(32), nullable=True),
    sa.Column("judge", sa.String(64), nullable=True),
    sa.Column("case_number", sa.String(64), nullable=True),
    sa.Column("subject_masked", sa.String(32), nullable=True),  # 320802********1234
    sa.Column("subject_digest", sa.String(64), nullable=True),  # HMAC-SHA256 of the full id
    sa.Column("relation", sa.String(32), nullable=True),
    sa.Column("agencies", sa.Text(), nullable=False),  # JSON array
    sa.Column("statuses", sa.Text(), nullable=False),  # JSON object: agency -> status
    sa.Column("record_counts", sa.Text(), nullable=False),  # JSON object: agency -> count
    sa.Column("detail", sa.Text(), nullable=True),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Index("ix_audit_log_at", "at"),
    sa.Index("ix_audit_log_actor", "actor"),
    sa.Index("ix_audit_log_court", "court"),
    sa.Index("ix_audit_log_case_number", "case_number"),
    sa.Index("ix_audit_log_subject_digest", "subject_digest"),
)

audit_head = sa.Table(
    "audit_head",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("seq", sa.BigInteger(), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)

# controls (查控): each a persisted operation, committed before its first attempt
control_operations = sa.Table(
    "control_operations",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("request_id", sa.String(64), nullable=False, unique=True),  # the agency's requestId
    sa.Column("case_number", sa.String(64), nullable=False),
    sa.Column("court", sa.String(32), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("agency", sa.String(32), nullable=False),
    sa.Column("asset_id", sa.String(64), nullable=False),
    sa.Column("asset_class", sa.String(32), nullable=False),
    sa.Column("subject_key", sa.String(64), nullable=False),
    sa.Column("inquiry_seq", sa.BigInteger(), nullable=True),  # the inquiry's audit entry
    sa.Column("ruling_number", sa.String(64), nullable=False),
    sa.Column("notice_number", sa.String(64), nullable=False),
    sa.Column("amount", _money(), nullable=True),
    sa.Column("held_value", _money(), nullable=True),
    sa.Column("applied_amount", _money(), nullable=True),
    sa.Column("queue_position", sa.Integer(), nullable=True),
    sa.Column("starts_on", sa.Date(), nullable=True),
    sa.Column("until", sa.Date(), nullable=True),
    sa.Column("target_id", sa.String(32), nullable=True),  # the freeze a release/renewal acts on
    sa.Column("state", sa.String(24), nullable=False),
    sa.Column("requested_by", sa.String(128), nullable=False),
    sa.Column("approved_by", sa.String(128), nullable=True),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("reference", sa.String(128), nullable=True),
    sa.Column("message", sa.Text(), nullable=True),
    sa.Column("excess_reason", sa.Text(), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Index("ix_control_operations_case_number", "case_number"),
    sa.Index("ix_control_operations_state_updated_at", "state", "updated_at"),
    sa.Index("ix_control_operations_agency_asset_id", "agency", "asset_id"),
)

# idempotency keys of control mutations, per court; kept at least 30 days
control_idempotency = sa.Table(
    "control_idempotency",
    metadata,
    sa.Column("court", sa.String(32), primary_key=True),
    sa.Column("key", sa.String(128), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),  # SHA-256 of the mutation's input
    sa.Column("operation_ids", sa.Text(), nullable=False),  # JSON array
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Index("ix_control_idempotency_created_at", "created_at"),
)

# the latest inquiry answer per case, subject and agency: the assets a control may name
inquiry_answers = sa.Table(
    "inquiry_answers",
    metadata,
    sa.Column("case_number", sa.String(64), primary_key=True),
    sa.Column("subject_key", sa.String(64), primary_key=True),
    sa.Column("agency", sa.String(32), primary_key=True),
    sa.Column("answered_at", UTCDateTime(), nullable=False),
    sa.Column("audit_seq", sa.BigInteger(), nullable=False),
    sa.Column("assets", sa.Text(), nullable=False),  # JSON array of assets
)
