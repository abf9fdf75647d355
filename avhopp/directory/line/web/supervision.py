"""For the line's supervisors and the national coordinator: statistics, quality review, note retention."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template

from avhopp.directory.catalogue.service import Intervention, TargetGroup, ThreatLevel
from avhopp.directory.line.callbacks import expiry_days, set_expiry_days
from avhopp.directory.line.permissions import LINE_KINDS, REVIEW, STATISTICS, STATISTICS_KINDS
from avhopp.directory.line.queue import supervisor_queue
from avhopp.directory.line.service import (
    contact_in_line,
    recent_contacts_in_line,
    referrals_of_line,
    retention_days,
    set_retention_days,
)
from avhopp.directory.line.statistics import DIMENSIONS, OVERLAPPING, Statistics, gather, since, statistics_of
from avhopp.directory.line.vocabulary import CallerType, Channel, Outcome, ProfessionalKind, Unanswered
from avhopp.directory.line.web.console import STATUS_LABELS, person_of
from avhopp.directory.line.web.forms import identity_number_problems
from avhopp.platform.audit import Action, AuditEvent, record
from avhopp.platform.disclosure import UNSUPPRESSED, Rule
from avhopp.platform.disclosure.exports import (
    CSV_TYPE,
    XLSX_TYPE,
    Metadata,
    Sheet,
    csv_bytes,
    record_export,
    xlsx_bytes,
)
from avhopp.platform.heavy import off_loop
from avhopp.platform.labels import label, labels_of
from avhopp.platform.problems import InvalidInputError
from avhopp.platform.scope.request import Acting, TenantScope
from avhopp.platform.times import swedish_time
from avhopp.platform.web.forms import county_choices
from avhopp.platform.web.observe import request_id_of
from avhopp.tenants.registry.service import TenantKind, tenant_ids_of_kind

if TYPE_CHECKING:
    from litestar.types import ControllerRouterHandler

_CALLBACK_BUCKETS = {
    "under_1": "Under 1 timme",
    "1_to_4": "1–4 timmar",
    "4_to_24": "4–24 timmar",
    "over_24": "Mer än ett dygn",
}


def _labels() -> dict[str, str]:
    labels = {member.value: label(member) for member in (*CallerType, *Outcome, *Channel)}
    labels |= labels_of(Intervention) | labels_of(ThreatLevel) | labels_of(TargetGroup) | labels_of(Unanswered)
    labels |= {choice.value: choice.label for choice in county_choices()}
    labels |= STATUS_LABELS | _CALLBACK_BUCKETS | {"": NOT_RECORDED}
    return labels


NOT_RECORDED = "Inte registrerat"
"""A contact with no answer saved yet (one still going on): neither "not asked" nor "unknown"."""


_TITLES = {
    "week": "Kontakter per vecka",
    "day": "Kontakter per dag",
    "caller_type": "Vem hörde av sig",
    "county": "Län",
    "threat": "Hotbild",
    "target_group": "Vilken sorts grupp",
    "need": "Behov",
    "outcome": "Utfall",
    "referral": "Remisser",
    "callback_hours": "Tid från begäran till återuppringning",
}
_DEFINITIONS = (
    ("Kontakt", "Ett samtal, en chatt eller ett mejl till stödlinjen som började under perioden."),
    ("Vecka och dag", "När kontakten började, i svensk tid; veckor enligt ISO 8601."),
    ("Län", "Det län kontakten gällde, eller Frågade inte eller Vet inte; Inte registrerat om inget svar sparades."),
    ("Hotbild och grupp", "Som vägledaren registrerade dem; Frågade inte och Vet inte räknas som egna svar."),
    ("Behov och utfall", "En kontakt kan ha flera behov och flera utfall, så de har ingen summa."),
    ("Remisser", "Remisser som stödlinjen skickade under perioden, efter var de är nu."),
    ("Tid till återuppringning", "Från begäran om återuppringning till första gången personen nåddes."),
)
_FILE_FORMATS = {"csv": (CSV_TYPE, csv_bytes), "xlsx": (XLSX_TYPE, xlsx_bytes)}


async def _figures(acting: TenantScope, rule: Rule, now: datetime) -> tuple[bool, Statistics]:
    # The route opens only in STATISTICS_KINDS: a line sees its own figures as they are, the
    # coordinator every line's under the platform's disclosure rule.
    own = acting.principal.tenant_kind == TenantKind.GUIDANCE_LINE
    lines = [acting.tenant_id] if own else await tenant_ids_of_kind(acting.session, TenantKind.GUIDANCE_LINE)
    return own, statistics_of(await gather(acting.session, lines, now), UNSUPPRESSED if own else rule)


def _period(now: datetime) -> str:
    return f"{swedish_time(since(now), '%Y-%m-%d')} – {swedish_time(now, '%Y-%m-%d')}"


async def _statistics(acting: TenantScope, state: State, errors: dict[str, str]) -> Template:
    now = datetime.now(UTC)
    own, figures = await _figures(acting, _rule(state), now)
    retention = await retention_days(acting.session, acting.tenant_id) if own else None
    expiry = await expiry_days(acting.session, acting.tenant_id) if own else None
    return Template(
        template_name="line/statistics.html",
        context={
            "statistics": figures,
            "labels": _labels(),
            "own": own,
            "rule": figures.published.rule,
            "period": _period(now),
            "sections": [(dimension, _TITLES[dimension]) for dimension in DIMENSIONS],
            "overlapping": OVERLAPPING,
            "retention": retention,
            "expiry": expiry,
            "errors": errors,
        },
        status_code=400 if errors else 200,
    )


def _days(raw: str) -> int:
    """A number of days as typed; anything else is 0, which every setting refuses with its message."""
    return int(raw) if raw.isdigit() and len(raw) <= 3 else 0  # noqa: PLR2004 - no setting reaches 1000 days


def _rule(state: State) -> Rule:
    return Rule(threshold=state.settings.disclosure_threshold)


async def _audited(request: Request[Any, Any, Any], acting: TenantScope, object_id: str) -> None:
    await record(
        acting.session,
        AuditEvent(
            Action.PERSON_READ,
            acting.tenant_id,
            person_of(acting),
            object_type="line_contact",
            object_id=object_id,
            request_id=request_id_of(request.scope) or None,
        ),
    )


@get("/linjen/statistik", opt={"permission": STATISTICS, "tenant_kinds": STATISTICS_KINDS}, include_in_schema=False)
async def statistics_page(acting: Acting, state: State) -> Template:
    """The line's own figures; for the national coordinator, all lines under disclosure control."""
    return await _statistics(acting, state, {})


