"""The stable codes of audited actions, with their Swedish labels for the auditor's page."""

from __future__ import annotations

import enum

from avhopp.platform.labels import register_labels


class Action(enum.StrEnum):
    """What happened. Codes are stable: stored in hashed rows, they can never be renamed."""

    LOGIN_SUCCEEDED = "auth.login_succeeded"
    LOGIN_FAILED = "auth.login_failed"
    LOGOUT = "auth.logout"
    TENANT_SWITCHED = "auth.tenant_switched"
    ACCESS_REFUSED = "authz.refused"
    ROLE_GRANTED = "tenant.role_granted"
    ROLE_REVOKED = "tenant.role_revoked"
    PERSON_READ = "person.read"
    PERSON_CHANGED = "person.changed"
    AUDIT_VIEWED = "audit.viewed"
    MEMBER_REMOVED = "tenant.member_removed"
    INVITED = "tenant.invited"
    INVITATION_ACCEPTED = "tenant.invitation_accepted"
    INVITATION_REVOKED = "tenant.invitation_revoked"
    CHANGE_REFUSED = "tenant.change_refused"
    TENANT_CREATED = "platform.tenant_created"
    TENANT_STATUS_CHANGED = "platform.tenant_status_changed"
    SIGN_IN_REFUSED = "idp.sign_in_refused"
    """The built-in provider refused an account's password or code (the reason says which)."""
    ACCOUNT_LOCKED = "idp.account_locked"
    RESET_COMPLETED = "idp.reset_completed"
    """A person finished a reset link an administrator gave them (the reason says what was set anew)."""
    STATISTICS_EXPORTED = "statistics.exported"
    """A statistic left the platform as a file; the object names the statistic, the reason the format."""


register_labels(
    (
        (Action.LOGIN_SUCCEEDED, "Inloggning"),
        (Action.LOGIN_FAILED, "Misslyckad inloggning"),
        (Action.LOGOUT, "Utloggning"),
        (Action.TENANT_SWITCHED, "Bytte organisation"),
        (Action.ACCESS_REFUSED, "Nekad åtkomst"),
        (Action.ROLE_GRANTED, "Roll tilldelad"),
        (Action.ROLE_REVOKED, "Roll borttagen"),
        (Action.PERSON_READ, "Läste personuppgifter"),
        (Action.PERSON_CHANGED, "Ändrade personuppgifter"),
        (Action.AUDIT_VIEWED, "Granskade loggen"),
        (Action.MEMBER_REMOVED, "Person borttagen ur organisationen"),
        (Action.INVITED, "Inbjudan skapad"),
        (Action.INVITATION_ACCEPTED, "Inbjudan antagen"),
        (Action.INVITATION_REVOKED, "Inbjudan återkallad"),
        (Action.CHANGE_REFUSED, "Ändring nekad"),
        (Action.TENANT_CREATED, "Organisation skapad"),
        (Action.TENANT_STATUS_CHANGED, "Organisationens status ändrad"),
        (Action.SIGN_IN_REFUSED, "Inloggning nekad (lösenord eller kod)"),
        (Action.ACCOUNT_LOCKED, "Konto låst efter för många försök"),
        (Action.RESET_COMPLETED, "Återställning slutförd via länk"),
        (Action.STATISTICS_EXPORTED, "Exporterade statistik"),
    )
)
