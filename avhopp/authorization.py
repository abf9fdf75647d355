"""Every module's roles and permissions: importing this module completes the platform's registry.

The web app and the command line (and through it the job worker) call `complete_registry` before
anything asks the registry about roles, so a module whose part is missing fails at start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from avhopp.directory.catalogue import permissions as directory_permissions
from avhopp.directory.line import permissions as line_permissions
from avhopp.housing.placement import permissions as housing_permissions
from avhopp.platform.authz import REGISTRY
from avhopp.tenants.cases import permissions as case_permissions
from avhopp.tenants.registry import permissions as tenant_permissions

if TYPE_CHECKING:
    from avhopp.platform.authz import RoleDefinition

CONTRIBUTIONS = (tenant_permissions, case_permissions, housing_permissions, directory_permissions, line_permissions)
"""The modules' `permissions.py`, each filling the registry when imported."""


def complete_registry() -> tuple[RoleDefinition, ...]:
    """Every role, checked complete (a permission granted to a role no module defines fails here)."""
    return REGISTRY.roles()
