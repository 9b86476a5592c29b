"""Bring the database's schema up to date: ``await upgrade(engine)``.

Alembic runs programmatically, on the async engine's connection (``run_sync``), from the
migration scripts in ``gateway/store/migrations`` (shipped with the package; no ``alembic.ini``).
Upgrading is idempotent: an up-to-date database is left as it is. On PostgreSQL a transaction
advisory lock serialises gateways that start together, and the DDL is transactional, so the
second one finds the schema at head; on SQLite one process owns the database file.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).resolve().with_name("migrations")
# pg_advisory_xact_lock key: "chakong" as a number, so no other tool is likely to use it
_PG_LOCK_KEY = int.from_bytes(b"chakong", "big")


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for the gateway's migrations, optionally bound to a connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


class NewerDatabaseError(RuntimeError):
    """The database is at a revision this release does not ship: a newer release wrote it. It
    is left as it is; the message says so in both languages."""

    def __init__(self, revision: str) -> None:
        known = head_revision()
        super().__init__(
            f"数据库由更新版本的 chakong 写入（修订 {revision}，本版本最高为 {known}）："
            f"请升级网关，或换用本版本的数据库 / the database was written by a newer chakong "
            f"(revision {revision}, this release knows up to {known}): upgrade the gateway, or "
            f"use a database of this release"
        )
        self.revision = revision


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply the migrations up to ``revision`` (default: the newest) in one transaction;
    ``NewerDatabaseError`` for a database at a revision these migrations do not know."""
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        current = await conn.run_sync(_current)
        if current is not None and _unknown(current):
            raise NewerDatabaseError(current)
        await conn.run_sync(_upgrade, revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Revert the migrations down to ``revision`` (``"base"`` drops every table)."""
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        await conn.run_sync(_downgrade, revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at; ``None`` for a database never migrated."""
    async with engine.connect() as conn:
        return await conn.run_sync(_current)


def head_revision() -> str | None:
    """The newest revision of the shipped migrations."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def is_up_to_date(engine: AsyncEngine) -> bool:
    return await current_revision(engine) == head_revision()


def _upgrade(connection: Connection, revision: str) -> None:
    command.upgrade(alembic_config(connection), revision)


def _downgrade(connection: Connection, revision: str) -> None:
    command.downgrade(alembic_config(connection), revision)


def _unknown(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is None
    except CommandError:  # alembic's "Can't locate revision"
        return True


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()
