"""Tables of the authorization layer. None holds tenant data, so none has row-level security.

Who holds which role in which tenant lives in `membership` (and `idp_client` for machine
clients); these tables say what each role may do, which model is enforced, and the policy's
version, which triggers bump on every change that can alter a decision.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, SmallInteger, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column

from avhopp.platform.models import Base

# Plain lower-case names: no wildcard, pattern or separator can reach the policy.
_NAME = "'^[a-z][a-z_]*[a-z]$'"


class AuthzRolePermission(Base):
    """A role may do `act` on `obj`, in every tenant where it is held (a template, not a grant)."""

    __tablename__ = "authz_role_permission"
    __table_args__ = (CheckConstraint(f"role ~ {_NAME} AND obj ~ {_NAME} AND act ~ {_NAME}", name="plain_names"),)

    role: Mapped[str] = mapped_column(String(64), primary_key=True)
    obj: Mapped[str] = mapped_column(String(64), primary_key=True)
    act: Mapped[str] = mapped_column(String(64), primary_key=True)
    description: Mapped[str] = mapped_column(Text)
    """What the permission allows, in Swedish, for the roles table."""


class AuthzModel(Base):
    """The Casbin model text in force (one row), for audit."""

    __tablename__ = "authz_model"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, server_default=text("1"))
    model: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AuthzPolicyVersion(Base):
    """A counter (one row) that every change to the policy's sources increments."""

    __tablename__ = "authz_policy_version"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, server_default=text("1"))
    version: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
