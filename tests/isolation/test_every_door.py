"""Try every door: each route, for a person in each role of tenant A, against tenant B's objects.

Tenant A is Göteborgs Stad, tenant B Malmö stad. Tenant B's person and membership carry
marker values that must never appear in anything tenant A's people receive, JSON or HTML.
"""

from __future__ import annotations

import dataclasses
import secrets
import uuid
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from avhopp.app import build_app
from avhopp.directory.catalogue.entry import Location, OrganizationEntry, ServiceEntry
from avhopp.directory.catalogue.seed import seed_service_id
from avhopp.housing.placement.service import Actor as PlacementActor
from avhopp.housing.placement.service import (
    RequestInput,
    UnitInput,
    UnitType,
    accept_offer,
    create_request,
    make_offer,
    register_unit,
)
from avhopp.platform.auth.sign_in_for_tests import TEST_SIGN_IN_PATH
from avhopp.platform.authz import REGISTRY
from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.times import swedish_date
from avhopp.tenants.cases.service import (
    Actor,
    Category,
    ConsentInput,
    ContactSource,
    Intake,
    Intervention,
    InterventionInput,
    MeetingInput,
    NewCase,
    PersonDetails,
    Phase,
    action_plan,
    change_phase,
    follow_ups,
    open_case,
    record_consent,
    record_meeting,
    request_threat_assessment,
)
from avhopp.tenants.networks.service import Actor as NetworkActor
from avhopp.tenants.networks.service import (
    AgeBand,
    AgendaPoint,
    ConsultationInput,
    ConsultationPhase,
    Invitation,
    MinutesStatus,
    NetworkRole,
    OutcomeInput,
    OutcomeKind,
    SpaceScope,
    add_document,
    advance_minutes,
    bring_consultation,
    draft_minutes,
    follow,
    invite_member,
    minutes_of,
    name_representatives,
    open_space,
    plan_meeting,
    reply_to_consultation,
    reply_to_thread,
    start_thread,
)
from avhopp.tenants.networks.service import MeetingInput as NetworkMeetingInput
from avhopp.tenants.registry.roles import Role
from tests.directory.conftest import organization as organization_entry
from tests.directory.conftest import service as service_entry
from tests.isolation.harness import (
    NEUTRAL_PARAMETERS,
    OUTSIDE_TENANT_SESSIONS,
    Answer,
    Door,
    ForeignWorld,
    doors,
    forged_fields,
    is_framework_options,
    is_platform_door,
    missing_twin,
    read_as_no_identity_number,
)
from tests.isolation.json_bodies import forged_json
from tests.platform.auth.conftest import BASE_URL, grant_membership
from tests.platform.idp.conftest import BROWSER, csrf_token
from tests.platform.web.conftest import SECRET_KEY
from tests.support.people import KONSULTATION_PLACERING, MALMO_SOCIALSEKRETERARE, NATIONAL, person_in

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    import httpx
    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from avhopp.platform.settings import Settings
    from tests.conftest import SignIn
    from tests.platform.auth.conftest import Browser
    from tests.support.postgres import TestDatabase

TENANT_A, TENANT_B = "kommun-1480", "kommun-1280"
# Tenant A for the roles a municipality may not grant: a guidance line of its own (the demo line
# holds the contact tenant B was referred from) and a county board.
OTHER_LINE, COUNTY_BOARD = "stodlinjen-isolering", "lansstyrelsen-14"
# Tenant B's case is shared with a police region, never with tenant A.
POLICE = "polisen-bergslagen"
# Sessions are this test's instrument, not a door to try: logging out would end the walk, and the
# test sign-in (mounted in test apps only; tests/platform/auth/test_test_sign_in.py shows the
# product app has none) would make the walker someone else.
NOT_WALKED = {("POST", "/auth/logout"), ("POST", TEST_SIGN_IN_PATH)}
REFUSALS = {401, 403, 404}
SAFE_METHODS = {"GET", "HEAD"}


