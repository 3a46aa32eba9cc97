"""Alembic environment: runs on the connection that bdhvs_desktop.storage.migrate hands over."""

from alembic import context

from bdhvs_desktop.storage import province_models  # noqa: F401 - the province's tables are in the metadata too
from bdhvs_desktop.storage.models import Base

target_metadata = Base.metadata
connection = context.config.attributes["connection"]
is_sqlite = connection.dialect.name == "sqlite"
context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=is_sqlite,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
    if is_sqlite:
        # Foreign keys are off during the migration (pitfalls #3); check them before commit.
        problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise RuntimeError(f"foreign key violations after migration: {problems[:5]}")
