"""The enforcer every process uses: Casbin in memory, reloaded whenever the database's policy changes.

Freshness: at most once per `check_interval` seconds a decision first reads the policy
version (one single-row select) and reloads when it moved; a PolicyWatcher on LISTEN/NOTIFY
marks the enforcer stale at once when another process commits a change. A reload builds a new
Casbin enforcer and swaps it in, so a decision never sees half a policy.

Fail closed: when the version cannot be read or the policy cannot be loaded, every decision is
a denial (and `refresh` raises AuthzUnavailableError) until a check succeeds again. One
AuthzEnforcer belongs to one event loop (the web server's, or the job worker's).
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import TYPE_CHECKING

import casbin  # type: ignore[import-untyped]
import structlog
from casbin.persist.adapter import Adapter  # type: ignore[import-untyped]
from sqlalchemy.exc import SQLAlchemyError

from avhopp.platform.authz.model import POLICY_INDEX, new_model
from avhopp.platform.authz.policy import (
    CLIENT_PREFIX,
    USER_PREFIX,
    Policy,
    PolicyLoadError,
    client_subject,
    load_policy,
    read_version,
    user_subject,
)
from avhopp.platform.authz.registry import parse_permission

if TYPE_CHECKING:
    from collections.abc import Iterable
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncEngine

    from avhopp.platform.scope.principal import Principal

_log = structlog.get_logger("avhopp.authz")


class AuthzUnavailableError(RuntimeError):
    """The policy could not be read or loaded; nothing is allowed until it can."""


class _SnapshotAdapter(Adapter):  # type: ignore[misc]
    """Hands one built Policy to Casbin; the policy is never written back through Casbin."""

    def __init__(self, policy: Policy) -> None:
        self._policy = policy

    def load_policy(self, model: casbin.Model) -> None:
        rules = model.model["p"]["p"].policy
        for rule in self._policy.p:
            rules.append(list(rule))
        model.model["g"]["g"].policy.extend(list(rule) for rule in self._policy.g)


class _MatcherCompiledOnce(casbin.FastEnforcer):  # type: ignore[misc]
    """Casbin parses its matcher into a Python AST for every decision (`_get_expression`).

    One enforcer holds one snapshot: its matcher and its role manager (which the `g` function the
    parsed matcher calls reads) never change, so the first parse serves every later decision. A
    policy change builds a new snapshot, and with it a new enforcer.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        self._expressions: dict[str, object] = {}
        super().__init__(*args, **kwargs)

    def _get_expression(self, expr: str, functions: object = None) -> object:
        compiled = self._expressions.get(expr)
        if compiled is None:
            compiled = self._expressions[expr] = casbin.FastEnforcer._get_expression(expr, functions)  # noqa: SLF001 - Casbin's own parse
        return compiled


_REMEMBERED = 100_000
"""Decisions one snapshot keeps before it starts over (a few per person and permission in use)."""


class _Snapshot:
    """One loaded policy and the decisions made with it: a snapshot never changes, so neither do they.

    Every request decides each permission once for its menu; a reload builds a new snapshot, which
    starts empty.
    """

    def __init__(self, policy: Policy) -> None:
        self._casbin = _MatcherCompiledOnce(new_model(), _SnapshotAdapter(policy), cache_key_order=POLICY_INDEX)
        self._decided: dict[tuple[str, str, str, str], bool] = {}

    def decide(self, subject: str, domain: str, obj: str, act: str) -> bool:
        """Whether the policy allows the request."""
        key = (subject, domain, obj, act)
        decided = self._decided.get(key)
        if decided is None:
            if len(self._decided) >= _REMEMBERED:
                self._decided.clear()
            decided = self._decided[key] = bool(self._casbin.enforce(subject, domain, obj, act))
        return decided