@pytest.fixture
async def foreign_world(
    owner_engine: Engine,
    seeded: None,  # noqa: ARG001 - Malmö's seeded services
    sessions: async_sessionmaker[AsyncSession],
) -> ForeignWorld:
    marker = uuid.uuid4().hex[:8]
    name, email = f"Bertil Främling {marker}", f"bertil.{marker}@malmo.example"
    with owner_engine.begin() as connection:
        user_id = connection.execute(
            text("INSERT INTO app_user (display_name, email) VALUES (:name, :email) RETURNING id"),
            {"name": name, "email": email},
        ).scalar_one()
    grant_membership(owner_engine, user_id, TENANT_B, [Role.CASE_OFFICER, Role.NETWORK_MEMBER])
    with owner_engine.connect() as connection:
        tenant_id, membership_id = connection.execute(
            text(
                "SELECT t.id, m.id FROM tenant t JOIN membership m ON m.tenant_id = t.id"
                " WHERE t.slug = :slug AND m.user_id = :user"
            ).bindparams(slug=TENANT_B, user=user_id)
        ).one()
    draft = f"Malmös utkast {marker}"
    organization = organization_entry(name=draft)
    place = Location(id=uuid.uuid4(), name=f"{draft}, mottagningen", municipality_code="1280")
    service = service_entry(organization, name=f"{draft}, tjänsten", locations=(place,))
    revision_id = propose_as(owner_engine, tenant_id, organization)
    propose_as(owner_engine, tenant_id, service)
    shared = f"Delat med Malmö {marker}"
    line_contact_id, referral_id, callback_id = referral_to(owner_engine, tenant_id, user_id, shared)
    notification_id = notification_for(owner_engine, tenant_id, user_id, f"/arenden/remisser/{referral_id}")
    invitation_id = invitation_in(owner_engine, tenant_id, user_id)
    case = await case_of(sessions, owner_engine, Actor(tenant_id, user_id), marker)
    placed = await placement_of(sessions, owner_engine, PlacementActor(tenant_id, user_id), case.case_id, marker)
    network = await network_of(sessions, owner_engine, NetworkActor(tenant_id, user_id), marker)
    round_id, explained = round_of(owner_engine, tenant_id, placed.request_id, marker)
    return ForeignWorld(
        tenant_id=tenant_id,
        user_id=user_id,
        membership_id=membership_id,
        draft_service_id=service.id,
        draft_organization_id=organization.id,
        revision_id=revision_id,
        draft_location_id=place.id,
        line_contact_id=line_contact_id,
        referral_id=referral_id,
        callback_id=callback_id,
        notification_id=notification_id,
        case_id=case.case_id,
        consent_id=case.consent_id,
        assessment_id=case.assessment_id,
        intervention_id=case.intervention_id,
        follow_up_id=case.follow_up_id,
        unit_id=placed.unit_id,
        request_id=placed.request_id,
        offer_id=placed.offer_id,
        placement_id=placed.placement_id,
        round_id=round_id,
        space_id=network.space_id,
        member_id=network.member_id,
        meeting_id=network.meeting_id,
        outcome_id=network.outcome_id,
        document_id=network.document_id,
        thread_id=network.thread_id,
        consultation_id=network.consultation_id,
        invitation_id=invitation_id,
        markers=(
            name,
            email,
            draft,
            shared,
            *case.markers,
            placed.address,
            placed.dispute,
            explained,
            *network.markers,
        ),
    )


@dataclass(frozen=True)
class ForeignCase:
    case_id: uuid.UUID
    consent_id: uuid.UUID
    assessment_id: uuid.UUID
    intervention_id: uuid.UUID
    follow_up_id: uuid.UUID
    markers: tuple[str, ...]


