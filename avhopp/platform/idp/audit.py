"""Audit events of the identity provider, as structured log lines.

Events name accounts by id and clients by client id, with a reason code. They never carry a
username, password, one-time code, token, cookie or client address, not even for refusals,
where those would be an attacker's input or a person's mistyped secret.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog

if TYPE_CHECKING:
    from uuid import UUID

_log = structlog.get_logger("avhopp.idp")


def audit(event: str, *, account_id: UUID | None = None, client_id: str | None = None, **codes: str) -> None:
    """Something that succeeded: a sign-in, an enrolment, a token issued."""
    _log.info(event, **_fields(account_id, client_id, codes))


def refused(event: str, reason: str, *, account_id: UUID | None = None, client_id: str | None = None) -> None:
    """Something refused, with a reason code such as `wrong_password` or `code_reused`."""
    _log.warning(event, reason=reason, **_fields(account_id, client_id, {}))


def _fields(account_id: UUID | None, client_id: str | None, codes: dict[str, str]) -> dict[str, str]:
    fields = dict(codes)
    if account_id is not None:
        fields["account_id"] = str(account_id)
    if client_id is not None:
        fields["client_id"] = client_id
    return fields
