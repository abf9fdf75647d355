"""The placement part's tables.

A unit's street address and a placement's exact address are sealed (AES-GCM, bound to the row).
A unit is its owner's; an offer is seen by the requester and the unit's owner; a placement by the
home organisation (its case team, checked by the cases part) and the receiving one. Everything else
(the engine's feed of free units and active placements, the receiver's re-check at acceptance) goes
through the database functions of migration 0017, which return localities and codes only.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    SmallInteger,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from avhopp.housing.placement.vocabulary import (
    DeclineReason,
    DisputeReason,
    Need,
    OfferStatus,
    RiskLevel,
    RoundStatus,
    TransferStatus,
    UnitFeature,
    UnitType,
)
from avhopp.platform.models import Base, all_of, one_of
from avhopp.platform.sealing import sealed_column

UNIT_ADDRESS = "avhopp.housing.unit_address"
PLACEMENT_ADDRESS = "avhopp.housing.placement_address"

MAX_HOUSEHOLD = 20
MAX_MONTHLY_COST = 1_000_000


class Locality(Base):
    """A town (tätort) as units name it: national reference data, no tenant's and nothing secret.

    Its code is the municipality and a digest of the name; the first unit that names it fixes its
    coordinates (two decimals, about a kilometre), so one locality is always one place.
    """

    __tablename__ = "housing_locality"
    __table_args__ = (
        CheckConstraint("length(name) BETWEEN 2 AND 100", name="name_length"),
        CheckConstraint("latitude BETWEEN 55 AND 69.5 AND longitude BETWEEN 10.5 AND 24.5", name="in_sweden"),
    )

    code: Mapped[str] = mapped_column(Text, primary_key=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"), index=True)
    name: Mapped[str] = mapped_column(Text)
    latitude: Mapped[Decimal] = mapped_column(Numeric(4, 2))
    longitude: Mapped[Decimal] = mapped_column(Numeric(4, 2))


class HousingUnit(Base):
    """A unit an organisation can offer. Other tenants and the engine see its locality, never its address."""

    __tablename__ = "housing_unit"
    __table_args__ = (
        CheckConstraint(one_of("unit_type", UnitType), name="unit_type_known"),
        CheckConstraint(all_of("features", UnitFeature), name="features_known"),
        CheckConstraint(f"max_household BETWEEN 1 AND {MAX_HOUSEHOLD}", name="max_household_sensible"),
        CheckConstraint(f"monthly_cost_sek BETWEEN 0 AND {MAX_MONTHLY_COST}", name="monthly_cost_sensible"),
        Index("ix_housing_unit_tenant", "tenant_id", "withdrawn_at"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    unit_type: Mapped[str] = mapped_column(Text)
    max_household: Mapped[int] = mapped_column(SmallInteger)
    features: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    available_from: Mapped[date] = mapped_column(Date)
    monthly_cost_sek: Mapped[int] = mapped_column(Integer)
    locality_code: Mapped[str] = mapped_column(ForeignKey("housing_locality.code"), index=True)
    address_sealed: Mapped[bytes] = mapped_column(LargeBinary, info=sealed_column(UNIT_ADDRESS, "id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Intake(Base):
    """A municipality's declaration of what it receives: a cap, a pause, who handles offers."""

    __tablename__ = "housing_intake"
    __table_args__ = (
        CheckConstraint("yearly_cap IS NULL OR yearly_cap BETWEEN 0 AND 100000", name="cap_sensible"),
        CheckConstraint("length(handled_by) BETWEEN 2 AND 200", name="handled_by_named"),
    )

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), primary_key=True)
    yearly_cap: Mapped[int | None] = mapped_column(Integer)
    """None: the engine's default from the population."""
    paused_until: Mapped[date | None] = mapped_column(Date)
    """Intake is paused up to and including this day."""
    handled_by: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))


