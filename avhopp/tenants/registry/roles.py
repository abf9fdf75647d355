"""The roles a person can hold in a tenant, with their Swedish names.

Roles are granted per tenant; what each may do is enforced by the authorization layer.
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """A role in one tenant."""

    PLATFORM_ADMIN = "platform_admin"
    TENANT_ADMIN = "tenant_admin"
    CASE_OFFICER = "case_officer"
    SECURITY_OFFICER = "security_officer"
    PLACEMENT_COORDINATOR = "placement_coordinator"
    DIRECTORY_EDITOR = "directory_editor"
    DIRECTORY_REVIEWER = "directory_reviewer"
    LINE_OPERATOR = "line_operator"
    LINE_SUPERVISOR = "line_supervisor"
    NETWORK_COORDINATOR = "network_coordinator"
    NETWORK_MEMBER = "network_member"
    AUDITOR = "auditor"
    NATIONAL_ANALYST = "national_analyst"


ROLE_NAMES: dict[Role, str] = {
    Role.PLATFORM_ADMIN: "Plattformsadministratör",
    Role.TENANT_ADMIN: "Administratör för organisationen",
    Role.CASE_OFFICER: "Handläggare",
    Role.SECURITY_OFFICER: "Säkerhetshandläggare (polisens hot- och riskbedömning)",
    Role.PLACEMENT_COORDINATOR: "Placeringssamordnare",
    Role.DIRECTORY_EDITOR: "Redaktör för katalogen",
    Role.DIRECTORY_REVIEWER: "Granskare av katalogen (nationell samordnare)",
    Role.LINE_OPERATOR: "Vägledare på stödlinjen",
    Role.LINE_SUPERVISOR: "Arbetsledare på stödlinjen",
    Role.NETWORK_COORDINATOR: "Samordnare för länsnätverket",
    Role.NETWORK_MEMBER: "Medlem i länsnätverket",
    Role.AUDITOR: "Granskare (logg)",
    Role.NATIONAL_ANALYST: "Nationell samordnare (statistik)",
}
