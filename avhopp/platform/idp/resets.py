"""Resets that an administrator starts and the person completes through a one-time link.

The administrator never sees a password or an authenticator secret: tenant administration starts
a reset (`start_reset`) and hands the link over; the person opens `/idp/aterstall/<token>` and
sets the new factor there. Each link asks for the other factor, so the link alone (seen by the
administrator, or taken on the way) lets nobody in: a password reset asks for a code from the
person's authenticator app, an authenticator reset for the password. Wrong answers count towards
the account's lockout as at sign-in.

A link is random (256 bits), stored only as its SHA-256, valid for `RESET_LIFETIME`, and used
once. An account has at most one outstanding reset: starting another replaces it. An unknown,
used, replaced or expired link, or one for an inactive account, is refused alike. Completing a
reset ends the account's sessions and the platform's sessions it vouched for, in every browser.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from avhopp.platform.idp import totp
from avhopp.platform.idp.accounts import (
    Account,
    find_account,
    open_totp_secret,
    password_hash_of,
    record_failure,
    record_sign_in,
    replace_totp,
    seal_totp_secret,
    store_new_password,
)
from avhopp.platform.idp.admin import AdminError, end_account_sessions
from avhopp.platform.idp.audit import (
    account_locked,
    refused,
    reset_completed,
    sign_in_refused,
    sign_in_refused_counted,
)
from avhopp.platform.idp.login import LOCKED, REUSED_CODE, WRONG_CODE, form_text
from avhopp.platform.idp.models import IdpAccount, IdpReset
from avhopp.platform.idp.passwords import (
    MAX_LENGTH,
    check_password,
    check_unknown_user,
    hash_password,
    new_password_problem,
    run_hashing,
)
from avhopp.platform.idp.responses import page, refusal, translated
from avhopp.platform.sealing import SealError, digest, seal, unseal
from avhopp.platform.web.ratelimit import check_rate

if TYPE_CHECKING:
    from uuid import UUID

    from litestar import Request, Response
    from litestar.datastructures import FormMultiDict
    from sqlalchemy import Connection
    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.platform.idp.provider import Provider

RESET_LIFETIME = timedelta(hours=2)
RESET_PATH = "/aterstall/"
"""Under the provider's issuer: the link is `{issuer}/aterstall/{token}`."""
_MAX_TOKEN_LENGTH = 128
_ENROL_SECONDS = 600
_STATE_PURPOSE = "idp.reset-enrolment"
WRONG_PASSWORD = "Lösenordet stämmer inte."  # noqa: S105 - a message, not a password
NO_AUTHENTICATOR = (
    "Personen har ingen autentiseringsapp kopplad, så länken kan inte fråga efter den. "
    "Be plattformens administratör om ett tillfälligt lösenord i stället."
)


AGAIN = "Det tog för lång tid. Skriv ditt lösenord igen."


class ResetKind(StrEnum):
    """What the person sets anew through the link."""

    PASSWORD = "password"  # noqa: S105 - a kind of reset, not a secret
    AUTHENTICATOR = "authenticator"


def start_reset(connection: Connection, account_id: UUID, kind: ResetKind, now: datetime | None = None) -> str:
    """Start a reset of the account (replacing any outstanding one); returns the link's token, to show once.

    Runs in the caller's transaction. Nothing about the account changes until the person completes it.
    """
    now = now or datetime.now(UTC)
    account = connection.execute(
        select(IdpAccount.active, IdpAccount.has_authenticator).where(IdpAccount.id == account_id)
    ).one_or_none()
    if account is None or not account.active:
        raise AdminError("Det finns inget konto med det användarnamnet.")
    if kind is ResetKind.PASSWORD and not account.has_authenticator:
        raise AdminError(NO_AUTHENTICATOR)
    token = secrets.token_urlsafe(32)
    values = {"token_hash": digest(token), "kind": kind.value, "created_at": now, "expires_at": now + RESET_LIFETIME}
    connection.execute(
        insert(IdpReset)
        .values(account_id=account_id, **values)
        .on_conflict_do_update(index_elements=[IdpReset.account_id], set_={**values, "used_at": None})
    )
    return token


@dataclass(frozen=True, slots=True)
class OpenReset:
    """A usable reset link: whose account, and what it resets."""

    token_hash: str
    kind: ResetKind
    account: Account


