"""The reliability tests use the portal tests' populated office (see tests/portal/conftest.py):
`portal` on SQLite, `portal_any_db` on SQLite and PostgreSQL; the engine tests' `engine` and
`database_url` come from tests/conftest.py."""
from tests.portal.conftest import portal, portal_any_db, portal_template  # noqa: F401 (fixtures)
