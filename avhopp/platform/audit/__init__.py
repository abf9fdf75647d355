"""The audit trail: append-only, hash-chained per tenant, verifiable, and visible to auditors.

Record with `record` (inside a transaction) or `record_alone` (a transaction of its own); what
nobody known did is counted per day instead (`count_anonymous`), so anyone cannot grow the trail.
The web parts live in `avhopp.platform.audit.views` (AUDIT_WEB)
and the commands in `avhopp.platform.audit.cli` (audit_cli); they are not imported here, since
the authorization layer records refusals through this package and the views depend on it.
"""

from __future__ import annotations

from avhopp.platform.audit.actions import Action
from avhopp.platform.audit.counts import count_anonymous, count_anonymous_alone
from avhopp.platform.audit.trail import AuditEvent, AuditFieldError, record, record_alone

__all__ = [
    "Action",
    "AuditEvent",
    "AuditFieldError",
    "count_anonymous",
    "count_anonymous_alone",
    "record",
    "record_alone",
]
