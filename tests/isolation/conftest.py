"""The isolation tests reuse the product app and the login helpers of the auth tests."""

from tests.platform.auth.conftest import product_settings

__all__ = ["product_settings"]