async def open_reset(db: AsyncSession, token: str, now: datetime) -> OpenReset | None:
    """The reset a link's token starts, locked for this transaction; None when unknown, used, replaced or expired."""
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        return None
    row = (
        await db.execute(
            select(IdpReset.account_id, IdpReset.kind, IdpReset.token_hash)
            .where(IdpReset.token_hash == digest(token), IdpReset.used_at.is_(None), IdpReset.expires_at > now)
            .with_for_update()
        )
    ).one_or_none()
    if row is None:
        return None
    account = await find_account(db, account_id=row.account_id, for_update=True)
    if account is None or not account.active:
        return None
    return OpenReset(row.token_hash, ResetKind(row.kind), account)


@dataclass(frozen=True, slots=True)
class ResetPage:
    """A page of the reset: `template` under idp/, its values and errors (Swedish message ids)."""

    template: str
    errors: dict[str, str]
    values: dict[str, Any]
    status: int = 200


DONE = ResetPage("reset_done", {}, {})


def first_page(reset: OpenReset) -> ResetPage:
    """What the link shows first: the other factor (and a new password) for a password reset; the password else."""
    if reset.kind is ResetKind.PASSWORD:
        return ResetPage("reset_password", {}, {})
    return ResetPage("reset_authenticator", {}, {})


async def submit(
    db: AsyncSession, provider: Provider, reset: OpenReset, form: FormMultiDict, now: datetime
) -> ResetPage:
    """One step of completing a reset."""
    step = form_text(form, "step")
    if reset.kind is ResetKind.PASSWORD:
        return await _new_password(db, provider, reset, form, now)
    if step == "enrol":
        return await _enrol(db, provider, reset, form, now)
    return await _password_for_authenticator(db, provider, reset, form, now)


async def _new_password(
    db: AsyncSession, provider: Provider, reset: OpenReset, form: FormMultiDict, now: datetime
) -> ResetPage:
    account = reset.account
    password = form_text(form, "new_password", MAX_LENGTH + 1)
    errors: dict[str, str] = {}
    problem = new_password_problem(password, form_text(form, "new_password_repeat", MAX_LENGTH + 1), account.username)
    if problem is not None:
        errors["new_password"] = problem
    code = form_text(form, "code")
    if not totp.normalise_code(code):
        errors["code"] = "Skriv koden från din autentiseringsapp."
    if account.locked(now):
        await sign_in_refused_counted(db, "locked", account.id)
        return ResetPage("reset_password", {"code": LOCKED}, {}, 400)
    if errors:
        return ResetPage("reset_password", errors, {}, 400)
    try:
        secret = await open_totp_secret(db, provider.settings.secret_key, account.id)
    except SealError:
        secret = None
    found = totp.matching_step(secret or "", code, now.timestamp()) if secret else None
    if found is not None and account.totp_last_step is not None and found <= account.totp_last_step:
        await sign_in_refused(db, "reset_code_reused", account.id)
        return ResetPage("reset_password", {"code": REUSED_CODE}, {}, 400)
    if found is None:
        shown = ResetPage("reset_password", {"code": WRONG_CODE}, {}, 400)
        return await _failed(db, account, now, reason="reset_wrong_code", shown=shown)
    await _claim(db, reset, now)
    await store_new_password(db, account.id, await run_hashing(hash_password, password))
    await record_sign_in(db, account.id, found)
    await _end_sessions(db, provider, account.id)
    await reset_completed(db, ResetKind.PASSWORD.value, account.id)
    return DONE


async def _password_for_authenticator(
    db: AsyncSession, provider: Provider, reset: OpenReset, form: FormMultiDict, now: datetime
) -> ResetPage:
    account = reset.account
    password = form_text(form, "password", MAX_LENGTH + 1)
    if not password:
        return ResetPage("reset_authenticator", {"password": "Skriv ditt lösenord."}, {}, 400)
    if account.locked(now):
        await run_hashing(check_unknown_user, password)
        await sign_in_refused_counted(db, "locked", account.id)
        return ResetPage("reset_authenticator", {"password": LOCKED}, {}, 400)
    check = await run_hashing(check_password, await password_hash_of(db, account.id), password)
    if not check.ok:
        shown = ResetPage("reset_authenticator", {"password": WRONG_PASSWORD}, {}, 400)
        return await _failed(db, account, now, reason="reset_wrong_password", shown=shown)
    secret = totp.new_secret()
    return ResetPage("reset_enrol", {}, _enrolment(provider, reset, secret, now))


