"""The audit trail's permission; the role that holds it is the tenants module's."""

from __future__ import annotations

from avhopp.platform.authz.registry import REGISTRY

AUDIT_READ = REGISTRY.permission("audit", "read", "Läsa den egna organisationens granskningslogg")
