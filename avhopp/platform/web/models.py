"""The rate limits' counters: one row per limit, client (an HMAC of its address) and fixed window."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from avhopp.platform.models import Base


class RateLimitWindow(Base):
    """Requests counted in one window; UNLOGGED, since counts are worth no write-ahead log."""

    __tablename__ = "rate_limit_window"
    __table_args__ = {"prefixes": ["UNLOGGED"]}  # noqa: RUF012 - SQLAlchemy's declarative form

    bucket: Mapped[str] = mapped_column(Text, primary_key=True)
    """The limit's name, e.g. `line.public_callback`."""
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