async def _enrol(
    db: AsyncSession, provider: Provider, reset: OpenReset, form: FormMultiDict, now: datetime
) -> ResetPage:
    account = reset.account
    secret = _open_enrolment(provider.settings.secret_key, form_text(form, "state", 2048), reset)
    if secret is None:
        return ResetPage("reset_authenticator", {"password": AGAIN}, {}, 400)
    values = _enrolment(provider, reset, secret, now)
    code = form_text(form, "code")
    if not totp.normalise_code(code):
        return ResetPage("reset_enrol", {"code": "Skriv koden som appen visar."}, values, 400)
    found = totp.matching_step(secret, code, now.timestamp())
    if found is None:
        await sign_in_refused(db, "reset_wrong_enrolment_code", account.id)
        return ResetPage("reset_enrol", {"code": WRONG_CODE}, values, 400)
    await _claim(db, reset, now)
    await replace_totp(db, account.id, seal_totp_secret(provider.settings.secret_key, account.id, secret), found)
    await _end_sessions(db, provider, account.id)
    await reset_completed(db, ResetKind.AUTHENTICATOR.value, account.id)
    return DONE


async def _failed(db: AsyncSession, account: Account, now: datetime, *, reason: str, shown: ResetPage) -> ResetPage:
    """A wrong factor: counted towards the lockout as at sign-in."""
    locked = await record_failure(db, account, now)
    await sign_in_refused(db, reason, account.id)
    if locked:
        await account_locked(db, account.id)
        return ResetPage(shown.template, dict.fromkeys(shown.errors, LOCKED), {}, 400)
    return shown


async def _claim(db: AsyncSession, reset: OpenReset, now: datetime) -> None:
    """Mark the link used; the row is locked since `open_reset`, so nobody else claims it meanwhile."""
    await db.execute(update(IdpReset).where(IdpReset.token_hash == reset.token_hash).values(used_at=now))


async def _end_sessions(db: AsyncSession, provider: Provider, account_id: UUID) -> None:
    await db.run_sync(lambda sync: end_account_sessions(sync.connection(), account_id, provider.issuer))


def _enrolment(provider: Provider, reset: OpenReset, secret: str, now: datetime) -> dict[str, Any]:
    """The enrolment page's values: the QR code, the secret in groups, and the sealed state to post back."""
    payload = {"r": reset.token_hash, "s": secret, "e": int(now.timestamp()) + _ENROL_SECONDS}
    sealed = seal(provider.settings.secret_key, _STATE_PURPOSE, json.dumps(payload).encode())
    uri = totp.provisioning_uri(secret, reset.account.username)
    return {
        "qr_svg": totp.qr_code_svg(uri, "QR-kod för autentiseringsappen"),
        "secret": totp.grouped(secret),
        "state": base64.urlsafe_b64encode(sealed).decode().rstrip("="),
    }


def _open_enrolment(secret_key: str, raw: str, reset: OpenReset) -> str | None:
    """The secret being enrolled through this very link, or None when the state is forged, foreign or old."""
    if not raw:
        return None
    try:
        sealed = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        payload = json.loads(unseal(secret_key, _STATE_PURPOSE, sealed))
        if payload["r"] != reset.token_hash or int(payload["e"]) <= time.time():
            return None
        secret = payload["s"]
    except (SealError, binascii.Error, ValueError, KeyError, TypeError):
        return None
    return secret if isinstance(secret, str) else None


_GONE_TITLE = "Länken gäller inte"
_GONE_MESSAGE = (
    "Länken är fel, har redan använts, har ersatts av en nyare eller är för gammal. Be din administratör om en ny."
)


async def reset_page(provider: Provider, token: str) -> Response[Any]:
    """GET of a link: its first page, or the one refusal for every link that does not work."""
    now = datetime.now(UTC)
    async with provider.transaction() as db:
        reset = await open_reset(db, token, now)
    if reset is None:
        refused("idp.reset_refused", "link_unusable")
        return refusal(_GONE_TITLE, _GONE_MESSAGE, status=404)
    shown = first_page(reset)
    return page(shown.template, {"action": _action(token), "errors": {}, **shown.values}, status=shown.status)


async def complete_reset_page(request: Request[Any, Any, Any], provider: Provider, token: str) -> Response[Any]:
    """POST of a link: one step, in one transaction that also counts a wrong factor."""
    await check_rate(request, provider.limits.sign_in)
    now = datetime.now(UTC)
    form = await request.form()
    async with provider.transaction() as db:
        reset = await open_reset(db, token, now)
        shown = None if reset is None else await submit(db, provider, reset, form, now)
    if shown is None:
        refused("idp.reset_refused", "link_unusable")
        return refusal(_GONE_TITLE, _GONE_MESSAGE, status=404)
    values = {"action": _action(token), "errors": translated(request, shown.errors), **shown.values}
    return page(shown.template, values, status=shown.status)


def _action(token: str) -> str:
    return f"/idp{RESET_PATH}{token}"