class PlacementRequest(Base):
    """A case officer's request for a placement: the case's coded facts, never its identity."""

    __tablename__ = "housing_request"
    __table_args__ = (
        CheckConstraint(one_of("risk_level", RiskLevel), name="risk_level_known"),
        CheckConstraint("threat_level IN ('lokal', 'regional', 'nationell')", name="threat_level_known"),
        CheckConstraint(all_of("needs", Need), name="needs_known"),
        CheckConstraint(f"household_size BETWEEN 1 AND {MAX_HOUSEHOLD}", name="household_sensible"),
        CheckConstraint(
            "(risk_level <> 'unknown') OR length(no_assessment_reason) BETWEEN 10 AND 500",
            name="assessed_or_reason_given",
        ),
        Index("ix_housing_request_case", "tenant_id", "case_id"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    case_id: Mapped[UUID] = mapped_column()
    """The case in the cases part (read only through its service)."""
    origin_municipality: Mapped[str] = mapped_column(ForeignKey("municipality.code"))
    operation_municipality: Mapped[str] = mapped_column(ForeignKey("municipality.code"))
    risk_level: Mapped[str] = mapped_column(Text)
    threat_level: Mapped[str] = mapped_column(Text)
    threat_municipalities: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    threat_counties: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    threat_police_regions: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    affiliations: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    household_size: Mapped[int] = mapped_column(SmallInteger)
    needs: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    earliest_move_in: Mapped[date] = mapped_column(Date)
    acute: Mapped[bool] = mapped_column(Boolean)
    no_assessment_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Offer(Base):
    """One proposal sent to the unit's owner: what it needs to decide, no identity."""

    __tablename__ = "housing_offer"
    __table_args__ = (
        CheckConstraint(one_of("status", OfferStatus), name="status_known"),
        CheckConstraint(one_of("risk_level", RiskLevel), name="risk_level_known"),
        CheckConstraint(all_of("needs", Need), name="needs_known"),
        CheckConstraint(
            f"(status = 'declined') = (decline_reason IS NOT NULL) AND (decline_reason IS NULL OR"
            f" {one_of('decline_reason', DeclineReason)})",
            name="declined_with_reason",
        ),
        CheckConstraint("(status = 'pending') = (decided_at IS NULL)", name="decided_unless_pending"),
        # A unit is offered to one request at a time, and a request makes one offer at a time.
        Index("uq_housing_offer_pending_unit", "unit_id", unique=True, postgresql_where=text("status = 'pending'")),
        Index(
            "uq_housing_offer_pending_request", "request_id", unique=True, postgresql_where=text("status = 'pending'")
        ),
        Index("ix_housing_offer_owner", "owner_tenant_id", "status"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    """The requesting organisation."""
    owner_tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    request_id: Mapped[UUID] = mapped_column(ForeignKey("housing_request.id"), index=True)
    unit_id: Mapped[UUID] = mapped_column(ForeignKey("housing_unit.id"), index=True)
    household_size: Mapped[int] = mapped_column(SmallInteger)
    needs: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    risk_level: Mapped[str] = mapped_column(Text)
    wanted_from: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(Text, server_default=text("'pending'"))
    deadline_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decline_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Placement(Base):
    """A person living in a unit: move-in, the exact address sealed, move-out.

    Later parts (payment responsibility, national rounds) refer to a placement by its id.
    """

    __tablename__ = "housing_placement"
    __table_args__ = (
        CheckConstraint("moved_out_on IS NULL OR moved_out_on >= move_in_on", name="moves_out_after_moving_in"),
        CheckConstraint("tenant_id <> receiving_tenant_id", name="to_another_organisation"),
        # A unit houses one placement at a time.
        Index(
            "uq_housing_placement_active_unit", "unit_id", unique=True, postgresql_where=text("moved_out_on IS NULL")
        ),
        Index("ix_housing_placement_receiving", "receiving_tenant_id", "moved_out_on"),
        Index("ix_housing_placement_case", "tenant_id", "case_id"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    """The home organisation: the case's."""
    receiving_tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    request_id: Mapped[UUID] = mapped_column(ForeignKey("housing_request.id"))
    offer_id: Mapped[UUID] = mapped_column(ForeignKey("housing_offer.id"), unique=True)
    case_id: Mapped[UUID] = mapped_column()
    unit_id: Mapped[UUID] = mapped_column(ForeignKey("housing_unit.id"))
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"), index=True)
    locality_code: Mapped[str] = mapped_column(ForeignKey("housing_locality.code"))
    affiliations: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    move_in_on: Mapped[date] = mapped_column(Date)
    moved_out_on: Mapped[date | None] = mapped_column(Date)
    address_sealed: Mapped[bytes] = mapped_column(LargeBinary, info=sealed_column(PLACEMENT_ADDRESS, "id"))
    identity_shared: Mapped[bool] = mapped_column(Boolean)
    """A running consent let the receiving organisation see the identity when the offer was accepted."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))
    ended_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))


MAX_DISPUTE_TEXT = 500


class Transfer(Base):
    """A proposed transfer of payment responsibility for one placement, from a date, and its answer.

    The home municipality pays from the move-in until an agreed transfer; one side proposes, the
    other agrees or disputes. The counties are kept so that their county boards see disputes.
    Nothing in a row names or locates the person.
    """

    __tablename__ = "housing_transfer"
    __table_args__ = (
        CheckConstraint(one_of("status", TransferStatus), name="status_known"),
        CheckConstraint("tenant_id <> receiving_tenant_id", name="between_two_municipalities"),
        CheckConstraint("proposed_by_tenant_id IN (tenant_id, receiving_tenant_id)", name="proposed_by_a_side"),
        CheckConstraint("(status = 'proposed') = (decided_at IS NULL)", name="decided_unless_proposed"),
        # The side that proposed never answers its own proposal.
        CheckConstraint(
            "decided_by_tenant_id IS NULL OR (decided_by_tenant_id IN (tenant_id, receiving_tenant_id)"
            " AND decided_by_tenant_id <> proposed_by_tenant_id)",
            name="answered_by_the_other_side",
        ),
        CheckConstraint(
            f"(status = 'disputed') = (dispute_reason IS NOT NULL) AND (dispute_reason IS NULL OR"
            f" {one_of('dispute_reason', DisputeReason)})",
            name="disputed_with_reason",
        ),
        CheckConstraint(
            f"dispute_text IS NULL OR length(dispute_text) <= {MAX_DISPUTE_TEXT}", name="dispute_text_short"
        ),
        # One open proposal, and one agreed transfer, per placement.
        Index(
            "uq_housing_transfer_proposed",
            "placement_id",
            unique=True,
            postgresql_where=text("status = 'proposed'"),
        ),
        Index("uq_housing_transfer_agreed", "placement_id", unique=True, postgresql_where=text("status = 'agreed'")),
        Index("ix_housing_transfer_tenant", "tenant_id"),
        Index("ix_housing_transfer_receiving", "receiving_tenant_id"),
        # A county board's transfers, by either county (0048).
        Index("ix_housing_transfer_home_county", "home_county"),
        Index("ix_housing_transfer_receiving_county", "receiving_county"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    placement_id: Mapped[UUID] = mapped_column(ForeignKey("housing_placement.id"))
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    """The home municipality: the case's and the placement's."""
    receiving_tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    """The municipality where the placement is (the unit's owner may be an operation in it)."""
    home_county: Mapped[str] = mapped_column(ForeignKey("county.code"))
    receiving_county: Mapped[str] = mapped_column(ForeignKey("county.code"))
    proposed_by_tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    transfer_on: Mapped[date] = mapped_column(Date)
    """The first day the receiving municipality pays."""
    status: Mapped[str] = mapped_column(Text, server_default=text("'proposed'"))
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    proposed_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))
    decided_by_tenant_id: Mapped[UUID | None] = mapped_column(ForeignKey("tenant.id"))
    dispute_reason: Mapped[str | None] = mapped_column(Text)
    dispute_text: Mapped[str | None] = mapped_column(Text)


class RateWindow(Base):
    """Shortlists asked for in one minute, by one person or by the whole tenant: shared by every process."""

    __tablename__ = "housing_rate_window"

    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), primary_key=True)
    subject: Mapped[str] = mapped_column(Text, primary_key=True)
    """A person's id, or "tenant"."""
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)


class Round(Base):
    """A national round: open requests the national coordinator gathered and the engine solved jointly."""

    __tablename__ = "housing_round"
    __table_args__ = (
        CheckConstraint(one_of("status", RoundStatus), name="status_known"),
        CheckConstraint("(status = 'solved') = (decided_at IS NULL)", name="decided"),
        CheckConstraint("placed BETWEEN 0 AND requested", name="placed_counted"),
        Index("ix_housing_round_tenant", "tenant_id", "created_at"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    """The national coordinator's."""
    status: Mapped[str] = mapped_column(Text, server_default=text("'solved'"))
    method: Mapped[str] = mapped_column(Text)
    """The engine's `BatchMethod`: proven optimal, the solver's best within its limits, or the heuristic."""
    requested: Mapped[int] = mapped_column(SmallInteger)
    placed: Mapped[int] = mapped_column(SmallInteger)
    heuristic_placed: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))


class RoundEntry(Base):
    """One request of a round: the unit the engine chose (or none), its full explanation, the offer sent."""

    __tablename__ = "housing_round_entry"
    __table_args__ = (
        CheckConstraint(
            "(unit_id IS NULL) = (owner_tenant_id IS NULL) AND (offer_id IS NULL OR unit_id IS NOT NULL)",
            name="unit_owned",
        ),
        Index("ix_housing_round_entry_tenant", "tenant_id", "round_id"),
    )

    round_id: Mapped[UUID] = mapped_column(ForeignKey("housing_round.id", ondelete="CASCADE"), primary_key=True)
    request_id: Mapped[UUID] = mapped_column(ForeignKey("housing_request.id"), primary_key=True)
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    requester_tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"))
    unit_id: Mapped[UUID | None] = mapped_column(ForeignKey("housing_unit.id"))
    owner_tenant_id: Mapped[UUID | None] = mapped_column(ForeignKey("tenant.id"))
    explanation: Mapped[dict[str, Any]] = mapped_column(JSONB)
    """The engine's full explanation: it shows where others live, so every view of it is audited."""
    offer_id: Mapped[UUID | None] = mapped_column(ForeignKey("housing_offer.id"))