async def _export(
    request: Request[Any, Any, Any], acting: TenantScope, state: State, file_format: str
) -> Response[bytes]:
    now = datetime.now(UTC)
    _, figures = await _figures(acting, _rule(state), now)
    labels = _labels()
    sheets = [
        Sheet.of(figures.published, dimension, _TITLES[dimension], lambda value: labels.get(value, value) or "–")
        for dimension in DIMENSIONS
    ]
    metadata = Metadata("Stödlinjens statistik", _period(now), _DEFINITIONS, figures.published.rule, now)
    media_type, write = _FILE_FORMATS[file_format]
    await record_export(
        acting.session,
        tenant_id=acting.tenant_id,
        actor_user_id=person_of(acting),
        statistic="line_statistics",
        file_format=file_format,
        request_id=request_id_of(request.scope) or None,
    )
    name = f"stodlinjens-statistik-{swedish_time(now, '%Y-%m-%d')}.{file_format}"
    return Response(
        await off_loop(write, metadata, sheets),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


_STATISTICS_OPT = {"permission": STATISTICS, "tenant_kinds": STATISTICS_KINDS}


@get("/linjen/statistik/csv", opt=_STATISTICS_OPT, include_in_schema=False)
async def statistics_csv(request: Request[Any, Any, Any], acting: Acting, state: State) -> Response[bytes]:
    """The page's figures as a CSV file, after its metadata; the export is audited."""
    return await _export(request, acting, state, "csv")


@get(
    "/linjen/statistik/xlsx", opt={"permission": STATISTICS, "tenant_kinds": STATISTICS_KINDS}, include_in_schema=False
)
async def statistics_xlsx(request: Request[Any, Any, Any], acting: Acting, state: State) -> Response[bytes]:
    """The page's figures as an Excel file with a metadata sheet; the export is audited."""
    return await _export(request, acting, state, "xlsx")


class SupervisionPages(Controller):
    """The line's supervisors: note retention and the audited quality review of contacts."""

    path = "/linjen"
    opt = {"permission": REVIEW, "tenant_kinds": LINE_KINDS}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    @post("/installningar")
    async def change_retention(self, request: Request[Any, Any, Any], acting: Acting, state: State) -> Response[Any]:
        """How long guidance notes are kept (1–365 days) and how long a callback stays open (1–90 days)."""
        form = await request.form()
        if problems := identity_number_problems(form):
            return await _statistics(acting, state, InvalidInputError(problems).by_field())
        raw = str(form.get("note_retention_days") or "")
        expiry = str(form.get("callback_expiry_days") or "") if "callback_expiry_days" in form else None
        try:
            async with acting.session.begin_nested():
                await set_retention_days(acting.session, acting.tenant_id, _days(raw))
                if expiry is not None:
                    await set_expiry_days(acting.session, acting.tenant_id, _days(expiry))
        except InvalidInputError as error:
            return await _statistics(acting, state, error.by_field())
        return Redirect("/linjen/statistik")

    @get("/arbetsledning")
    async def queue(self, acting: Acting) -> Template:
        """The supervisors' queue: contacts and callbacks operators lifted, referrals waiting, callbacks due."""
        now = datetime.now(UTC)
        return Template(
            template_name="line/queue.html",
            context={
                "queue": await supervisor_queue(acting.session, acting.tenant_id, now),
                "labels": _labels(),
                "status_labels": STATUS_LABELS,
            },
        )

    @get("/granskning")
    async def contacts(self, request: Request[Any, Any, Any], acting: Acting) -> Template:
        """The line's latest contacts, read-only, for quality review (the reading is audited)."""
        contacts = await recent_contacts_in_line(acting.session, acting.tenant_id)
        await _audited(request, acting, "list")
        return Template(template_name="line/review_list.html", context={"contacts": contacts, "labels": _labels()})

    @get("/granskning/{contact_id:uuid}")
    async def contact(self, request: Request[Any, Any, Any], acting: Acting, contact_id: FromPath[UUID]) -> Template:
        """One contact as recorded, with its referrals; read-only and audited."""
        contact = await contact_in_line(acting.session, acting.tenant_id, contact_id)
        referrals = await referrals_of_line(acting.session, acting.tenant_id, contact_id)
        await _audited(request, acting, str(contact_id))
        return Template(
            template_name="line/review_contact.html",
            context={
                "contact": contact,
                "referrals": referrals,
                "labels": _labels(),
                "status_labels": STATUS_LABELS,
                "professional": label(ProfessionalKind(contact.professional_kind)) if contact.professional_kind else "",
            },
        )


SUPERVISION_ROUTES: list[ControllerRouterHandler] = [statistics_page, statistics_csv, statistics_xlsx, SupervisionPages]
