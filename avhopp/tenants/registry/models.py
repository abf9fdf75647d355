"""The tenant registry."""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from avhopp.platform.models import Base


class TenantKind(enum.StrEnum):
    """What kind of organisation a tenant is."""

    MUNICIPALITY = "municipality"
    OPERATION = "operation"
    COUNTY_BOARD = "county_board"
    GUIDANCE_LINE = "guidance_line"
    NATIONAL_COORDINATOR = "national_coordinator"
    OTHER_AUTHORITY = "other_authority"


_KINDS = ", ".join(f"'{kind.value}'" for kind in TenantKind)


class Tenant(Base):
    """An organisation whose data is kept apart from every other's.

    A municipality is linked to its municipality and a county board to its county; other
    kinds may name either where they belong to one.
    """

    __tablename__ = "tenant"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_KINDS})", name="kind_known"),
        CheckConstraint("kind <> 'municipality' OR municipality_code IS NOT NULL", name="municipality_has_code"),
        CheckConstraint("kind <> 'county_board' OR county_code IS NOT NULL", name="county_board_has_code"),
        CheckConstraint("slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name="slug_format"),
        # One tenant per municipality and one per county board.
        Index(
            "uq_tenant_municipality", "municipality_code", unique=True, postgresql_where=text("kind = 'municipality'")
        ),
        Index("uq_tenant_county_board", "county_code", unique=True, postgresql_where=text("kind = 'county_board'")),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    """Stable, readable key, e.g. `kommun-1480` or `lansstyrelsen-14`."""
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    municipality_code: Mapped[str | None] = mapped_column(ForeignKey("municipality.code"), index=True)
    county_code: Mapped[str | None] = mapped_column(ForeignKey("county.code"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
