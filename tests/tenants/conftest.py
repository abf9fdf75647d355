"""The tenant pages are tried with the product app and the login helpers of the auth tests."""

from tests.platform.auth.conftest import open_browser, product_settings

__all__ = ["open_browser", "product_settings"]
