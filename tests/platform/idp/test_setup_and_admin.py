"""Start-up set-up and the `idp` admin commands, as the database owner."""

from __future__ import annotations

import dataclasses
import re
import uuid
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, update

from avhopp.platform.idp import ensure_identity_provider, idp_cli, platform_client_secret
from avhopp.platform.idp.keys import SecretKeyChangedError
from avhopp.platform.idp.models import IdpAccount, IdpClient, IdpSigningKey
from avhopp.platform.idp.passwords import check_password
from tests.platform.idp.conftest import Owner

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from avhopp.platform.settings import Settings


def test_ensure_identity_provider_is_idempotent_and_shows_passwords_once(
    owner_engine: Engine, settings: Settings
) -> None:
    suffix = uuid.uuid4().hex[:8]
    demo = [(f"handlaggare-{suffix}", "Anna Lind (demo)"), (f"vagledare-{suffix}", "Omar Said (demo)")]

    with owner_engine.begin() as connection:
        first = ensure_identity_provider(connection, settings, demo)
    with owner_engine.begin() as connection:
        second = ensure_identity_provider(connection, settings, demo)

    assert first.issuer == "http://127.0.0.1:8000/idp"
    assert first.client_id == "avhopp-web"
    assert first.client_secret == platform_client_secret(settings) == second.client_secret
    assert [account.username for account in first.created_accounts] == [username for username, _ in demo]
    assert second.created_accounts == []
    assert first.subjects == second.subjects
    assert set(first.subjects) == {username for username, _ in demo}
    with owner_engine.connect() as connection:
        for created in first.created_accounts:
            stored = connection.execute(
                select(IdpAccount.password_hash, IdpAccount.totp_secret_encrypted).where(
                    IdpAccount.id == uuid.UUID(created.subject)
                )
            ).one()
            assert stored.password_hash.startswith("$argon2id$")
            assert check_password(stored.password_hash, created.password).ok
            assert stored.totp_secret_encrypted is None
        client = connection.execute(
            select(
                IdpClient.redirect_uris,
                IdpClient.post_logout_redirect_uris,
                IdpClient.grant_types,
                IdpClient.client_secret_hash,
            ).where(IdpClient.client_id == "avhopp-web")
        ).one()
        assert client.redirect_uris == ["http://127.0.0.1:8000/auth/callback"]
        assert client.post_logout_redirect_uris == ["http://127.0.0.1:8000/"]
        assert client.grant_types == ["authorization_code"]
        assert client.client_secret_hash != first.client_secret
        active = connection.execute(select(IdpSigningKey.kid).where(IdpSigningKey.retired_at.is_(None))).all()
        assert len(active) == 1


def account_state(owner_engine: Engine, username: str) -> Any:
    with owner_engine.connect() as connection:
        return connection.execute(
            select(IdpAccount.password_reset_required, IdpAccount.totp_secret_encrypted, IdpAccount.active).where(
                IdpAccount.username == username
            )
        ).one()


def test_the_admin_commands(owner_engine: Engine, settings: Settings) -> None:
    owner = Owner(settings, owner_engine)
    runner = CliRunner()
    username = f"person-{uuid.uuid4().hex[:8]}"

    created = runner.invoke(idp_cli, ["create-account", username, "--name", "Kim Berg"], obj=owner)
    assert created.exit_code == 0, created.output
    first_password = re.search(r"visas bara nu: (\S+)", created.output)
    assert first_password
    assert "väljer personen ett eget lösenord" in created.output
    assert account_state(owner_engine, username).password_reset_required, "a temporary password, replaced at once"

    reset = runner.invoke(idp_cli, ["reset-password", username], obj=owner)
    assert reset.exit_code == 0, reset.output
    temporary = re.search(r"visas bara nu: (\S+)", reset.output)
    assert temporary
    assert temporary.group(1) != first_password.group(1)
    with owner_engine.connect() as connection:
        account = connection.execute(
            select(IdpAccount.password_reset_required, IdpAccount.password_hash).where(IdpAccount.username == username)
        ).one()
    assert account.password_reset_required
    assert check_password(account.password_hash, temporary.group(1)).ok

    assert runner.invoke(idp_cli, ["unlock", username], obj=owner).exit_code == 0

    with owner_engine.begin() as connection:
        connection.execute(
            update(IdpAccount).where(IdpAccount.username == username).values(totp_secret_encrypted=b"sealed")
        )
    assert runner.invoke(idp_cli, ["reset-authenticator", username], obj=owner).exit_code == 0
    assert account_state(owner_engine, username).totp_secret_encrypted is None
    assert runner.invoke(idp_cli, ["deactivate", username], obj=owner).exit_code == 0
    assert not account_state(owner_engine, username).active
    assert runner.invoke(idp_cli, ["reactivate", username], obj=owner).exit_code == 0
    assert account_state(owner_engine, username).active

    client = runner.invoke(
        idp_cli,
        ["create-client", "Telefoni", "--tenant", "stodlinjen", "--roles", "line_supervisor, line_operator"],
        obj=owner,
    )
    assert client.exit_code == 0, client.output
    client_id = re.search(r"client_id: (\S+)", client.output)
    assert client_id
    with owner_engine.connect() as connection:
        stored = connection.execute(
            select(IdpClient.roles, IdpClient.grant_types, IdpClient.scope_tenant_id).where(
                IdpClient.client_id == client_id.group(1)
            )
        ).one()
    assert stored.roles == ["line_operator", "line_supervisor"]
    assert stored.grant_types == ["client_credentials"]
    assert stored.scope_tenant_id is not None

    rotated = runner.invoke(idp_cli, ["rotate-keys"], obj=owner)
    assert rotated.exit_code == 0, rotated.output
    assert "Ny signeringsnyckel" in rotated.output