async def case_of(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine, actor: Actor, marker: str
) -> ForeignCase:
    """Tenant B's case, shared with the police (not with tenant A): its consent, an assessment asked
    of the police, an action plan with an intervention, and follow-ups now that the work has begun."""
    person, situation = f"Cecilia Främling {marker}", f"Lämnar Malmös nätverk {marker}"
    with owner_engine.connect() as connection:
        police = connection.execute(text("SELECT id FROM tenant WHERE slug = 'polisen-bergslagen'")).scalar_one()
    today = swedish_date()
    async with context_session(sessions, RequestContext(tenant_id=actor.tenant_id, user_id=actor.user_id)) as session:
        case_id = await open_case(
            session,
            SECRET_KEY,
            actor,
            NewCase(
                ContactSource.PERSON,
                PersonDetails(name=person, personal_number="19811228-9874", address=f"Södergatan 1 {marker}"),
                Intake(situation=situation),
                deputy_id=MALMO_SOCIALSEKRETERARE.user_id,
            ),
        )
        consent_id = await record_consent(
            session,
            actor,
            case_id,
            ConsentInput(
                organisations=(police,),
                categories=tuple(Category),
                purpose=f"Skydd {marker}",
                valid_from=today - timedelta(days=1),
                valid_until=today + timedelta(days=365),
                witnessed_by=f"Vittne {marker}",
                contributors=(police,),
            ),
            SECRET_KEY,
        )
        assessment_id = await request_threat_assessment(session, actor, case_id, police)
        await record_meeting(
            session,
            actor,
            case_id,
            MeetingInput(
                today,
                person_took_part=True,
                organisations=(actor.tenant_id,),
                interventions=(InterventionInput(Intervention.CONVERSATIONAL_SUPPORT, actor.tenant_id, today),),
            ),
        )
        await change_phase(session, actor, case_id, Phase.ACUTE)
        _meetings, interventions = await action_plan(session, actor, case_id)
        schedule = await follow_ups(session, actor, case_id)
    return ForeignCase(
        case_id,
        consent_id,
        assessment_id,
        interventions[0].id,
        schedule[0].id,
        (person, situation, f"Södergatan 1 {marker}"),
    )


@dataclass(frozen=True)
class ForeignPlacement:
    unit_id: uuid.UUID
    request_id: uuid.UUID
    offer_id: uuid.UUID
    placement_id: uuid.UUID
    address: str
    dispute: str


async def placement_of(
    sessions: async_sessionmaker[AsyncSession],
    owner_engine: Engine,
    actor: PlacementActor,
    case_id: uuid.UUID,
    marker: str,
) -> ForeignPlacement:
    """Tenant B's case placed in a unit of an operation in Malmö: the unit, request, offer and placement."""
    address = f"Främlingsgatan 3 {marker}"
    operation = PlacementActor(_tenant_id(owner_engine, "konsultationsteamet-malmo"), KONSULTATION_PLACERING.user_id)
    today = swedish_date()
    unit = UnitInput(UnitType.EMERGENCY_FLAT.value, 2, today, 5000, "2480", "Umeå", 63.83, 20.26, address)
    async with context_session(sessions, RequestContext(operation.tenant_id, operation.user_id)) as session:
        unit_id = await register_unit(session, SECRET_KEY, operation, unit)
    async with context_session(sessions, RequestContext(actor.tenant_id, actor.user_id)) as session:
        wanted = RequestInput(case_id, 1, today, no_assessment_reason=f"Ingen bedömning behövs {marker}")
        request_id = await create_request(session, actor, wanted)
        offer_id = await make_offer(session, actor, request_id, unit_id)
    async with context_session(sessions, RequestContext(operation.tenant_id, operation.user_id)) as session:
        accepted = await accept_offer(session, SECRET_KEY, operation, offer_id)
    assert accepted.placement_id is not None
    dispute = f"Tvist mellan Malmö och Umeå {marker}"
    transfer_disputed(owner_engine, actor.tenant_id, accepted.placement_id, dispute)
    return ForeignPlacement(unit_id, request_id, offer_id, accepted.placement_id, address, dispute)


