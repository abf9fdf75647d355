"""The runtime role may do what signing in needs and nothing more: no new accounts, keys or clients, no deletes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO idp_account (username, display_name, password_hash) VALUES ('x', 'X', 'x')",
        "UPDATE idp_account SET username = 'someone-else'",
        "UPDATE idp_account SET active = true",
        "DELETE FROM idp_account",
        "INSERT INTO idp_client (client_id, client_secret_hash, name, grant_types) VALUES ('x', 'x', 'x', '{}')",
        "UPDATE idp_client SET redirect_uris = '{https://evil.example/}'",
        "UPDATE idp_signing_key SET retired_at = now()",
        "DELETE FROM idp_signing_key",
        "UPDATE idp_authorization_code SET account_id = gen_random_uuid()",
        "DELETE FROM idp_authorization_code",
        "UPDATE idp_browser_session SET account_id = gen_random_uuid()",
        "DELETE FROM idp_browser_session",
    ],
)
async def test_the_runtime_role_is_refused(app_engine: AsyncEngine, statement: str) -> None:
    async with app_engine.connect() as connection:
        with pytest.raises(ProgrammingError, match="permission denied"):
            await connection.execute(text(statement))
