"""Audit events of the identity provider: structured log lines, and the audit trail for refusals.

Events name accounts by id and clients by client id, with a reason code. They never carry a
username, password, one-time code, token, cookie or client address, not even for refusals,
where those would be an attacker's input or a person's mistyped secret.

A refused password or code of an account, the account's lock, and a finished reset link are recorded in the audit
trail's platform chain as well. A refusal that names no account (an unknown username), or that
an attacker could repeat without end (any attempt while the account is locked), is counted per
day instead, so that nobody can grow the trail at will.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog

from avhopp.platform.audit import Action, AuditEvent, count_anonymous, record

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

_log = structlog.get_logger("avhopp.idp")
_ACCOUNT = "idp_account"


def audit(event: str, *, account_id: UUID | None = None, client_id: str | None = None, **codes: str) -> None:
    """Something that succeeded: a sign-in, an enrolment, a token issued."""
    _log.info(event, **_fields(account_id, client_id, codes))


def refused(event: str, reason: str, *, account_id: UUID | None = None, client_id: str | None = None) -> None:
    """Something refused, with a reason code such as `wrong_password` or `code_reused`."""
    _log.warning(event, reason=reason, **_fields(account_id, client_id, {}))


async def sign_in_refused(db: AsyncSession, reason: str, account_id: UUID) -> None:
    """An account's password or code refused: logged, and recorded in the trail in `db`'s transaction."""
    refused("idp.login_refused", reason, account_id=account_id)
    event = AuditEvent(Action.SIGN_IN_REFUSED, object_type=_ACCOUNT, object_id=str(account_id), reason=reason)
    await record(db, event)


async def account_locked(db: AsyncSession, account_id: UUID) -> None:
    """An account locked after too many failures: logged and recorded."""
    reason = "too_many_failures"
    refused("idp.account_locked", reason, account_id=account_id)
    event = AuditEvent(Action.ACCOUNT_LOCKED, object_type=_ACCOUNT, object_id=str(account_id), reason=reason)
    await record(db, event)


async def reset_completed(db: AsyncSession, kind: str, account_id: UUID) -> None:
    """A reset link finished (`kind`: password or authenticator): logged, and recorded in `db`'s transaction."""
    audit(f"idp.{kind}_reset_completed", account_id=account_id)
    event = AuditEvent(Action.RESET_COMPLETED, object_type=_ACCOUNT, object_id=str(account_id), reason=kind)
    await record(db, event)


async def sign_in_refused_counted(db: AsyncSession, reason: str, account_id: UUID | None = None) -> None:
    """A refusal anyone can repeat at will: logged, and counted per day rather than recorded."""
    refused("idp.login_refused", reason, account_id=account_id)
    await count_anonymous(db, Action.SIGN_IN_REFUSED, reason)


def _fields(account_id: UUID | None, client_id: str | None, codes: dict[str, str]) -> dict[str, str]:
    fields = dict(codes)
    if account_id is not None:
        fields["account_id"] = str(account_id)
    if client_id is not None:
        fields["client_id"] = client_id
    return fields