def round_of(owner_engine: Engine, tenant_id: uuid.UUID, request_id: uuid.UUID, marker: str) -> tuple[uuid.UUID, str]:
    """A round planted in tenant B with its request and an explanation that must never reach tenant A."""
    explained = f"Omgångens förklaring {marker}"
    with owner_engine.begin() as connection:
        round_id = connection.execute(
            text(
                "INSERT INTO housing_round (tenant_id, method, requested, placed, heuristic_placed)"
                " VALUES (:tenant, 'heuristik', 1, 0, 0) RETURNING id"
            ),
            {"tenant": tenant_id},
        ).scalar_one()
        connection.execute(
            text(
                "INSERT INTO housing_round_entry (round_id, request_id, tenant_id, requester_tenant_id, explanation)"
                " VALUES (:round, :request, :tenant, :tenant, jsonb_build_object('summary', CAST(:explained AS text)))"
            ),
            {"round": round_id, "request": request_id, "tenant": tenant_id, "explained": explained},
        )
    return round_id, explained


def transfer_disputed(owner_engine: Engine, home: uuid.UUID, placement_id: uuid.UUID, dispute: str) -> None:
    """Tenant B proposes to move the payment for its placement to Umeå; Umeå disputes (county boards 12 and 24)."""
    umea = _tenant_id(owner_engine, "kommun-2480")
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.tenant_id', :tenant, true)"), {"tenant": str(home)})
        transfer = connection.execute(
            text(
                "INSERT INTO housing_transfer (placement_id, tenant_id, receiving_tenant_id, home_county,"
                " receiving_county, proposed_by_tenant_id, transfer_on)"
                " VALUES (:placement, :home, :umea, '12', '24', :home, current_date) RETURNING id"
            ),
            {"placement": placement_id, "home": home, "umea": umea},
        ).scalar_one()
        connection.execute(text("SELECT set_config('app.tenant_id', :tenant, true)"), {"tenant": str(umea)})
        connection.execute(
            text(
                "UPDATE housing_transfer SET status = 'disputed', decided_at = now(), decided_by_tenant_id = :umea,"
                " dispute_reason = 'other', dispute_text = :dispute WHERE id = :id"
            ),
            {"umea": umea, "dispute": dispute, "id": transfer},
        )


@dataclass(frozen=True)
class ForeignNetwork:
    space_id: uuid.UUID
    member_id: uuid.UUID
    meeting_id: uuid.UUID
    outcome_id: uuid.UUID
    document_id: uuid.UUID
    thread_id: uuid.UUID
    consultation_id: uuid.UUID
    markers: tuple[str, ...]


