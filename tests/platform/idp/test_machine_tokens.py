"""Machine clients: client-credentials JWTs scoped to one tenant, verified rotation-safely and strictly."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from joserfc.jwk import RSAKey
from sqlalchemy import event, text

from avhopp.platform.audit import AuditEvent, AuditFieldError
from avhopp.platform.audit.trail import check_event
from avhopp.platform.idp import TokenRejectedError, VerifiedAccessTokens, verify_access_token
from avhopp.platform.idp.admin import create_machine_client, new_client_id
from avhopp.platform.idp.claims import API_AUDIENCE, CLOCK_LEEWAY
from avhopp.platform.idp.keys import KeyStore, Signer, SigningKey, rotate_signing_keys
from avhopp.platform.idp.provider import ProviderLimits
from avhopp.platform.idp.tokens import access_token_claims, mint
from tests.support.rate_windows import wait_for_a_fresh_window

if TYPE_CHECKING:
    from typing import Any

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

    from tests.platform.idp.conftest import Idp


@pytest.fixture
def machine(owner_engine: Engine) -> tuple[str, str, str]:
    """A machine client for the guidance line: (client_id, secret, tenant id)."""
    with owner_engine.begin() as connection:
        client_id, secret = create_machine_client(
            connection, "Telefonisystem", "stodlinjen", ["line_operator", "line_supervisor"]
        )
        tenant_id = connection.execute(text("SELECT id FROM tenant WHERE slug = 'stodlinjen'")).scalar_one()
    return client_id, secret, str(tenant_id)


async def client_credentials(idp: Idp, client_id: str, secret: str) -> Any:
    return await idp.client.post("/idp/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))


async def test_a_machine_client_gets_a_short_lived_token_for_its_tenant_and_roles(
    idp: Idp, machine: tuple[str, str, str]
) -> None:
    client_id, secret, tenant_id = machine

    response = await client_credentials(idp, client_id, secret)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"  # noqa: S105 - not a secret
    assert body["expires_in"] == 300
    assert "refresh_token" not in body
    header = json.loads(base64.urlsafe_b64decode(body["access_token"].split(".")[0] + "=="))
    assert header["typ"] == "at+jwt"
    assert header["alg"] == "RS256"
    claims = await verify_access_token(body["access_token"], idp.keys)
    assert claims.client_id == client_id
    assert str(claims.tenant_id) == tenant_id
    assert claims.roles == {"line_operator", "line_supervisor"}
    assert claims.expires_at - datetime.now(UTC) <= timedelta(minutes=5)


def test_a_client_id_never_looks_like_an_identity_number_to_the_audit() -> None:
    # A hex id held ten digits in a row about once in sixteen clients, and the audit then refused
    # every request of that client with a 500.
    with pytest.raises(AuditFieldError):
        check_event(AuditEvent(action="api.read", actor_client_id="m2m-9221336254e51c6a"))
    ids = {new_client_id() for _ in range(5000)}
    assert len(ids) == 5000
    for client_id in ids:
        assert re.fullmatch(r"m2m-[a-z]{16}", client_id)
        check_event(AuditEvent(action="api.read", actor_client_id=client_id))


async def test_client_secret_post_works_for_client_credentials(idp: Idp, machine: tuple[str, str, str]) -> None:
    client_id, secret, _ = machine

    response = await idp.client.post(
        "/idp/token", data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    )

    assert response.status_code == 200, response.text


async def test_unknown_clients_and_wrong_secrets_are_refused(idp: Idp, machine: tuple[str, str, str]) -> None:
    client_id, _, _ = machine

    unknown = await idp.client.post(
        "/idp/token", data={"grant_type": "client_credentials", "client_id": "nobody", "client_secret": "x"}
    )
    wrong = await idp.client.post(
        "/idp/token", data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": "wrong"}
    )
    no_grant = await idp.client.post("/idp/token", data={"client_id": client_id})

    assert unknown.status_code == 400
    assert unknown.json()["error"] == "invalid_client"
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    assert wrong.headers["www-authenticate"].startswith("Basic")
    assert no_grant.status_code == 400
    assert no_grant.json()["error"] == "unsupported_grant_type"


async def test_the_web_client_may_not_use_client_credentials(idp: Idp) -> None:
    response = await idp.client.post(
        "/idp/token", data={"grant_type": "client_credentials", "client_id": "avhopp-web", "client_secret": idp.secret}
    )

    assert response.status_code == 400
    assert response.json()["error"] == "unauthorized_client"


async def test_a_machine_client_cannot_start_a_browser_login(idp: Idp, machine: tuple[str, str, str]) -> None:
    client_id, _, _ = machine

    response = await idp.start(idp.auth_request(client_id=client_id))

    assert response.status_code == 400
    assert "location" not in response.headers


def _encode(part: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")


async def _signer_key(sessions: async_sessionmaker[AsyncSession], idp: Idp) -> SigningKey:
    return await Signer(sessions, idp.settings.secret_key).active_key()


def _machine_claims(idp: Idp, **overrides: Any) -> dict[str, Any]:
    claims = access_token_claims(idp.issuer, API_AUDIENCE, "m2m-test", "m2m-test")
    claims.update(tenant_id="00000000-0000-0000-0000-000000000001", roles=["reader"])
    claims.update(overrides)
    return claims


async def test_a_valid_minted_token_verifies(idp: Idp, sessions: async_sessionmaker[AsyncSession]) -> None:
    token = mint(await _signer_key(sessions, idp), _machine_claims(idp))

    claims = await verify_access_token(token, idp.keys)

    assert claims.client_id == "m2m-test"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"aud": "someone-else"}, "wrong_audience"),
        ({"iss": "https://evil.example/idp"}, "wrong_issuer"),
        # Times relative to when the test runs, not to when the suite was collected.
        ({"exp": -120}, "expired"),
        ({"nbf": 600}, "not_yet_valid"),
        ({"tenant_id": "not-a-uuid"}, "invalid_claims"),
        ({"roles": "admin"}, "invalid_claims"),
    ],
)
async def test_tokens_with_wrong_claims_are_rejected(
    idp: Idp, sessions: async_sessionmaker[AsyncSession], overrides: dict[str, Any], reason: str
) -> None:
    now = int(time.time())
    claims = {name: now + value if name in {"exp", "nbf"} else value for name, value in overrides.items()}
    token = mint(await _signer_key(sessions, idp), _machine_claims(idp, **claims))

    with pytest.raises(TokenRejectedError) as rejected:
        await verify_access_token(token, idp.keys)

    assert rejected.value.reason == reason


async def test_forged_unsigned_and_symmetric_tokens_are_rejected(
    idp: Idp, sessions: async_sessionmaker[AsyncSession]
) -> None:
    real = await _signer_key(sessions, idp)
    forger = SigningKey(kid=real.kid, private=RSAKey.generate_key(2048))
    claims = _machine_claims(idp)
    public_pem = real.private.as_pem(private=False)
    signing_input = f"{_encode({'alg': 'HS256', 'typ': 'at+jwt', 'kid': real.kid})}.{_encode(claims)}"
    symmetric = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    cases = {
        "bad_signature": mint(forger, claims),
        "algorithm_not_allowed": f"{_encode({'alg': 'none', 'typ': 'at+jwt', 'kid': real.kid})}.{_encode(claims)}.",
        "wrong_type": mint(real, claims, token_type="JWT"),  # noqa: S106 - a JWT type
        "unknown_key": mint(SigningKey(kid="no-such-kid", private=forger.private), claims),
        "malformed": "not-a-jwt",
    }
    cases["algorithm_not_allowed_hs256"] = f"{signing_input}.{base64.urlsafe_b64encode(symmetric).decode().rstrip('=')}"

    for expected, token in cases.items():
        with pytest.raises(TokenRejectedError) as rejected:
            await verify_access_token(token, idp.keys)
        assert rejected.value.reason == expected.removesuffix("_hs256"), expected


async def test_key_rotation_keeps_issued_tokens_valid_and_signs_new_ones_with_the_new_key(
    idp: Idp, machine: tuple[str, str, str], owner_engine: Engine
) -> None:
    client_id, secret, _ = machine
    before = (await client_credentials(idp, client_id, secret)).json()["access_token"]
    await verify_access_token(before, idp.keys)
    old_kid = json.loads(base64.urlsafe_b64decode(before.split(".")[0] + "=="))["kid"]

    with owner_engine.begin() as connection:
        rotation = rotate_signing_keys(connection, idp.settings.secret_key)

    after = (await client_credentials(idp, client_id, secret)).json()["access_token"]
    new_kid = json.loads(base64.urlsafe_b64decode(after.split(".")[0] + "=="))["kid"]
    assert old_kid in rotation.retired
    assert new_kid == rotation.new_kid != old_kid
    assert (await verify_access_token(before, idp.keys)).client_id == client_id
    assert (await verify_access_token(after, idp.keys)).client_id == client_id
    published = {key["kid"] for key in (await idp.client.get("/idp/jwks")).json()["keys"]}
    assert {old_kid, new_kid} <= published

    # Once the old key's tokens have all expired, the next rotation prunes it.
    with owner_engine.begin() as connection:
        later = rotate_signing_keys(connection, idp.settings.secret_key, now=datetime.now(UTC) + timedelta(hours=1))
    assert old_kid in later.pruned


async def test_tokens_with_made_up_key_ids_reload_the_keys_at_most_once_per_interval(
    idp: Idp, sessions: async_sessionmaker[AsyncSession], app_engine: AsyncEngine, owner_engine: Engine
) -> None:
    """An anonymous caller with tokens naming new kids cannot send every request to the database."""
    real = await _signer_key(sessions, idp)
    made_up = [mint(SigningKey(kid=f"made-up-{n}", private=real.private), _machine_claims(idp)) for n in range(50)]
    keys = KeyStore(sessions, idp.issuer, unknown_kid_seconds=0.5)
    loads: list[str] = []

    def count(*args: Any) -> None:
        if "FROM idp_signing_key" in args[2]:
            loads.append(args[2])

    event.listen(app_engine.sync_engine, "before_cursor_execute", count)
    try:
        for token in made_up:
            with pytest.raises(TokenRejectedError):
                await verify_access_token(token, keys)
        assert len(loads) == 2, "the first load, and one reload for an unknown kid"

        # After the interval, a key rotated in meanwhile is found on its first token.
        await asyncio.sleep(0.5)
        with owner_engine.begin() as connection:
            rotate_signing_keys(connection, idp.settings.secret_key)
        rotated = mint(await _signer_key(sessions, idp), _machine_claims(idp))
        del loads[:]
        assert (await verify_access_token(rotated, keys)).client_id == "m2m-test"
        assert len(loads) == 1
    finally:
        event.remove(app_engine.sync_engine, "before_cursor_execute", count)


async def test_a_remembered_token_is_not_a_pass_for_a_tampered_one(
    idp: Idp, sessions: async_sessionmaker[AsyncSession]
) -> None:
    real = await _signer_key(sessions, idp)
    verified = VerifiedAccessTokens(KeyStore(sessions, idp.issuer))
    claims = _machine_claims(idp)
    token = mint(real, claims)
    assert (await verified.verify(token)).client_id == "m2m-test"

    header, payload, signature = token.split(".")
    forged = mint(SigningKey(kid=real.kid, private=RSAKey.generate_key(2048)), claims)
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    more_roles = mint(SigningKey(kid=real.kid, private=RSAKey.generate_key(2048)), {**claims, "roles": ["admin"]})
    for attempt in (forged, f"{header}.{payload}.{flipped}", f"{header}.{more_roles.split('.')[1]}.{signature}"):
        with pytest.raises(TokenRejectedError) as rejected:
            await verified.verify(attempt)
        assert rejected.value.reason == "bad_signature"
    assert (await verified.verify(token)).client_id == "m2m-test"


async def test_a_remembered_token_ends_with_its_key(
    idp: Idp, sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    signer = await _signer_key(sessions, idp)
    verified = VerifiedAccessTokens(KeyStore(sessions, idp.issuer, cache_seconds=0))
    token = mint(signer, _machine_claims(idp))
    await verified.verify(token)

    with owner_engine.begin() as connection:
        rotate_signing_keys(connection, idp.settings.secret_key)
    assert (await verified.verify(token)).client_id == "m2m-test", "retired, the key still verifies its tokens"

    with owner_engine.begin() as connection:
        connection.execute(
            text("UPDATE idp_signing_key SET published_until = now() - interval '1 second' WHERE kid = :kid"),
            {"kid": signer.kid},
        )
    with pytest.raises(TokenRejectedError) as rejected:
        await verified.verify(token)
    assert rejected.value.reason == "unknown_key"


async def test_a_remembered_token_still_expires(idp: Idp, sessions: async_sessionmaker[AsyncSession]) -> None:
    # Expired two seconds before the leeway runs out: accepted now, refused once it has.
    expires = int(time.time()) - int(CLOCK_LEEWAY.total_seconds()) + 2
    token = mint(await _signer_key(sessions, idp), _machine_claims(idp, exp=expires))
    verified = VerifiedAccessTokens(KeyStore(sessions, idp.issuer))
    await verified.verify(token)

    await asyncio.sleep(expires + CLOCK_LEEWAY.total_seconds() - time.time() + 0.1)

    with pytest.raises(TokenRejectedError) as rejected:
        await verified.verify(token)
    assert rejected.value.reason == "expired"


async def test_token_requests_are_rate_limited_per_address(idp: Idp) -> None:
    wait_for_a_fresh_window(ProviderLimits().token, needed_seconds=30)
    statuses = [
        (await idp.client.post("/idp/token", data={"grant_type": "client_credentials"})).status_code for _ in range(121)
    ]

    assert set(statuses[:120]) == {401}  # no client authentication
    assert statuses[120] == 429
