"""The identity provider's own tables: accounts, clients, codes, browser sessions, signing keys.

These are system tables of the provider, not tenant data, so they carry no `tenant_id` and
no row-level security. Secrets are never stored in the clear: passwords as argon2id hashes,
client secrets and codes and session tokens as SHA-256 digests (they are random and long, so
a slow hash adds nothing), TOTP secrets and private keys sealed with AES-GCM under a key
derived from the platform's secret key (see `avhopp.platform.sealing`). The runtime role reads
neither password hashes nor sealed secrets: only through the functions of migration 0045, one
account at a time (`avhopp.platform.idp.accounts`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from avhopp.platform.models import Base
from avhopp.platform.sealing import sealed_column

TOTP_PURPOSE = "idp.totp-secret"
SIGNING_KEY_PURPOSE = "idp.signing-key"


class IdpAccount(Base):
    """A person who signs in at the provider; the account id is the `sub` of their tokens."""

    __tablename__ = "idp_account"
    __table_args__ = (
        CheckConstraint("username = lower(username)", name="username_lower_case"),
        CheckConstraint("failed_attempts >= 0", name="failed_attempts_not_negative"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    password_hash: Mapped[str] = mapped_column(Text)
    """argon2id in PHC format; rehashed at sign-in when the parameters change."""
    totp_secret_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary, info=sealed_column(TOTP_PURPOSE, "id"))
    """None until the person has enrolled an authenticator app (and again after an admin reset)."""
    has_authenticator: Mapped[bool] = mapped_column(
        Boolean, Computed("totp_secret_encrypted IS NOT NULL", persisted=True)
    )
    """Whether a TOTP secret is enrolled, for the runtime role, which may not read the secret (migration 0045)."""
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    """The time step of the last accepted code; a code for this step or an earlier one is refused."""
    failed_attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    """Consecutive failed passwords or codes since the last sign-in or lockout."""
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    password_reset_required: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    """True while the password is a temporary one an administrator handed out: the next sign-in replaces it."""
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class IdpClient(Base):
    """An OAuth2 client: the platform's web client or a machine client.

    `scope_tenant_id` and `roles` apply to machine clients (client credentials): every token
    a machine client gets is scoped to that one tenant and those roles. The column is named
    `scope_tenant_id`, not `tenant_id`, because the row is not tenant data and must not fall
    under row-level security: the provider reads every client before it knows any tenant.
    """

    __tablename__ = "idp_client"
    __table_args__ = (
        CheckConstraint(
            "NOT ('client_credentials' = ANY (grant_types)) OR scope_tenant_id IS NOT NULL",
            name="machine_client_has_tenant",
        ),
    )

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_secret_hash: Mapped[str] = mapped_column(String(64))
    """Hex SHA-256 of the secret, which is random with at least 256 bits."""
    name: Mapped[str] = mapped_column(String(200))
    redirect_uris: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    post_logout_redirect_uris: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    grant_types: Mapped[list[str]] = mapped_column(ARRAY(Text))
    scope: Mapped[str] = mapped_column(Text, server_default=text("''"))
    """Space-separated scopes the client may ask for."""
    scope_tenant_id: Mapped[UUID | None] = mapped_column(ForeignKey("tenant.id"))
    roles: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class IdpAuthorizationCode(Base):
    """An authorization code: short-lived, single use, bound to its client, redirect URI and PKCE challenge."""

    __tablename__ = "idp_authorization_code"
    __table_args__ = (
        # The OpenID nonce must not repeat for a client (replay check at the authorization endpoint).
        Index("ix_idp_authorization_code_client_id_nonce", "client_id", "nonce"),
        Index("ix_idp_authorization_code_expires_at", "expires_at"),
    )

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    """Hex SHA-256 of the code; the code itself exists only in the redirect to the client."""
    client_id: Mapped[str] = mapped_column(ForeignKey("idp_client.client_id"))
    account_id: Mapped[UUID] = mapped_column(ForeignKey("idp_account.id"))
    redirect_uri: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(Text)
    nonce: Mapped[str | None] = mapped_column(Text)
    code_challenge: Mapped[str] = mapped_column(Text)
    code_challenge_method: Mapped[str] = mapped_column(String(8))
    auth_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class IdpBrowserSession(Base):
    """The provider's own sign-in session in one browser (single sign-on and end_session)."""

    __tablename__ = "idp_browser_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    """Hex SHA-256 of the random token in the browser's cookie."""
    account_id: Mapped[UUID] = mapped_column(ForeignKey("idp_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    """When the person authenticated: the `auth_time` of tokens issued in this session."""
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class IdpSigningKey(Base):
    """A key that signs ID tokens and access tokens.

    The one with `retired_at` NULL signs; retired keys stay in the JWKS until
    `published_until`, when the last token they signed has expired.
    """

    __tablename__ = "idp_signing_key"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    private_jwk_encrypted: Mapped[bytes] = mapped_column(LargeBinary, info=sealed_column(SIGNING_KEY_PURPOSE, "kid"))
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """None while the key signs; set when it is retired."""


class IdpReset(Base):
    """A password or authenticator reset that an administrator started and the person completes by a link.

    One per account: starting another replaces it. Only the digest of the link's token is kept.
    """

    __tablename__ = "idp_reset"
    __table_args__ = (CheckConstraint("kind IN ('password', 'authenticator')", name="known_kind"),)

    account_id: Mapped[UUID] = mapped_column(ForeignKey("idp_account.id", ondelete="CASCADE"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """Hex SHA-256 of the link's random token."""
    kind: Mapped[str] = mapped_column(String(16))
    """"password": the person chooses a new password, proving the authenticator; "authenticator": the reverse."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
