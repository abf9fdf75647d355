"""Signing in, step by step: password, then a new password or TOTP enrolment when needed, then the code.

Between steps the browser carries a `LoginState` in a sealed cookie (AES-GCM, ten minutes):
which account has passed the password and what comes next. Each step reads the account
again, locked for update, so a lockout or an admin reset in between takes effect at once.

Failed passwords and failed codes count towards the same lockout. A reused code (right code,
step already used) is refused without counting: it proves possession, not guessing. Codes
typed while enrolling do not count either: the person has just proved the password and is
reading a fresh code off their own app.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID

from avhopp.platform.idp import totp
from avhopp.platform.idp.accounts import enrol_totp as store_enrolment
from avhopp.platform.idp.accounts import (
    find_account,
    normalise_username,
    open_totp_secret,
    password_hash_of,
    record_failure,
    record_sign_in,
    seal_totp_secret,
    store_new_password,
    store_rehash,
)
from avhopp.platform.idp.audit import account_locked, audit, sign_in_refused, sign_in_refused_counted
from avhopp.platform.idp.passwords import (
    MAX_LENGTH,
    check_password,
    check_unknown_user,
    hash_password,
    new_password_problem,
    run_hashing,
)
from avhopp.platform.sealing import SealError, seal, unseal

if TYPE_CHECKING:
    from datetime import datetime

    from litestar.datastructures import FormMultiDict
    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.platform.idp.accounts import Account
    from avhopp.platform.idp.provider import Provider

LOGIN_STATE_SECONDS = 600
_STATE_PURPOSE = "idp.login-state"
_FIELD_LENGTH = 256

WRONG_CREDENTIALS = "Fel användarnamn eller lösenord."
LOCKED = (
    "Inloggningen är tillfälligt spärrad efter för många misslyckade försök. "
    "Vänta 15 minuter och försök igen, eller kontakta din administratör."
)
RESTART = "Inloggningen avbröts eller tog för lång tid. Logga in igen."
WRONG_CODE = "Koden stämmer inte. Skriv den kod som appen visar just nu."
REUSED_CODE = "Koden har redan använts. Vänta tills appen visar en ny kod och skriv in den."


class Stage(StrEnum):
    """What the person does after the password."""

    TOTP = "totp"
    NEW_PASSWORD = "new_password"  # noqa: S105 - a step name, not a secret
    ENROL = "enrol"


@dataclass(frozen=True, slots=True)
class LoginState:
    """An account that has passed the password, and its next step; carried in a sealed cookie."""

    account_id: UUID
    stage: Stage
    expires_at: int
    pending_secret: str | None = None
    """The TOTP secret being enrolled, until a code from it confirms it."""


@dataclass(frozen=True, slots=True)
class ShowStep:
    """Show a step's page; `state` is the cookie to set (None clears it)."""

    stage: Stage | None
    """None: the password page."""
    errors: dict[str, str] = field(default_factory=dict)
    """Field name to Swedish message id."""
    state: LoginState | None = None
    values: dict[str, Any] = field(default_factory=dict)
    status: int = 400


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Password and code are both verified."""

    account: Account


StepResult = ShowStep | SignedIn


def seal_state(secret_key: str, state: LoginState) -> str:
    """The cookie value for a login state."""
    payload = {
        "a": str(state.account_id),
        "s": state.stage.value,
        "e": state.expires_at,
        "p": state.pending_secret,
    }
    sealed = seal(secret_key, _STATE_PURPOSE, json.dumps(payload).encode())
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def open_state(secret_key: str, raw: str | None) -> LoginState | None:
    """The login state in a cookie, or None when it is missing, forged or expired."""
    if not raw or len(raw) > 2048:  # noqa: PLR2004 - far above any state we write
        return None
    try:
        sealed = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        payload = json.loads(unseal(secret_key, _STATE_PURPOSE, sealed))
        state = LoginState(
            account_id=UUID(payload["a"]),
            stage=Stage(payload["s"]),
            expires_at=int(payload["e"]),
            pending_secret=payload["p"],
        )
    except (SealError, binascii.Error, ValueError, KeyError, TypeError):
        return None
    return state if state.expires_at > time.time() else None


def form_text(form: FormMultiDict, name: str, max_length: int = _FIELD_LENGTH) -> str:
    """A text field, or "" when it is missing or not text; cut at `max_length`."""
    value = form.get(name)
    return value[:max_length] if isinstance(value, str) else ""


async def password_step(db: AsyncSession, provider: Provider, form: FormMultiDict, now: datetime) -> StepResult:
    """Check username and password; unknown and known usernames look and take alike."""
    username = normalise_username(form_text(form, "username"))
    password = form_text(form, "password", MAX_LENGTH + 1)
    missing = {}
    if not username:
        missing["username"] = "Skriv ditt användarnamn."
    if not password:
        missing["password"] = "Skriv ditt lösenord."  # noqa: S105 - a message, not a password
    if missing:
        return ShowStep(stage=None, errors=missing, values={"username": username})
    account = await find_account(db, username=username, for_update=True)
    if account is None or not account.active:
        await run_hashing(check_unknown_user, password)
        unknown = provider.unknown_usernames
        locked = unknown.locked(username, now) or unknown.record_failure(username, now)
        await sign_in_refused_counted(
            db, "unknown_account" if account is None else "inactive_account", account.id if account else None
        )
        return _password_page(username, LOCKED if locked else WRONG_CREDENTIALS)
    if account.locked(now):
        await run_hashing(check_unknown_user, password)
        await sign_in_refused_counted(db, "locked", account.id)
        return _password_page(username, LOCKED)
    check = await run_hashing(check_password, await password_hash_of(db, account.id), password)
    if not check.ok:
        locked = await record_failure(db, account, now)
        await sign_in_refused(db, "wrong_password", account.id)
        if locked:
            await account_locked(db, account.id)
        return _password_page(username, LOCKED if locked else WRONG_CREDENTIALS)
    if check.new_hash is not None:
        await store_rehash(db, account.id, check.new_hash)
    audit("idp.password_accepted", account_id=account.id)
    return _next_step(account, now)


async def totp_step(
    db: AsyncSession, provider: Provider, form: FormMultiDict, state: LoginState, now: datetime
) -> StepResult:
    """Check the one-time code of an enrolled account."""
    account = await _account_for(db, state)
    if account is None or account.password_reset_required or not account.has_authenticator:
        return _restart()
    if account.locked(now):
        await sign_in_refused_counted(db, "locked", account.id)
        return _password_page(account.username, LOCKED)
    code = form_text(form, "code")
    if not totp.normalise_code(code):
        return ShowStep(stage=Stage.TOTP, errors={"code": "Skriv koden från din autentiseringsapp."}, state=state)
    return await _check_code(db, provider, account, code=code, state=state, now=now)


async def _check_code(  # noqa: PLR0913 - one step's whole situation
    db: AsyncSession, provider: Provider, account: Account, *, code: str, state: LoginState, now: datetime
) -> StepResult:
    try:
        secret = await open_totp_secret(db, provider.settings.secret_key, account.id)
    except SealError:
        # Sealed under another secret key: only an admin reset (new enrolment) helps.
        await sign_in_refused(db, "totp_secret_unreadable", account.id)
        return _password_page(account.username, "Inloggningen går inte att slutföra. Kontakta din administratör.")
    step = totp.matching_step(secret or "", code, now.timestamp())
    if step is not None and account.totp_last_step is not None and step <= account.totp_last_step:
        await sign_in_refused(db, "code_reused", account.id)
        return ShowStep(stage=Stage.TOTP, errors={"code": REUSED_CODE}, state=state)
    if step is None:
        locked = await record_failure(db, account, now)
        await sign_in_refused(db, "wrong_code", account.id)
        if locked:
            await account_locked(db, account.id)
            return _password_page(account.username, LOCKED)
        return ShowStep(stage=Stage.TOTP, errors={"code": WRONG_CODE}, state=state)
    await record_sign_in(db, account.id, step)
    return SignedIn(account)


async def new_password_step(db: AsyncSession, form: FormMultiDict, state: LoginState, now: datetime) -> StepResult:
    """Set the person's own password in place of a temporary one (a new account, an admin reset)."""
    account = await _account_for(db, state)
    if account is None or not account.password_reset_required:
        return _restart()
    password = form_text(form, "new_password", MAX_LENGTH + 1)
    problem = new_password_problem(password, form_text(form, "new_password_repeat", MAX_LENGTH + 1), account.username)
    if problem is None and (await run_hashing(check_password, await password_hash_of(db, account.id), password)).ok:
        problem = "Välj ett annat lösenord än det tillfälliga."
    if problem is not None:
        return ShowStep(stage=Stage.NEW_PASSWORD, errors={"new_password": problem}, state=state)
    await store_new_password(db, account.id, await run_hashing(hash_password, password))
    audit("idp.password_changed", account_id=account.id)
    return _next_step(replace(account, password_reset_required=False), now)


