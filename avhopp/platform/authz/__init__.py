"""Authorization: Casbin RBAC with domains (domain = tenant), with the policy in PostgreSQL.

Wiring: one AuthzEnforcer and one PolicyWatcher per process (web server and job worker), made
from the runtime engine; routes declare `opt={"permission": permission(obj, act)}` and the
guard calls `await enforcer.allows(principal, permission)`.
"""

from avhopp.platform.authz.enforcer import AuthzEnforcer, AuthzUnavailableError
from avhopp.platform.authz.policy import PolicyLoadError, client_subject, user_subject
from avhopp.platform.authz.registry import (
    REGISTRY,
    Permission,
    RoleDefinition,
    RoleNotGrantableError,
    parse_permission,
    permission,
)
from avhopp.platform.authz.watcher import PolicyWatcher

__all__ = [
    "REGISTRY",
    "AuthzEnforcer",
    "AuthzUnavailableError",
    "Permission",
    "PolicyLoadError",
    "PolicyWatcher",
    "RoleDefinition",
    "RoleNotGrantableError",
    "client_subject",
    "parse_permission",
    "permission",
    "user_subject",
]