async def network_of(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine, member: NetworkActor, marker: str
) -> ForeignNetwork:
    """Skåne's county network with tenant B as member (its person named representative) and a meeting."""
    coordinator_id = uuid.uuid4()
    with owner_engine.begin() as connection:
        connection.execute(
            text("INSERT INTO app_user (id, display_name) VALUES (:id, :name)"),
            {"id": coordinator_id, "name": f"Sara Samordnare {marker}"},
        )
    county_board = grant_membership(owner_engine, coordinator_id, "lansstyrelsen-12", [Role.NETWORK_COORDINATOR])
    coordinator = NetworkActor(county_board, coordinator_id)
    space_name, function, title, place = (
        f"Skånes nätverk {marker}",
        # In letters: a contact function refuses what could be a phone number, as eight digits may be.
        f"Samordnare {marker.translate(str.maketrans('0123456789', 'ghijklmnop'))}",
        f"Möte {marker}",
        f"Sal {marker}",
    )
    soon = datetime.now(UTC) + timedelta(days=3)
    async with context_session(sessions, RequestContext(county_board, coordinator_id)) as session:
        space_id = await open_space(session, coordinator, SpaceScope.COUNTY, space_name)
        member_id = await invite_member(
            session, coordinator, space_id, Invitation(member.tenant_id, NetworkRole.SOCIAL_SERVICES, function)
        )
    async with context_session(sessions, RequestContext(member.tenant_id, member.user_id)) as session:
        await name_representatives(session, member, member_id, [member.user_id])
    async with context_session(sessions, RequestContext(county_board, coordinator_id)) as session:
        meeting_id = await plan_meeting(
            session,
            coordinator,
            space_id,
            NetworkMeetingInput(
                title, soon, soon + timedelta(hours=1), place=place, agenda=(AgendaPoint(f"Punkt {marker}"),)
            ),
        )
        action = OutcomeInput(OutcomeKind.ACTION, f"Åtgärd {marker}", member_id, soon.date())
        await draft_minutes(session, coordinator, meeting_id, f"Protokoll {marker}", (action,))
        await advance_minutes(session, coordinator, meeting_id, MinutesStatus.APPROVED)
        await advance_minutes(session, coordinator, meeting_id, MinutesStatus.PUBLISHED)
        outcome_id = (await minutes_of(session, coordinator, meeting_id)).outcomes[0].outcome_id  # type: ignore[union-attr]
        document_id = await add_document(
            session, SECRET_KEY, coordinator, space_id, f"Dokument {marker}", b"%PDF-" + marker.encode()
        )
    # In letters, past the identifier guard: eight hex digits may read as a number or a plate.
    written = marker.translate(str.maketrans("0123456789", "ghijklmnop"))
    thread_title, thread_text, question, advice = (
        f"Tråd {written}",
        f"Fråga {written}",
        f"Hur gör ni med boende när det brådskar, {written}?",
        f"Råd {written}",
    )
    async with context_session(sessions, RequestContext(member.tenant_id, member.user_id)) as session:
        await follow(session, member, space_id, following=True)
        thread_id = await start_thread(session, member, space_id, thread_title, thread_text)
        await reply_to_thread(session, member, thread_id, f"Svar {written}")
        consultation_id = await bring_consultation(
            session,
            member,
            space_id,
            ConsultationInput(AgeBand.FROM_18_TO_20, None, ConsultationPhase.ACUTE, (), (), "1280", question),
        )
        await reply_to_consultation(session, member, consultation_id, advice)
    markers = (
        space_name,
        function,
        thread_title,
        thread_text,
        f"Svar {written}",
        question,
        advice,
        title,
        place,
        f"Punkt {marker}",
        f"Protokoll {marker}",
        f"Åtgärd {marker}",
        f"Dokument {marker}",
    )
    return ForeignNetwork(space_id, member_id, meeting_id, outcome_id, document_id, thread_id, consultation_id, markers)


def _tenant_id(owner_engine: Engine, slug: str) -> uuid.UUID:
    with owner_engine.connect() as connection:
        return uuid.UUID(
            str(connection.execute(text("SELECT id FROM tenant WHERE slug = :s"), {"s": slug}).scalar_one())
        )


def referral_to(
    owner_engine: Engine, tenant_id: uuid.UUID, operator: uuid.UUID, shared: str
) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """A contact on the guidance line, its referral to tenant B's social services, and a callback."""
    with owner_engine.begin() as connection:
        line = connection.execute(text("SELECT id FROM tenant WHERE slug = 'stodlinjen'")).scalar_one()
        connection.execute(text("SELECT set_config('app.tenant_id', :tenant, true)"), {"tenant": str(line)})
        contact = connection.execute(
            text(
                "INSERT INTO line_contact (tenant_id, operator_id, channel, caller_type)"
                " VALUES (:line, :operator, 'phone', 'person') RETURNING id"
            ),
            {"line": line, "operator": operator},
        ).scalar_one()
        service = seed_service_id("socialtjanst-1280")
        referral = connection.execute(
            text(
                "INSERT INTO line_referral (tenant_id, contact_id, target_tenant_id, service_id, consent_given,"
                " shared_information, sent_by) VALUES (:line, :contact, :b, :service, true, :shared, :operator)"
                " RETURNING id"
            ),
            {
                "line": line,
                "contact": contact,
                "b": tenant_id,
                "service": service,
                "shared": shared,
                "operator": operator,
            },
        ).scalar_one()
        callback = connection.execute(
            text(
                "INSERT INTO line_callback (tenant_id, contact_id, window_start, window_end, note)"
                " VALUES (:line, :contact, now(), now() + interval '1 hour', :note) RETURNING id"
            ),
            {"line": line, "contact": contact, "note": shared},
        ).scalar_one()
    return uuid.UUID(str(contact)), uuid.UUID(str(referral)), uuid.UUID(str(callback))


