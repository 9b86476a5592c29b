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

import sqlite3
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

__all__ = [
    "SUPPORTED_DATABASES",
    "DatabaseURLError",
    "checked_database_url",
    "configure_sqlite",
    "connect_failures_as_database_errors",
    "open_direct_engine",
    "open_engine",
]

SUPPORTED_DATABASES = "sqlite+aiosqlite:///FILE, postgresql+asyncpg://USER@HOST/DB"


class DatabaseURLError(ValueError):
    """A database URL that cannot work: why, in both languages, the password never shown."""


def checked_database_url(database_url: str, named: str = "CHAKONG_DATABASE_URL") -> URL:
    """``database_url`` parsed, naming an asynchronous driver that is installed; otherwise
    ``DatabaseURLError`` (``named`` says where the URL was set). Connects to nothing: whether the
    database is up is for the caller to find out. The gateway, ``chakong audit`` and
    ``chakong reconcile`` all check a URL here, before they open it."""
    try:
        url = make_url(database_url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise DatabaseURLError(
            f"数据库地址无法解析（{named}）/ the database URL cannot be parsed ({named}); "
            f"expected {SUPPORTED_DATABASES}"
        ) from None
    shown = url.render_as_string(hide_password=True)
    try:
        dialect = url.get_dialect()
    except SQLAlchemyError:  # no such dialect
        dialect = None
    if dialect is None or not dialect.is_async:  # mysql://, postgresql:// (synchronous drivers)
        raise DatabaseURLError(
            f"不支持的数据库地址 {shown} / unsupported database URL {shown}: the gateway uses "
            f"{SUPPORTED_DATABASES}"
        )
    try:
        dialect.import_dbapi()
    except ImportError as exc:
        raise DatabaseURLError(
            f"数据库驱动 {exc.name} 未安装（{shown}）/ the database driver {exc.name} is not "
            f"installed ({shown}); the gateway uses {SUPPORTED_DATABASES}"
        ) from None
    return url


def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    sqlite_pragmas(dbapi_connection)


def sqlite_pragmas(dbapi_connection: sqlite3.Connection) -> None:
    """The pragmas of every connection to the gateway's SQLite file, the engines' and the
    store's own (``gateway.store.unit.Store``)."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def configure_sqlite(engine: AsyncEngine | Engine) -> None:
    """Set the SQLite pragmas on every new connection of ``engine``; idempotent, no-op elsewhere."""
    if engine.dialect.name != "sqlite":
        return
    sync_engine = engine.sync_engine if isinstance(engine, AsyncEngine) else engine
    if not event.contains(sync_engine, "connect", _sqlite_on_connect):
        event.listen(sync_engine, "connect", _sqlite_on_connect)


class SQLiteConnection(sqlite3.Connection):
    """A SQLite connection that rolls back before it closes.

    Python's ``close()`` leaves the connection a "zombie" while any statement of it is still
    unfinished, and a zombie keeps its open transaction, write lock included, until the last
    statement object is garbage. A request cancelled between a statement's execution and the
    fetch of its rows leaves exactly that (the driver closes the connection it can no longer
    trust), and the next writer, in this process or another, then waits for the collector. The
    rollback ends the transaction first; the unfinished statements are aborted by it."""

    def close(self) -> None:
        try:
            if self.in_transaction:
                self.rollback()
        except sqlite3.Error:
            pass  # the close below frees what it can; a failed rollback must not keep it open
        finally:
            super().close()


# How long a SQLite writer waits for another process's write to finish before "database is
# locked": the gateway and the commands beside it (chakong reconcile, audit checkpoint, audit
# seal) share one file, and on a loaded machine a write can hold it for more than the driver's
# default of 5 s. Within one process, writes queue on the store's lock instead (``unit``).
SQLITE_BUSY_TIMEOUT_S = 30.0


def open_engine(url: str) -> AsyncEngine:
    """An engine for ``url`` that never quotes statement parameters in its errors (and, on
    SQLite, waits ``SQLITE_BUSY_TIMEOUT_S`` for another writer)."""
    sqlite = make_url(url).get_backend_name() == "sqlite"
    connect_args: dict[str, Any] = (
        {"timeout": SQLITE_BUSY_TIMEOUT_S, "factory": SQLiteConnection} if sqlite else {}
    )
    engine = create_async_engine(url, hide_parameters=True, connect_args=connect_args)
    configure_sqlite(engine)
    return engine


def connect_failures_as_database_errors(engine: AsyncEngine) -> None:
    """Have ``engine`` raise a connection that cannot be opened over the network as SQLAlchemy's
    ``OperationalError``, as every other database failure: asyncpg raises a refused or timed-out
    connection as the ``OSError`` it is, which SQLAlchemy lets through unwrapped, and the
    gateway, which maps ``SQLAlchemyError`` to ``STORE_UNAVAILABLE``, took a PostgreSQL gone
    away for a bug (``INTERNAL_ERROR``). Idempotent; the store calls it on its engine."""
    sync_engine = engine.sync_engine
    if engine.dialect.name != "sqlite" and not event.contains(sync_engine, "do_connect", _connect):
        event.listen(sync_engine, "do_connect", _connect)


def _connect(dialect: Any, record: Any, cargs: Any, cparams: Any) -> Any:
    """Connect as the dialect does, a network failure raised as ``OperationalError``."""
    try:
        return dialect.connect(*cargs, **cparams)
    except OSError as exc:  # TimeoutError included
        raise OperationalError(None, None, exc, hide_parameters=True) from exc


def open_direct_engine(url: str) -> Engine | None:
    """A synchronous engine on the same SQLite file as ``open_engine(url)``, for work done in
    one go on the store's writer thread (``Store.run_direct``); ``None`` for anything but a
    SQLite file (PostgreSQL, or an in-memory database that another engine could not share).

    A transaction of many statements through the asynchronous driver hands every statement (and
    its cursor, its rows and its close) to the driver's thread and back: a few dozen hand-overs
    for an inquiry's audit. On the writer thread it is one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    if (parsed.query.get("mode") or "") == "memory":
        return None
    engine = create_engine(
        parsed.set(drivername="sqlite+pysqlite"),
        hide_parameters=True,
        connect_args={
            "timeout": SQLITE_BUSY_TIMEOUT_S,
            "factory": SQLiteConnection,
            "check_same_thread": False,  # one writer thread uses it, not always the creator
        },
    )
    configure_sqlite(engine)
    return engine
