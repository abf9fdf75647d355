"""Imports every module's tables so that `Base.metadata` is complete (Alembic and tests use it)."""

from avhopp.directory.catalogue import models as directory
from avhopp.directory.line import models as line
from avhopp.housing.placement import models as placement
from avhopp.platform import seed_versions
from avhopp.platform.audit import models as audit
from avhopp.platform.auth import models as auth
from avhopp.platform.authz import models as authz
from avhopp.platform.geography import models as geography
from avhopp.platform.idp import models as idp
from avhopp.platform.jobs import models as jobs
from avhopp.platform.models import Base
from avhopp.platform.notifications import models as notifications
from avhopp.platform.web import models as web
from avhopp.tenants.cases import models as cases
from avhopp.tenants.networks import exchange_models as network_exchange
from avhopp.tenants.networks import models as networks
from avhopp.tenants.registry import models as tenants
from avhopp.tenants.registry import people

__all__ = [
    "Base",
    "audit",
    "auth",
    "authz",
    "cases",
    "directory",
    "geography",
    "idp",
    "jobs",
    "line",
    "network_exchange",
    "networks",
    "notifications",
    "people",
    "placement",
    "seed_versions",
    "tenants",
    "web",
]
