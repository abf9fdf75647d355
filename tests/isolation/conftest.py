"""The isolation tests reuse the product app, the login helpers of the auth tests and the directory's seed."""

from tests.directory.conftest import seeded
from tests.platform.auth.conftest import product_settings

__all__ = ["product_settings", "seeded"]