def notification_for(owner_engine: Engine, tenant_id: uuid.UUID, user_id: uuid.UUID, link: str) -> uuid.UUID:
    """An unread notification for tenant B's person."""
    notification_id = uuid.uuid4()
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.tenant_id', :tenant, true)"), {"tenant": str(tenant_id)})
        connection.execute(
            text(
                "INSERT INTO notification (id, tenant_id, user_id, kind, link)"
                " VALUES (:id, :tenant, :user, 'line_referral_received', :link)"
            ),
            {"id": notification_id, "tenant": tenant_id, "user": user_id, "link": link},
        )
    return notification_id


def invitation_in(owner_engine: Engine, tenant_id: uuid.UUID, user_id: uuid.UUID) -> str:
    """An open invitation to tenant B, made by its person; named by the hash of its token."""
    invitation_id = read_as_no_identity_number(lambda: secrets.token_hex(32))
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.tenant_id', :tenant, true)"), {"tenant": str(tenant_id)})
        connection.execute(
            text(
                "INSERT INTO invitation (token_hash, tenant_id, roles, invited_by, expires_at)"
                " VALUES (:id, :tenant, ARRAY['case_officer'], :user, now() + interval '7 days')"
            ),
            {"id": invitation_id, "tenant": tenant_id, "user": user_id},
        )
    return invitation_id


def propose_as(owner_engine: Engine, tenant_id: uuid.UUID, entry: OrganizationEntry | ServiceEntry) -> uuid.UUID:
    """A directory proposal by tenant B that awaits review."""
    subject = "service" if isinstance(entry, ServiceEntry) else "organization"
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.tenant_id', :tenant, true)"), {"tenant": str(tenant_id)})
        return uuid.UUID(
            str(
                connection.execute(
                    text(
                        "INSERT INTO directory_revision (tenant_id, subject, subject_id, document)"
                        " VALUES (:tenant, :subject, :id, CAST(:document AS jsonb)) RETURNING id"
                    ),
                    {
                        "tenant": tenant_id,
                        "subject": subject,
                        "id": entry.id,
                        "document": msgspec.json.encode(entry).decode(),
                    },
                ).scalar_one()
            )
        )


def tenant_a_for(role: Role) -> tuple[str, str]:
    """(slug, kind) of a tenant A where the role may be granted, so that its doors are tried open.

    The national coordinator sees every tenant's proposals and the national statistics by design,
    so its roles are tried from the municipality, where every door bound to its kind stays shut.
    """
    definition = REGISTRY.definition(role)
    kinds = definition.tenant_kinds if definition else frozenset()
    for slug, kind in ((TENANT_A, "municipality"), (OTHER_LINE, "guidance_line"), (COUNTY_BOARD, "county_board")):
        if kind in kinds:
            return slug, kind
    return TENANT_A, "municipality"


@contextmanager
def other_line(owner_engine: Engine) -> Iterator[None]:
    """A second guidance line, active only while its role's walk lasts (other tests count the lines)."""
    with owner_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO tenant (slug, kind, name) VALUES (:slug, 'guidance_line', 'Stödlinje för isoleringstest')"
                " ON CONFLICT (slug) DO UPDATE SET active = true"
            ),
            {"slug": OTHER_LINE},
        )
    try:
        yield
    finally:
        with owner_engine.begin() as connection:
            connection.execute(text("UPDATE tenant SET active = false WHERE slug = :slug"), {"slug": OTHER_LINE})


@pytest.fixture
async def browser_in_a(
    request: pytest.FixtureRequest, sign_in: SignIn, owner_engine: Engine
) -> AsyncIterator[tuple[Browser, str]]:
    role: Role = request.param
    slug, kind = tenant_a_for(role)
    with other_line(owner_engine) if slug == OTHER_LINE else nullcontext():
        browser = await sign_in(person_in(slug, role, key=f"a-{role.value}"))
        browser.role = role
        yield browser, kind


def role_of(browser: Browser) -> set[str]:
    return {browser.role} if browser.role else set()


