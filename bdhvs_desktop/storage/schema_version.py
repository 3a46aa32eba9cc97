"""The newest schema revision, known without importing Alembic (~0.3 s) at start-up.
tests/test_storage.py checks that it equals the head of the migrations."""

SCHEMA_HEAD = "0008"
