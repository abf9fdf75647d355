"""The audit trail's table: one row per link of a hash chain, one chain per tenant plus the platform's."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, DateTime, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from avhopp.platform.models import Base


class AuditEntry(Base):
    """A recorded event; rows are only ever appended, through the function `audit_append`.

    The function (migration 0018) checks that each link follows its chain's head; grants and a
    trigger refuse every other change.

    `chain` is the tenant id as text, or "platform" for events before a tenant is known;
    a NULL tenant could not take part in a unique key, a text key can.
    """

    __tablename__ = "audit_event"
    __table_args__ = (
        UniqueConstraint("chain", "seq"),
        CheckConstraint("chain = COALESCE(tenant_id::text, 'platform')", name="chain_key"),
        CheckConstraint("seq >= 1", name="seq_positive"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    chain: Mapped[str] = mapped_column(Text)
    seq: Mapped[int] = mapped_column(BigInteger)
    tenant_id: Mapped[UUID | None] = mapped_column(index=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor_user_id: Mapped[UUID | None] = mapped_column()
    actor_client_id: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    object_type: Mapped[str | None] = mapped_column(Text)
    object_id: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    keyed: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    """The hash is the keyed HMAC (false only for links from before the chains were keyed)."""


class AnonymousEventCount(Base):
    """Events of nobody known (a callback without a login under way, a name no account has), counted per day.

    Recorded one by one they would let anyone grow the permanent trail at will.
    """

    __tablename__ = "audit_anonymous_count"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    action: Mapped[str] = mapped_column(Text, primary_key=True)
    reason: Mapped[str] = mapped_column(Text, primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)