async def knock(
    browser: Browser, door: Door, world: ForeignWorld, accept: dict[str, str], token: str
) -> httpx.Response:
    """The door tried once, naming `world`'s objects in its path and in any body it takes."""
    path = door.path(world)
    if door.method in SAFE_METHODS:
        return await browser.client.request(door.method, path, headers=accept)
    if door.json_body is not None:
        return await browser.client.request(
            door.method, path, json=forged_json(door.json_body, world), headers={**accept, "x-csrf-token": token}
        )
    return await browser.client.request(
        door.method, path, data={"_csrf_token": token, **forged_fields(world)}, headers=accept
    )


def leaked(response: httpx.Response, world: ForeignWorld) -> list[str]:
    exposed = response.text + " ".join(f"{k}: {v}" for k, v in response.headers.items())
    return [marker for marker in world.markers if marker in exposed]


@pytest.mark.parametrize("browser_in_a", list(Role), indirect=True, ids=[role.value for role in Role])
async def test_no_door_opens_onto_another_tenant(
    browser_in_a: tuple[Browser, str], foreign_world: ForeignWorld, owner_engine: Engine
) -> None:
    browser, kind_of_a = browser_in_a
    app = browser.client.app
    token = csrf_token((await browser.get("/konto")).text)
    tried = 0
    # Named as often as tenant B's objects, so that what a write leaves behind is alike on both sides.
    missing = missing_twin(foreign_world)
    unlike: list[str] = []
    for door in doors(app):
        if is_framework_options(door) or OUTSIDE_TENANT_SESSIONS.match(door.path_template):
            continue
        if (door.method, door.path_template) in NOT_WALKED:
            continue
        path = door.path(foreign_world)
        names_foreign_object = any(name not in NEUTRAL_PARAMETERS for name in door.parameters)
        # The route says where it opens; in any other kind of tenant it is shut whatever the role.
        shut_here = door.shut_for(kind_of_a)
        platform_admin_at_platform_door = is_platform_door(door) and Role.PLATFORM_ADMIN in role_of(browser)
        for accept in (BROWSER, {"accept": "application/json"}):
            response = await knock(browser, door, foreign_world, accept, token)
            tried += 1
            assert response.status_code < 500, f"{door.method} {path}: {response.status_code}"
            assert leaked(response, foreign_world) == [], f"{door.method} {path} leaked tenant B's data"
            if names_foreign_object and not platform_admin_at_platform_door:
                assert response.status_code in REFUSALS, f"{door.method} {path} opened for a foreign object"
            if shut_here:
                assert response.status_code in REFUSALS, f"{door.method} {path} opened in a {kind_of_a}"
            if door.method not in SAFE_METHODS and not platform_admin_at_platform_door:
                answers = (
                    Answer.of(response, foreign_world),
                    Answer.of(await knock(browser, door, missing, accept, token), missing),
                )
                if answers[0] != answers[1]:
                    where = f"{door.method} {door.path_template} ({accept['accept'][:16]})"
                    unlike.append(f"{where}: {answers[0].difference(answers[1])}")

    with owner_engine.connect() as connection:
        acting_in_b = connection.execute(
            text("SELECT count(*) FROM web_session WHERE acting_tenant_id = :b AND user_id = :a").bindparams(
                b=foreign_world.tenant_id, a=browser.user_id
            )
        ).scalar_one()
    assert acting_in_b == 0, "a forged tenant id in a form made someone act for tenant B"
    with owner_engine.begin() as connection:
        connection.execute(
            text("SELECT set_config('app.tenant_id', :b, true), set_config('app.user_id', :person, true)"),
            {"b": str(foreign_world.tenant_id), "person": str(foreign_world.user_id)},
        )
        still_unread = connection.execute(
            text("SELECT read_at IS NULL FROM notification WHERE id = :id"), {"id": foreign_world.notification_id}
        ).scalar_one()
        still_open = connection.execute(
            text("SELECT revoked_at IS NULL FROM invitation WHERE token_hash = :id"),
            {"id": foreign_world.invitation_id},
        ).scalar_one()
    assert still_unread, "someone in tenant A marked tenant B's notification read"
    assert still_open, "someone in tenant A revoked tenant B's invitation"
    assert tried > 20
    assert unlike == [], "writes that answer tenant B's objects unlike missing ones"