def test_admin_commands_refuse_unknown_names_in_one_swedish_line(owner_engine: Engine, settings: Settings) -> None:
    owner = Owner(settings, owner_engine)
    runner = CliRunner()

    missing = runner.invoke(idp_cli, ["reset-password", "finns-inte"], obj=owner)
    for command in ("reset-authenticator", "deactivate", "reactivate", "unlock"):
        unknown = runner.invoke(idp_cli, [command, "finns-inte"], obj=owner)
        assert unknown.exit_code == 1
        assert "Det finns inget konto med det användarnamnet." in unknown.output
    no_tenant = runner.invoke(idp_cli, ["create-client", "X", "--tenant", "finns-inte", "--roles", "reader"], obj=owner)
    bad_role = runner.invoke(idp_cli, ["create-client", "X", "--tenant", "stodlinjen", "--roles", "Admin!"], obj=owner)

    assert missing.exit_code == 1
    assert "Det finns inget konto med det användarnamnet." in missing.output
    assert no_tenant.exit_code == 1
    assert "Det finns ingen organisation" in no_tenant.output
    assert bad_role.exit_code == 1
    assert "Traceback" not in missing.output + no_tenant.output + bad_role.output


def test_a_machine_client_gets_no_role_that_its_kind_of_tenant_may_not_grant(
    owner_engine: Engine, settings: Settings
) -> None:
    owner = Owner(settings, owner_engine)
    with owner_engine.connect() as connection:
        before = connection.execute(select(func.count()).select_from(IdpClient)).scalar_one()

    # A directory reviewer belongs to the national coordinator, never to a municipality.
    refused = CliRunner().invoke(
        idp_cli,
        ["create-client", "X", "--tenant", "kommun-1480", "--roles", "case_officer,directory_reviewer"],
        obj=owner,
    )
    unknown = CliRunner().invoke(
        idp_cli, ["create-client", "X", "--tenant", "kommun-1480", "--roles", "superuser"], obj=owner
    )

    assert refused.exit_code == 1
    assert "Rollen Granskare av katalogen (nationell samordnare) kan inte ges" in refused.output
    assert unknown.exit_code == 1
    assert "Rollen finns inte." in unknown.output
    assert "Traceback" not in refused.output + unknown.output
    with owner_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(IdpClient)).scalar_one() == before


def test_the_help_text_is_swedish_and_hides_the_developer_contract() -> None:
    result = CliRunner().invoke(idp_cli, ["--help"])

    assert "Den inbyggda inloggningstjänsten" in result.output
    assert "OwnerAccess" not in result.output


def test_a_changed_secret_key_is_named_at_start_not_found_later(owner_engine: Engine, settings: Settings) -> None:
    with owner_engine.begin() as connection:
        ensure_identity_provider(connection, settings, [])
    changed = dataclasses.replace(settings, secret_key="x" * 40)

    with pytest.raises(SecretKeyChangedError, match="AVHOPP_SECRET_KEY"), owner_engine.begin() as connection:
        ensure_identity_provider(connection, changed, [])
