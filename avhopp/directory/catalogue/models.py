"""The directory's tables: published entries, proposed revisions and verification reminders.

An entry is stored as its whole document (`avhopp.directory.catalogue.entry`), validated before it
is written, beside the columns that search and eligibility filter on. Published rows are
directory data: whole, they are read only acting for a tenant; anyone reads them through the
public views (`PublicOrganization`, `PublicService`: the same columns, documents without
professional-only fields; migration 0018). Only a national coordinator's reviewer publishes
them (row-level security says so too), and the owning tenant may only confirm them. Revisions
are the owner's proposals and the history of who changed what.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, aliased, mapped_column

from avhopp.directory.catalogue.vocabulary import CapacityStatus, DrugPolicy, OperationType, ServiceStatus
from avhopp.platform.labels import register_labels
from avhopp.platform.models import Base, one_of

# Name weighs most, then everything else a searcher might type (description, other names,
# the organisation, interventions and groups in Swedish). The `swedish` configuration stems.
SEARCH_VECTOR = (
    "setweight(to_tsvector('swedish'::regconfig, name), 'A')"
    " || setweight(to_tsvector('swedish'::regconfig, search_text), 'B')"
)


class RevisionSubject(enum.StrEnum):
    """What a revision changes."""

    ORGANIZATION = "organization"
    SERVICE = "service"


class RevisionStatus(enum.StrEnum):
    """Where a revision is in review."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


register_labels(
    (
        (RevisionStatus.PENDING, "Väntar på granskning"),
        (RevisionStatus.APPROVED, "Publicerad"),
        (RevisionStatus.REJECTED, "Inte godkänd"),
        (RevisionStatus.WITHDRAWN, "Tillbakadragen"),
    )
)


class PublishedOrganization(Base):
    """A published organisation; `tenant_id` is the tenant that owns and edits it."""

    __tablename__ = "directory_organization"
    __table_args__ = (CheckConstraint(one_of("operation_type", OperationType), name="operation_type_known"),)

    id: Mapped[UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    name: Mapped[str] = mapped_column(Text)
    operation_type: Mapped[str] = mapped_column(Text)
    document: Mapped[dict[str, Any]] = mapped_column(JSONB)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PublishedService(Base):
    """A published service with a column for every fact search and the eligibility verdict read."""

    __tablename__ = "directory_service"
    __table_args__ = (
        CheckConstraint(one_of("status", ServiceStatus), name="status_known"),
        CheckConstraint(one_of("operation_type", OperationType), name="operation_type_known"),
        CheckConstraint(one_of("drug_policy", DrugPolicy), name="drug_policy_known"),
        CheckConstraint(one_of("capacity", CapacityStatus), name="capacity_known"),
        Index("ix_directory_service_search", "search", postgresql_using="gin"),
        Index("ix_directory_service_catchment", "catchment_municipalities", postgresql_using="gin"),
        Index(
            "ix_directory_service_eligibility",
            "status",
            "threat_requirement",
            "accepts_serious_threat",
            "custody_only",
            "drug_policy",
            "funding_rule",
        ),
        Index("ix_directory_service_national", "status", postgresql_where=text("whole_country")),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    organization_id: Mapped[UUID] = mapped_column(ForeignKey("directory_organization.id"), index=True)
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    name: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    operation_type: Mapped[str] = mapped_column(Text)
    """The organisation's, copied so a search needs no join."""
    whole_country: Mapped[bool]
    catchment_municipalities: Mapped[list[str]] = mapped_column(ARRAY(Text))
    """Every municipality code the catchment covers; empty for the whole country."""
    minimum_age: Mapped[int | None] = mapped_column(Integer)
    maximum_age: Mapped[int | None] = mapped_column(Integer)
    target_groups: Mapped[list[str]] = mapped_column(ARRAY(Text))
    interventions: Mapped[list[str]] = mapped_column(ARRAY(Text))
    target_group_bits: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    intervention_bits: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    """The two arrays as bits (`vocabulary.bits`), so search counts facets without unnesting."""
    threat_requirement: Mapped[str] = mapped_column(Text)
    accepts_serious_threat: Mapped[bool]
    accepts_local_serious_threat: Mapped[bool] = mapped_column(server_default=text("false"))
    drug_policy: Mapped[str] = mapped_column(Text, server_default=text("'no_requirement'"))
    custody_only: Mapped[bool] = mapped_column(server_default=text("false"))
    police_report_required: Mapped[bool] = mapped_column(server_default=text("false"))
    reaches_custody: Mapped[bool] = mapped_column(server_default=text("false"))
    capacity: Mapped[str] = mapped_column(Text, server_default=text("'unknown'"))
    funding_rule: Mapped[str] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text)
    search: Mapped[str] = mapped_column(TSVECTOR, Computed(SEARCH_VECTOR, persisted=True))
    verified_on: Mapped[date | None] = mapped_column(Date, index=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSONB)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


def _public_view(name: str, table: Table) -> Table:
    """The view's columns, like the table's; views are kept out of the models' metadata (no table to create)."""
    return Table(name, MetaData(), *(Column(column.name, column.type) for column in table.columns))


PublicOrganization = aliased(
    PublishedOrganization,
    _public_view("directory_public_organization", PublishedOrganization.__table__),  # type: ignore[arg-type]
    adapt_on_names=True,
)
"""Published organisations as anyone may read them."""
PublicService = aliased(
    PublishedService,
    _public_view("directory_public_service", PublishedService.__table__),  # type: ignore[arg-type]
    adapt_on_names=True,
)
"""Published services as anyone may read them: public phones only."""


class Revision(Base):
    """A proposed document for an organisation or service, and what review made of it."""

    __tablename__ = "directory_revision"
    __table_args__ = (
        CheckConstraint(one_of("subject", RevisionSubject), name="subject_known"),
        CheckConstraint(one_of("status", RevisionStatus), name="status_known"),
        CheckConstraint("(status = 'pending') = (reviewed_at IS NULL)", name="reviewed_when_decided"),
        # One open proposal per entry: a second one would be reviewed against a stale base. Per
        # tenant, for a unique index over all tenants would confirm another tenant's unpublished draft.
        Index(
            "uq_directory_revision_pending",
            "tenant_id",
            "subject_id",
            unique=True,
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_directory_revision_queue", "status", "submitted_at"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    subject: Mapped[str] = mapped_column(Text)
    subject_id: Mapped[UUID] = mapped_column(index=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSONB)
    previous: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    """The published document the proposal was made against; None for a new entry."""
    status: Mapped[str] = mapped_column(Text, server_default=text("'pending'"))
    submitted_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))
    """None for the seed and imports, which no person submitted."""
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    reviewed_by: Mapped[UUID | None] = mapped_column(ForeignKey("app_user.id"))
    """None for the seed and imports, which the platform published on the coordinator's behalf."""
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    review_note: Mapped[str] = mapped_column(Text, server_default=text("''"))


class VerificationReminder(Base):
    """A reminder to the owner that a service has not been confirmed for six months."""

    __tablename__ = "directory_reminder"
    __table_args__ = (Index("uq_directory_reminder_service_period", "service_id", "period", unique=True),)

    id: Mapped[UUID] = mapped_column(primary_key=True, server_default=func.gen_random_uuid())
    tenant_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id"), index=True)
    service_id: Mapped[UUID] = mapped_column(ForeignKey("directory_service.id"))
    period: Mapped[date] = mapped_column(Date)
    """The first day of the month the reminder is for: one reminder per service and month."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
