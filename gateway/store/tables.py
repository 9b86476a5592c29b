"""The gateway's tables, as SQLAlchemy Core metadata, portable between SQLite and PostgreSQL.

* ``cases``, ``case_judges``, ``case_parties``: the case register (执行案件登记);
* ``audit_log``: the append-only, hash-chained audit log (审计日志);
* ``audit_head``: one row (``id = 1``) holding the last sequence number and hash of the chain,
  and their MAC, updated in the same transaction as every append, so that a removed tail is
  detected (and a head moved back over it, without the key).

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
    # the court's date the performed amount reached a non-zero obligation (全部履行之日); null
    # while it has not, cleared if it falls back (``gateway.store.cases.performed_on``)
    sa.Column("performed_on", sa.Date(), nullable=True),
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
    # HMAC-SHA256 over seq and hash (gateway.services.audit_chain.head_message); NULL only in
    # the state the migration creates
    sa.Column("mac", sa.String(64), nullable=True),
)

# the dishonest-debtor list (失信被执行人名单): one row per entry, where it stands now, and the
# append-only history of its events; nothing is ever deleted
_LISTING_DATES = (
    "warned_on",
    "decided_on",
    "valid_until",
    "published_on",
    "employer_notified_on",
    "correction_applied_on",
    "correction_rejected_on",
    "correction_accepted_on",
    "reconsideration_applied_on",
    "exit_reported_on",
    "masked_on",
    "revoked_on",
    "lifted_on",
    "last_event_on",
    "filed_on",
)

listing_entries = sa.Table(
    "listing_entries",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("state", sa.String(32), nullable=False),
    sa.Column("previous_state", sa.String(32), nullable=True),
    sa.Column("public", sa.Boolean(), nullable=False),
    sa.Column("case_number", sa.String(64), nullable=False),
    sa.Column("court", sa.String(32), nullable=False),
    sa.Column("judge", sa.String(64), nullable=True),
    sa.Column("subject_kind", sa.String(16), nullable=False),
    sa.Column("subject_id", sa.String(32), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("birth_date", sa.Date(), nullable=True),  # natural persons: from the ID number
    sa.Column("legal_representative", sa.String(200), nullable=True),
    # legal persons: the old organisation code (组织机构代码), normal form, when given
    sa.Column("organisation_code", sa.String(9), nullable=True),
    sa.Column("basis_document_number", sa.String(128), nullable=False),
    sa.Column("basis_issuer", sa.String(200), nullable=False),
    sa.Column("obligation", sa.Text(), nullable=False),
    sa.Column("performance", sa.String(16), nullable=False),
    sa.Column("performed_part", sa.Text(), nullable=False),
    sa.Column("unperformed_part", sa.Text(), nullable=False),
    sa.Column("warning_document_number", sa.String(128), nullable=False),
    sa.Column("decision_document_number", sa.String(128), nullable=True),
    sa.Column("ground", sa.String(32), nullable=True),
    sa.Column("circumstance", sa.Text(), nullable=True),
    sa.Column("level", sa.String(16), nullable=True),
    sa.Column("extension_years", sa.Integer(), nullable=False),
    sa.Column("publication_allowed", sa.Boolean(), nullable=True),
    sa.Column("employer", sa.String(200), nullable=True),
    sa.Column("exit_cause", sa.String(16), nullable=True),
    *(sa.Column(name, sa.Date(), nullable=name != "warned_on") for name in _LISTING_DATES),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    # the public query: a name, then the ID fragment read from the index itself
    sa.Index("ix_listing_entries_name_public_subject_id", "name", "public", "subject_id"),
    sa.Index("ix_listing_entries_court_state", "court", "state"),
    sa.Index("ix_listing_entries_state", "state"),
    sa.Index("ix_listing_entries_subject_kind_subject_id", "subject_kind", "subject_id"),
    sa.Index("ix_listing_entries_case_number", "case_number"),
)

listing_events = sa.Table(
    "listing_events",
    metadata,
    sa.Column(
        "entry_id",
        sa.String(36),
        sa.ForeignKey("listing_entries.id"),
        primary_key=True,
    ),
    sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("event", sa.String(32), nullable=False),
    sa.Column("from_state", sa.String(32), nullable=True),
    sa.Column("to_state", sa.String(32), nullable=False),
    sa.Column("occurred_on", sa.Date(), nullable=False),  # the legal date of the event
    sa.Column("document_number", sa.String(128), nullable=True),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("actor", sa.String(128), nullable=False),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("court", sa.String(32), nullable=True),
    sa.Column("judge", sa.String(64), nullable=True),
    sa.Column("request_id", sa.String(128), nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),  # when it was recorded
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
    # a reconciler's lease: no other reconciler works the operation before it runs out (0005)
    sa.Column("claimed_until", UTCDateTime(), nullable=True),
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
    # what the assets found towards the debt (``gateway.domain.controls.covering_value``)
    sa.Column("found_value", _money(), nullable=False, server_default="0"),
)
