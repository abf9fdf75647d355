"""The isolation harness: every route of the app, for every role, against a foreign tenant's data.

It reads the app's route table, so a route added by any module is walked without extra work.
A module that adds routes with path parameters or form fields that name objects registers how
to make a foreign object of that kind in `FOREIGN_VALUES` (parameter or field name -> attribute
of `ForeignWorld`); an unknown parameter fails the harness, so a new kind of object cannot slip
through untested.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from litestar.handlers.http_handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute

from avhopp.platform.auth.permissions import tenant_kinds_of
from avhopp.platform.identity_numbers import contains_identity_number
from tests.isolation.json_bodies import json_body_type

if TYPE_CHECKING:
    from collections.abc import Callable

    import httpx
    from litestar import Litestar

# Routes whose parameters name no tenant object (static files, API docs), with their harmless value.
NEUTRAL_PARAMETERS = {
    "file_path": "app.css",
    "path": "openapi.json",
    # The directory's published vocabularies: national, the same for every tenant.
    "taxonomy_id": "00000000-0000-0000-0000-000000000000",
    "term_id": "00000000-0000-0000-0000-000000000000",
}

# Path parameters and form fields that name tenant objects, and which foreign object fills them.
FOREIGN_VALUES = {
    "tenant_id": "tenant_id",
    "user_id": "user_id",
    "membership_id": "membership_id",
    # Directory entries that tenant B has proposed but nobody has published: only B and the
    # national coordinator may see them (published entries are public by design).
    "service_id": "draft_service_id",
    "organization_id": "draft_organization_id",
    "revision_id": "revision_id",
    "location_id": "draft_location_id",
    # The guidance line's contact and its referral to tenant B: neither is tenant A's.
    "contact_id": "line_contact_id",
    "referral_id": "referral_id",
    "callback_id": "callback_id",
    # A notification for tenant B's person: only they, acting for B, may mark it read.
    "notification_id": "notification_id",
    # Tenant B's case and what hangs on it: shared only with the organisations its consent names.
    "case_id": "case_id",
    "consent_id": "consent_id",
    "assessment_id": "assessment_id",
    "intervention_id": "intervention_id",
    "follow_up_id": "follow_up_id",
    # Placement: tenant B's unit, its case's request, the offer it made and the placement that followed
    # (received by an operation in Malmö, never by tenant A).
    "unit_id": "unit_id",
    "request_id": "request_id",
    "offer_id": "offer_id",
    "placement_id": "placement_id",
    # A national round held by tenant B (only the national coordinator's rounds are real; the
    # harness plants one elsewhere, so that the national coordinator's own door is tried too), and
    # the requests a round form names.
    "round_id": "round_id",
    "request_ids": "request_id",
    # Skåne's county network, run by Skåne's county board, with tenant B (Malmö) as member and a meeting.
    "space_id": "space_id",
    "member_id": "member_id",
    "meeting_id": "meeting_id",
    "outcome_id": "outcome_id",
    "document_id": "document_id",
    # Its knowledge exchange: a thread and an anonymised consultation, both written by tenant B.
    "thread_id": "thread_id",
    "consultation_id": "consultation_id",
    # Forms that name people for a case's team: tenant B's person is never tenant A's to choose.
    "deputy_id": "user_id",
    "responsible": "user_id",
    "deputies": "user_id",
    # A capability, not an id: whoever holds it may use it. The harness tries one it was never given.
    "token": "unknown_token",
    # Tenant B's open invitation, named by the hash of its token (as its administrators' page names it).
    "invitation_id": "invitation_id",
}

# Permissions of platform administration: the tenant registry is the platform's, not a tenant's,
# and platform administrators act on every tenant in it. Their doors are still walked for leaks.
PLATFORM_PERMISSIONS = {"platform:administer"}

# Routes that take no part in a person's session: the identity provider authenticates its own
# callers (client secrets, its own browser session) and holds no tenant data.
OUTSIDE_TENANT_SESSIONS = re.compile(r"^/idp/")


@dataclass(frozen=True)
class ForeignWorld:
    """Tenant B's private objects, and the marker values that must never reach tenant A's people.

    Ids address objects and are known to whoever tries them (they are in the request itself);
    the markers are what only tenant B knows: its person's name and address, and the person of its case.
    """

    tenant_id: uuid.UUID
    user_id: uuid.UUID
    membership_id: uuid.UUID
    draft_service_id: uuid.UUID
    draft_organization_id: uuid.UUID
    revision_id: uuid.UUID
    draft_location_id: uuid.UUID
    line_contact_id: uuid.UUID
    referral_id: uuid.UUID
    callback_id: uuid.UUID
    notification_id: uuid.UUID
    case_id: uuid.UUID
    consent_id: uuid.UUID
    assessment_id: uuid.UUID
    intervention_id: uuid.UUID
    follow_up_id: uuid.UUID
    unit_id: uuid.UUID
    request_id: uuid.UUID
    offer_id: uuid.UUID
    placement_id: uuid.UUID
    round_id: uuid.UUID
    space_id: uuid.UUID
    member_id: uuid.UUID
    meeting_id: uuid.UUID
    outcome_id: uuid.UUID
    document_id: uuid.UUID
    thread_id: uuid.UUID
    consultation_id: uuid.UUID
    markers: tuple[str, ...]
    unknown_token: str = "okand-inbjudan-0000000000000000000000000000"  # noqa: S105 - not a secret
    invitation_id: str = "0" * 64

    def value_for(self, name: str) -> str:
        if name in NEUTRAL_PARAMETERS:
            return NEUTRAL_PARAMETERS[name]
        attribute = FOREIGN_VALUES.get(name)
        if attribute is None:
            msg = f"the isolation harness does not know how to fill {name!r}: register it in FOREIGN_VALUES"
            raise LookupError(msg)
        return str(getattr(self, attribute))


@dataclass(frozen=True)
class Door:
    """One method on one route, as the harness will try it."""

    method: str
    path_template: str
    permission: str | None
    parameters: tuple[str, ...] = field(default=())
    framework: bool = False
    """Litestar's own OPTIONS answer, which carries its controller's options but no handler of ours."""
    tenant_kinds: tuple[str, ...] = field(default=())
    """The kinds of tenant the route opens in (its `opt`); empty for every kind."""
    json_body: Any = None
    """The type of the route's JSON body, if it takes one (tests/isolation/json_bodies.py)."""

    def shut_for(self, tenant_kind: str) -> bool:
        """Whether the route is bound to other kinds of tenant than `tenant_kind`."""
        return bool(self.tenant_kinds) and tenant_kind not in self.tenant_kinds

    def path(self, world: ForeignWorld) -> str:
        path = self.path_template
        for name in self.parameters:
            path = re.sub(r"\{" + re.escape(name) + r"(:[^}]*)?\}", world.value_for(name), path)
        return path


