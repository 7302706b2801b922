"""The deploy tests start gunicorn the way the fault suite does."""

from tests.faults.conftest import serve  # noqa: F401  (a fixture)
