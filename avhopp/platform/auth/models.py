"""Server-side sessions of people signed in through OIDC, and logins under way.

Both are keyed by the SHA-256 of a random token that only the browser's cookie holds, so a
copy of the table cannot be replayed as a cookie.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import DateTime, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from avhopp.platform.models import Base


class WebSession(Base):
    """A signed-in person's session; `acting_tenant_id` is the tenant they chose to act for."""

    __tablename__ = "web_session"
    __table_args__ = (Index("ix_web_session_issuer_subject", "issuer", "subject"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    acting_tenant_id: Mapped[UUID | None] = mapped_column(ForeignKey("tenant.id"))
    issuer: Mapped[str] = mapped_column(Text)
    """The provider the person signed in with, for ending its session at logout."""
    subject: Mapped[str] = mapped_column(Text)
    """The person's `sub` at that provider, so that the provider's administration can end the session."""
    id_token: Mapped[str | None] = mapped_column(Text)
    """Sent back as `id_token_hint` at logout, so the provider ends its session without asking."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    """The absolute end, however active the person is."""
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginAttempt(Base):
    """A login sent to the provider and not yet returned: OIDC state, nonce and PKCE verifier."""

    __tablename__ = "login_attempt"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(128))
    nonce: Mapped[str] = mapped_column(String(128))
    code_verifier: Mapped[str] = mapped_column(String(128))
    return_to: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    """A login not finished by then is deleted by the next one that starts."""