def doors(app: Litestar) -> list[Door]:
    """Every method of every HTTP route the app serves, from its route table."""
    return [
        Door(
            method=method,
            path_template=route.path,
            permission=handler.opt.get("permission"),
            parameters=tuple(route.path_parameters),
            tenant_kinds=tenant_kinds_of(handler),
            framework=_made_by_litestar(handler),
            json_body=json_body_type(handler),
        )
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
        if isinstance(handler, HTTPRouteHandler)
        for method in sorted(handler.http_methods)
    ]


def is_platform_door(door: Door) -> bool:
    """A door of platform administration (see PLATFORM_PERMISSIONS)."""
    return door.permission in PLATFORM_PERMISSIONS


def _made_by_litestar(handler: HTTPRouteHandler) -> bool:
    return handler.http_methods == {"OPTIONS"} and handler.fn.__module__.startswith("litestar.")


def is_framework_options(door: Door) -> bool:
    """Litestar answers OPTIONS itself for every route; those handlers are not ours to annotate."""
    return door.method == "OPTIONS" and door.framework


def read_as_no_identity_number(draw: Callable[[], str]) -> str:
    """A random id or token whose digits do not happen to read as a personal identity number.

    The line's forms refuse a field that holds one before anything else (one random UUID in 10,000
    does, one 64-digit hex token in 2,000): a forged value that did would be refused where its twin
    is answered, and the harness would report a difference that says nothing about tenants.
    """
    while contains_identity_number(value := draw()):
        pass
    return value


def missing_twin(world: ForeignWorld) -> ForeignWorld:
    """The same kinds of object as `world`, every one of them missing: ids and a token nobody holds.

    A write that names tenant B's object must answer exactly as it answers for one of these.
    """
    fresh = {
        name: uuid.UUID(read_as_no_identity_number(lambda: str(uuid.uuid4())))
        for name, value in vars(world).items()
        if isinstance(value, uuid.UUID)
    }
    return dataclasses.replace(
        world,
        **fresh,
        unknown_token=read_as_no_identity_number(lambda: f"okand-inbjudan-{uuid.uuid4().hex}"),
        invitation_id=read_as_no_identity_number(lambda: secrets.token_hex(32)),
        markers=(),
    )


# What differs between two answers without saying anything about the object named: the request's
# own id, the time, fresh ids and numbers the route made (a case's number counts up with each case
# opened), the form's CSRF token, the body's length.
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_CASE_NUMBER = re.compile(r"\b20[0-9]{2}-[0-9]{4}\b")
_MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:?[0-9]{2})?")
_CSRF = re.compile(r'(name="_csrf_token" value=")[^"]*(")')
_UNRELATED_HEADERS = {"date", "x-request-id", "content-length", "traceparent", "server-timing"}


@dataclass(frozen=True)
class Answer:
    """A response as an attacker compares two: status, body and headers, with the noise taken out."""

    status: int
    body: str
    headers: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, response: httpx.Response, named: ForeignWorld) -> Answer:
        """The answer, with the values of the world it named shown as `<named>`."""
        headers = tuple(
            sorted(
                (name, _plain(value, named))
                for name, value in response.headers.multi_items()
                if name.lower() not in _UNRELATED_HEADERS
            )
        )
        return cls(response.status_code, _CSRF.sub(r"\1<csrf>\2", _plain(response.text, named)), headers)

    def difference(self, other: Answer) -> str:
        """Where the two answers part, for the failure message."""
        if self.status != other.status:
            return f"status {self.status} != {other.status}"
        if self.body != other.body:
            at = next(
                (i for i, (mine, theirs) in enumerate(zip(self.body, other.body, strict=False)) if mine != theirs),
                min(len(self.body), len(other.body)),
            )
            return f"body at {at}: {self.body[at - 80 : at + 80]!r} != {other.body[at - 80 : at + 80]!r}"
        return f"headers {sorted(set(self.headers) ^ set(other.headers))}"


def _plain(text: str, named: ForeignWorld) -> str:
    for value in vars(named).values():
        if isinstance(value, uuid.UUID | str):
            text = text.replace(str(value), "<named>")
    return _CASE_NUMBER.sub("<number>", _MOMENT.sub("<time>", _UUID.sub("<id>", text)))


def forged_fields(world: ForeignWorld) -> dict[str, Any]:
    """A form or JSON body that names every known kind of foreign object (over-posting)."""
    return {name: str(getattr(world, attribute)) for name, attribute in FOREIGN_VALUES.items()}
