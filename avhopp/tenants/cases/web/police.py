"""The police's security officers: the threat assessments asked of their region, and the form to record one.

Recording an assessment puts the officer on the case's team for the police (as joining a shared
case does), so that what they may see of it is decided like everyone else's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from avhopp.platform.problems import InvalidInputError, NotFoundError
from avhopp.platform.scope.request import Acting, TenantScope
from avhopp.platform.web.forms import Choice
from avhopp.tenants.cases.permissions import THREAT_WRITE
from avhopp.tenants.cases.service import (
    AreaKind,
    ThreatInput,
    ThreatLevel,
    ThreatScope,
    assessments_asked_of,
    join_shared_case,
    record_threat_assessment,
    shared_with_tenant,
)
from avhopp.tenants.cases.web.common import KINDS, FormReader, actor_of, choices_of, values_of
from avhopp.tenants.cases.web.places import county_choices, municipality_groups, police_region_choices

if TYPE_CHECKING:
    from avhopp.tenants.cases.models import ThreatAssessment
    from avhopp.tenants.cases.service import CaseLine

AREA_KINDS = (
    Choice(AreaKind.MUNICIPALITY.value, "Kommuner"),
    Choice(AreaKind.COUNTY.value, "Län"),
    Choice(AreaKind.POLICE_REGION.value, "Polisregioner"),
)


async def _asked(acting: TenantScope) -> tuple[list[ThreatAssessment], dict[UUID, CaseLine]]:
    asked = await assessments_asked_of(acting.session, acting.tenant_id)
    cases = {line.case_id: line for line in await shared_with_tenant(acting.session, actor_of(acting))}
    return [assessment for assessment in asked if assessment.case_id in cases], cases


async def _form_page(
    acting: TenantScope,
    assessment_id: UUID,
    form: dict[str, list[str]] | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    asked, cases = await _asked(acting)
    assessment = next((a for a in asked if a.id == assessment_id), None)
    if assessment is None:
        raise NotFoundError
    return Template(
        template_name="cases/police/assessment.html",
        context={
            "assessment": assessment,
            "line": cases[assessment.case_id],
            "levels": choices_of(ThreatLevel),
            "scopes": choices_of(ThreatScope),
            "area_kinds": AREA_KINDS,
            "municipalities": municipality_groups(),
            "counties": county_choices(),
            "police_regions": police_region_choices(),
            "form": form or {},
            "errors": errors or {},
        },
        status_code=400 if errors else 200,
    )


async def _join_and_record(acting: TenantScope, case_id: UUID, assessment_id: UUID, threat: ThreatInput) -> None:
    await join_shared_case(acting.session, actor_of(acting), case_id)
    await record_threat_assessment(acting.session, actor_of(acting), assessment_id, threat)


def _threat_from(reader: FormReader) -> ThreatInput:
    scope = reader.required("scope", ThreatScope, "Välj hur långt hotet når.")
    area_kind = None if scope == ThreatScope.NATIONAL else reader.choice("area_kind", AreaKind)
    areas = () if area_kind is None else tuple(reader.texts(f"areas_{area_kind.value}"))
    return ThreatInput(
        level=reader.required("level", ThreatLevel, "Välj hotnivå."),
        scope=scope,
        areas=areas,
        area_kind=area_kind,
        active_in_crime=reader.checked("active_in_crime"),
        suspected_of_serious_crime=reader.checked("suspected_of_serious_crime"),
        police_lead=reader.checked("police_lead"),
        reassess_on=reader.day("reassess_on"),
    )


class ThreatAssessmentPages(Controller):
    """What the police are asked to assess, under a consent that lets them contribute."""

    path = "/arenden/hotbedomningar"
    opt = {"permission": THREAT_WRITE, "tenant_kinds": KINDS}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    @get("/")
    async def asked(self, acting: Acting) -> Template:
        """The assessments asked of us and not yet recorded, oldest first."""
        asked, cases = await _asked(acting)
        return Template(template_name="cases/police/assessments.html", context={"asked": asked, "cases": cases})

    @get("/{assessment_id:uuid}")
    async def assessment(self, acting: Acting, assessment_id: FromPath[UUID]) -> Template:
        """The form for one assessment: level, scope and its areas, crime, responsibility, when to reassess."""
        return await _form_page(acting, assessment_id)

    @post("/{assessment_id:uuid}")
    async def record(
        self, request: Request[Any, Any, Any], acting: Acting, assessment_id: FromPath[UUID]
    ) -> Response[Any]:
        """Record the assessment; the case's team sees it at once."""
        asked, _cases = await _asked(acting)
        assessment = next((a for a in asked if a.id == assessment_id), None)
        if assessment is None:
            raise NotFoundError
        form = await request.form()
        reader = FormReader(form)
        threat = _threat_from(reader)
        try:
            await reader.save(
                acting.session, lambda: _join_and_record(acting, assessment.case_id, assessment_id, threat)
            )
        except InvalidInputError as error:
            return await _form_page(acting, assessment_id, values_of(form), error.by_field())
        return Redirect("/arenden/hotbedomningar")