async def enrol_step(
    db: AsyncSession, provider: Provider, form: FormMultiDict, state: LoginState, now: datetime
) -> StepResult:
    """Confirm a new authenticator app with a code from it, then store its secret."""
    account = await _account_for(db, state)
    secret = state.pending_secret
    if account is None or account.password_reset_required or account.has_authenticator or not secret:
        return _restart()
    values = _enrolment_values(account, secret)
    code = form_text(form, "code")
    if not totp.normalise_code(code):
        return ShowStep(stage=Stage.ENROL, errors={"code": "Skriv koden som appen visar."}, state=state, values=values)
    step = totp.matching_step(secret, code, now.timestamp())
    if step is None:
        await sign_in_refused(db, "wrong_enrolment_code", account.id)
        return ShowStep(stage=Stage.ENROL, errors={"code": WRONG_CODE}, state=state, values=values)
    sealed = seal_totp_secret(provider.settings.secret_key, account.id, secret)
    if not await store_enrolment(db, account.id, sealed, step):
        return _restart()
    audit("idp.totp_enrolled", account_id=account.id)
    return SignedIn(account)


def step_page(state: LoginState, account: Account) -> ShowStep:
    """The page of the step a login state is at, without errors (for showing it first)."""
    values = _enrolment_values(account, state.pending_secret) if state.stage is Stage.ENROL else {}
    return ShowStep(stage=state.stage, state=state, values=values, status=200)


def _next_step(account: Account, now: datetime) -> ShowStep:
    expires_at = int(now.timestamp()) + LOGIN_STATE_SECONDS
    if account.password_reset_required:
        state = LoginState(account.id, Stage.NEW_PASSWORD, expires_at)
    elif not account.has_authenticator:
        state = LoginState(account.id, Stage.ENROL, expires_at, pending_secret=totp.new_secret())
    else:
        state = LoginState(account.id, Stage.TOTP, expires_at)
    return step_page(state, account)


async def _account_for(db: AsyncSession, state: LoginState) -> Account | None:
    account = await find_account(db, account_id=state.account_id, for_update=True)
    return account if account is not None and account.active else None


def _enrolment_values(account: Account, secret: str | None) -> dict[str, Any]:
    if secret is None:
        return {}
    uri = totp.provisioning_uri(secret, account.username)
    return {"qr_svg": totp.qr_code_svg(uri, "QR-kod för autentiseringsappen"), "secret": totp.grouped(secret)}


def _password_page(username: str, message: str) -> ShowStep:
    return ShowStep(stage=None, errors={"username": message}, values={"username": username})


def _restart() -> ShowStep:
    return ShowStep(stage=None, errors={"username": RESTART})
