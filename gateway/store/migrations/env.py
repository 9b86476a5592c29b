"""Alembic's environment for the gateway's schema.

It runs only programmatically, on a connection handed over by ``gateway.store.migrate`` (which
opens the async engine and calls Alembic through ``run_sync``); there is no ``alembic.ini``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from gateway.store.tables import metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things: later migrations rebuild tables in batch mode there
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    if context.is_offline_mode():
        raise RuntimeError(
            "离线迁移不受支持 / offline migrations are not supported: "
            "use gateway.store.migrate.upgrade(engine)"
        )
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError(
            "请通过 gateway.store.migrate 运行迁移 / run the migrations through "
            "gateway.store.migrate, which passes the database connection"
        )
    run_migrations(connection)


main()
