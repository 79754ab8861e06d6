"""The schema head this cxdesk knows, in a module that imports nothing.

Start-up compares the stored stamp with it before SQLAlchemy or Alembic is loaded
(``cxdesk.store.glance``); ``cxdesk.store.migrate`` re-exports it, and
tests/store/test_migrate_head.py keeps it equal to Alembic's head.
"""

# The newest revision of cxdesk/store/migrations/versions: change it with every new migration.
HEAD_REVISION = "0013_exchange_more"