class AuthzEnforcer:
    """Decides whether a subject may do `act` on `obj` in a tenant."""

    def __init__(self, engine: AsyncEngine, *, check_interval: float = 1.0) -> None:
        self._engine = engine
        self._check_interval = check_interval
        self._casbin: _Snapshot | None = None
        self._version: int | None = None
        self._checked_at = -math.inf
        self._healthy = False
        self._lock = asyncio.Lock()

    @property
    def version(self) -> int | None:
        """The policy version in force, None before the first load."""
        return self._version

    def invalidate(self) -> None:
        """Check the version before the next decision (a change was announced or just made here)."""
        self._checked_at = -math.inf

    async def refresh(self) -> None:
        """Read the version now and reload if it moved.

        Raises:
            AuthzUnavailableError: the database or the policy failed; decisions deny until it works.

        """
        async with self._lock:
            await self._refresh_locked()

    async def enforce(self, subject: str, tenant_id: UUID, obj: str, act: str) -> bool:
        """Whether `subject` ("user:<uuid>" or "client:<id>") may do `act` on `obj` in the tenant."""
        if not _valid_request(subject, obj, act):
            _log.warning("authz.malformed_request")
            return False
        try:
            enforcer = await self._current()
        except AuthzUnavailableError:
            _log.warning("authz.denied_unavailable")
            return False
        return enforcer.decide(subject, str(tenant_id), obj, act)

    async def allows(self, principal: Principal, permission: str) -> bool:
        """Whether the principal may use a route that declares `permission` ("obj:act").

        The domain is the tenant the principal acts for; a principal acting for none is denied.
        """
        parsed = parse_permission(permission)
        subject = _subject_of(principal)
        if parsed is None or principal.tenant_id is None or subject is None:
            return False
        return await self.enforce(subject, principal.tenant_id, *parsed)

    async def permissions_of(self, principal: Principal, candidates: Iterable[str]) -> frozenset[str]:
        """Which of the candidate permissions the principal holds in the tenant they act for.

        The same decision as `allows`, made for many permissions against one policy snapshot.
        """
        subject = _subject_of(principal)
        if subject is None or principal.tenant_id is None:
            return frozenset()
        try:
            enforcer = await self._current()
        except AuthzUnavailableError:
            _log.warning("authz.denied_unavailable")
            return frozenset()
        domain = str(principal.tenant_id)
        return frozenset(
            candidate
            for candidate, parsed in ((candidate, parse_permission(candidate)) for candidate in candidates)
            if parsed is not None and _valid_request(subject, *parsed) and enforcer.decide(subject, domain, *parsed)
        )

    async def _current(self) -> _Snapshot:
        if time.monotonic() - self._checked_at >= self._check_interval:
            async with self._lock:
                # Another caller may have checked while this one waited for the lock.
                if time.monotonic() - self._checked_at >= self._check_interval:
                    try:
                        await self._refresh_locked()
                    except AuthzUnavailableError:
                        # Deny without retrying until the interval has passed: an outage must not
                        # turn every request into another connection attempt.
                        self._checked_at = time.monotonic()
                        raise
        if not self._healthy or self._casbin is None:
            raise AuthzUnavailableError("the authorization policy is not loaded")
        return self._casbin

    async def _refresh_locked(self) -> None:
        try:
            version = await read_version(self._engine)
            if version != self._version or self._casbin is None:
                policy = await load_policy(self._engine)
                self._casbin = _Snapshot(policy)
                self._version = policy.version
                _log.info("authz.policy_loaded", version=policy.version, p=len(policy.p), g=len(policy.g))
        except (SQLAlchemyError, OSError, PolicyLoadError) as error:
            self._healthy = False
            _log.error("authz.policy_unavailable", error=type(error).__name__)
            raise AuthzUnavailableError("the authorization policy could not be loaded") from error
        self._healthy = True
        self._checked_at = time.monotonic()


def _subject_of(principal: Principal) -> str | None:
    if principal.client_id is not None:
        return client_subject(principal.client_id)
    if principal.user_id is not None:
        return user_subject(principal.user_id)
    return None


def _valid_request(subject: str, obj: str, act: str) -> bool:
    has_prefix = subject.startswith((USER_PREFIX, CLIENT_PREFIX))
    return has_prefix and all(value and "*" not in value for value in (subject, obj, act))
