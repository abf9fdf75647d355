"""People on the platform and the tenants they belong to.

A person is identified by the identity provider that vouches for them (issuer and
subject), never by an e-mail address: two providers may both claim the same address.
Memberships say which tenants a person belongs to and with which roles; they are managed
on the platform, not taken from the provider's claims.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from avhopp.platform.models import Base
from avhopp.platform.sealing import sealed_column

INVITEE_ADDRESS = "avhopp.tenants.invitee_address"
INVITATION_LINK = "avhopp.tenants.invitation_link"


class AppUser(Base):
    """A person who can sign in, or a machine client's system account, which nobody can.

    A machine client acts through its system account wherever a case names who acts (its team,
    the audit), so that need-to-know holds for it as for a person. The account belongs to its
    client's tenant by a membership with no roles: the client's roles are its registration's.
    """

    __tablename__ = "app_user"

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    machine_client_id: Mapped[str | None] = mapped_column(ForeignKey("idp_client.client_id"), unique=True)
    """Set for a machine client's system account: no session and no identity may ever name it."""


class UserIdentity(Base):
    """How an identity provider names a person: its issuer URL and the subject it gives them."""

    __tablename__ = "user_identity"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    user_id: Mapped[UUID] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Membership(Base):
    """A person's roles in one tenant (tenant data: row-level security applies)."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    roles: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Invitation(Base):
    """An invitation to join a tenant with given roles; used once, before it expires.

    Only the SHA-256 of the invitation's token is stored; the link holds the token. The national
    administrator's invitations (`onboarding`) are e-mailed: the address is kept sealed, for
    re-sending, and the link sealed only until its e-mail job has sent it.
    """

    __tablename__ = "invitation"
    __table_args__ = (CheckConstraint("NOT onboarding OR email_sealed IS NOT NULL", name="onboarding_has_address"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    roles: Mapped[list[str]] = mapped_column(ARRAY(Text))
    invited_by: Mapped[UUID] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    onboarding: Mapped[bool] = mapped_column(Boolean, server_default=false())
    """Made by the national administrator for a tenant's first (or an explicitly second) administrator."""
    email_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, info=sealed_column(INVITEE_ADDRESS, "token_hash"))
    link_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, info=sealed_column(INVITATION_LINK, "token_hash"))
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))
