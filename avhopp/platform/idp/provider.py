"""One app's identity provider at run time: settings, keys, rate limits and lockout counters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.idp.accounts import UnknownUsernameLockout
from avhopp.platform.idp.discovery import issuer_for
from avhopp.platform.idp.keys import KeyStore, Signer
from avhopp.platform.web.ratelimit import RateLimit

if TYPE_CHECKING:
    from contextlib import AbstractAsyncContextManager

    from litestar.datastructures import State
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from avhopp.platform.settings import Settings


@dataclass(frozen=True, slots=True)
class ProviderLimits:
    """Requests per client address: sign-in form posts, and token requests."""

    sign_in: RateLimit = field(default_factory=lambda: RateLimit("idp.sign_in", requests=30, seconds=60))
    token: RateLimit = field(default_factory=lambda: RateLimit("idp.token", requests=120, seconds=60))


class Provider:
    """What the provider's routes share within one app and process."""

    def __init__(self, settings: Settings, sessions: async_sessionmaker[AsyncSession], limits: ProviderLimits) -> None:
        self.settings = settings
        self.issuer = issuer_for(settings)
        self.sessions = sessions
        self.keys = KeyStore(sessions, self.issuer)
        self.signer = Signer(sessions, settings.secret_key)
        self.limits = limits
        self.unknown_usernames = UnknownUsernameLockout()
        # Browsers keep Secure cookies on http://localhost too; elsewhere plain http gets none.
        self.secure_cookies = settings.public_url.startswith(("https://", "http://127.0.0.1", "http://localhost"))

    def transaction(self) -> AbstractAsyncContextManager[AsyncSession]:
        """A transaction as the runtime role; the provider's tables carry no tenant."""
        return context_session(self.sessions, RequestContext())


class ProviderBinding:
    """Makes the app's `Provider` on first use, once the app has started and its sessions exist."""

    def __init__(self, settings: Settings, limits: ProviderLimits) -> None:
        self._settings = settings
        self._limits = limits
        self._provider: Provider | None = None

    def provider(self, state: State) -> Provider:
        """The provider for the app whose state this is."""
        if self._provider is None:
            sessions: Any = state.sessions
            self._provider = Provider(self._settings, sessions, self._limits)
        return self._provider