def test_every_route_states_its_permission(product_settings: Settings, database: TestDatabase) -> None:
    app = build_app(product_settings, database.app_url)
    undeclared = [
        f"{door.method} {door.path_template}"
        for door in doors(app)
        if door.permission is None and not is_framework_options(door)
    ]
    assert undeclared == []


async def test_framework_options_are_refused_not_answered(product_settings: Settings, database: TestDatabase) -> None:
    async with AsyncTestClient(build_app(product_settings, database.app_url), base_url=BASE_URL) as client:
        response = await client.options("/konto")
    assert response.status_code == 403


def test_every_json_door_is_tried_with_a_body_it_decodes(product_settings: Settings, database: TestDatabase) -> None:
    ids: dict[str, Any] = {
        field.name: uuid.uuid4() for field in dataclasses.fields(ForeignWorld) if field.type == "uuid.UUID"
    }
    world = ForeignWorld(**ids, markers=())
    json_doors = [door for door in doors(build_app(product_settings, database.app_url)) if door.json_body is not None]
    for door in json_doors:
        msgspec.convert(forged_json(door.json_body, world), door.json_body)
    assert any(door.path_template.startswith("/api/v1/cases/") for door in json_doors)


CASE_DOORS = ("/arenden", "/api/v1/cases")
"""Where cases are: the workspace, the case pages, the unit head's overview, the cases API."""
FIGURE_DOORS = ("/statistik/uppfoljning", "/api/v1/statistics")
"""Where the national follow-up figures are: counts only."""


async def test_the_national_analyst_reaches_no_case_through_any_route_or_table(
    sign_in: SignIn, foreign_world: ForeignWorld, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """The national coordinator's analyst reads the follow-up statistics, never a case (issue 16).

    Tried with tenant B's real case, consent, assessment, intervention and follow-up in every path
    and body, from the analyst's own tenant; then in the database, as the analyst's requests run.
    """
    analyst = person_in(NATIONAL, Role.NATIONAL_ANALYST, key="a-national-analyst")
    browser = await sign_in(analyst)
    token = csrf_token((await browser.get("/konto")).text)
    tried = 0
    for door in doors(browser.client.app):
        if is_framework_options(door) or not door.path_template.startswith(CASE_DOORS):
            continue
        for accept in (BROWSER, {"accept": "application/json"}):
            response = await knock(browser, door, foreign_world, accept, token)
            tried += 1
            assert response.status_code in REFUSALS, f"{door.method} {door.path(foreign_world)} opened"
            assert leaked(response, foreign_world) == [], f"{door.method} {door.path(foreign_world)} leaked"
    assert tried > 60
    # The doors the analyst does open, the follow-up figures, give counts and nothing of tenant B's case.
    figures = [
        door
        for door in doors(browser.client.app)
        if door.path_template.startswith(FIGURE_DOORS) and not is_framework_options(door)
    ]
    assert len(figures) >= 4
    for door in figures:
        for accept in (BROWSER, {"accept": "application/json"}):
            response = await knock(browser, door, foreign_world, accept, token)
            assert response.status_code == 200, f"{door.method} {door.path(foreign_world)}"
            assert leaked(response, foreign_world) == [], f"{door.method} {door.path(foreign_world)} leaked"
    async with context_session(sessions, RequestContext()) as session:
        national = await session.scalar(text("SELECT id FROM tenant WHERE slug = :slug"), {"slug": NATIONAL})
    async with context_session(sessions, RequestContext(national, analyst.user_id)) as session:
        tables = list(await session.scalars(text("SELECT tablename FROM pg_tables WHERE tablename LIKE 'case\\_%'")))
        assert len(tables) >= 12
        for table in tables:
            assert await session.scalar(text(f'SELECT count(*) FROM "{table}"')) == 0, table
