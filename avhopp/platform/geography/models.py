"""Reference tables of Swedish geography; shared by every tenant, written only by the owner."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from avhopp.platform.models import Base


class PoliceRegion(Base):
    """One of the Swedish Police Authority's seven regions."""

    __tablename__ = "police_region"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    """ASCII slug, e.g. `bergslagen`."""
    name: Mapped[str] = mapped_column(String(64), unique=True)
    """The region's own name, e.g. `Bergslagen`."""


class County(Base):
    """A county (län); each has a county administrative board."""

    __tablename__ = "county"
    __table_args__ = (CheckConstraint("code ~ '^[0-9]{2}$'", name="code_two_digits"),)

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    police_region_code: Mapped[str] = mapped_column(ForeignKey("police_region.code"), index=True)


class Municipality(Base):
    """A municipality (kommun) with the centroid of its area and its population."""

    __tablename__ = "municipality"
    __table_args__ = (
        CheckConstraint("code ~ '^[0-9]{4}$'", name="code_four_digits"),
        CheckConstraint("latitude BETWEEN 55 AND 69.1 AND longitude BETWEEN 10.9 AND 24.2", name="inside_sweden"),
        CheckConstraint("population IS NULL OR population > 0", name="population_positive"),
    )

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    county_code: Mapped[str] = mapped_column(ForeignKey("county.code"), index=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    population: Mapped[int | None] = mapped_column(Integer)
