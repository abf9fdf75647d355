"""Imports every module's tables so that `Base.metadata` is complete (Alembic and tests use it)."""

from avhopp.platform.geography import models as geography
from avhopp.platform.jobs import models as jobs
from avhopp.platform.models import Base
from avhopp.tenants import models as tenants

__all__ = ["Base", "geography", "jobs", "tenants"]
