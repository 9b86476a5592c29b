"""The gateway's storage: tables (``tables``), migrations (``migrate``), engine settings, and the
repositories (``cases``, ``audit``) that share one transaction per command (``unit``).

``open_engine(url)`` is the one way the gateway and its commands open a database: the statements'
parameters are kept out of error texts (a database error would otherwise quote a party's ID
number into the log), and ``configure_sqlite`` is applied.

``configure_sqlite(engine)`` is called once after creating the engine: on SQLite it turns on
write-ahead logging (readers do not block the writer) with ``synchronous=NORMAL`` (one fsync per
checkpoint instead of per commit; a power cut may lose the last commits, never corrupt the file)
and foreign keys. On other databases it does nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

__all__ = ["configure_sqlite", "open_engine"]


def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def configure_sqlite(engine: AsyncEngine) -> None:
    """Set the SQLite pragmas on every new connection of ``engine``; idempotent, no-op elsewhere."""
    if engine.dialect.name != "sqlite":
        return
    sync_engine = engine.sync_engine
    if not event.contains(sync_engine, "connect", _sqlite_on_connect):
        event.listen(sync_engine, "connect", _sqlite_on_connect)


def open_engine(url: str) -> AsyncEngine:
    """An engine for ``url`` that never quotes statement parameters in its errors."""
    engine = create_async_engine(url, hide_parameters=True)
    configure_sqlite(engine)
    return engine
