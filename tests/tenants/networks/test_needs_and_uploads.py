"""Needs in the county (the line's and the follow-up statistics' counts, small ones hidden) and the upload forms.

The county's figures reach a space's members as counts through disclosure control, never rows, and
nothing of another county; a space across counties shows none. Documents go in through a real
multipart form, with Swedish messages for a document too large or of a refused type, nothing saved.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text

from avhopp.platform.disclosure import Rule
from avhopp.platform.problems import NotFoundError
from avhopp.tenants.networks.models import MAX_DOCUMENT_BYTES
from avhopp.tenants.networks.service import SpaceScope, county_needs, open_space
from tests.platform.idp.conftest import csrf_token
from tests.support.people import LINE_OPERATOR
from tests.tenants.networks.conftest import GOTEBORG_NATVERK, MALMO_NATVERK, VG_SAMORDNARE, TwoCounties

if TYPE_CHECKING:
    import uuid
    from collections.abc import Callable
    from contextlib import AbstractAsyncContextManager

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.tenants.networks.service import Actor
    from tests.conftest import SignIn
    from tests.support.people import NamedPerson

    ActingAs = Callable[[NamedPerson], AbstractAsyncContextManager[tuple[AsyncSession, Actor]]]

PDF = b"%PDF-1.7\n" + b"0" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100
RULE = Rule(threshold=5)


def seed_county_figures(owner_engine: Engine, tenant_ids: dict[str, uuid.UUID]) -> None:
    """Line contacts about Västra Götaland (14) and Skåne (12), and Göteborg's cases in the follow-up statistics."""
    line, goteborg = tenant_ids["stodlinjen"], tenant_ids["kommun-1480"]
    contacts = [
        *[("14", ["guidance"], ["information_given"])] * 6,
        *[("14", ["guidance", "protection"], ["referred"])] * 2,
        *[("12", ["relocation"], ["referred"])] * 9,
    ]
    cases = [
        *[(["guidance"], ["guidance"], "acute")] * 7,
        *[(["protection"], ["protection"], "long_term")] * 3,
    ]
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.tenant_id', :tenant, true)"), {"tenant": str(line)})
        for county, needs, outcomes in contacts:
            connection.execute(
                text(
                    "INSERT INTO line_contact (tenant_id, operator_id, channel, caller_type, county_code, needs,"
                    " outcomes) VALUES (:line, :operator, 'phone', 'person', :county, :needs, :outcomes)"
                ),
                {
                    "line": line,
                    "operator": LINE_OPERATOR.user_id,
                    "county": county,
                    "needs": needs,
                    "outcomes": outcomes,
                },
            )
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.tenant_id', :tenant, true)"), {"tenant": str(goteborg)})
        for number, (needs, received, phase) in enumerate(cases):
            connection.execute(
                text(
                    "INSERT INTO followup_stat_case (pseudonym, tenant_id, key_id, tenant_kind, county_code,"
                    " municipality_code, year_started, contact_source, needs, interventions_received, phase)"
                    " VALUES (:pseudonym, :tenant, 'k', 'municipality', '14', '1480', 2026, 'person', :needs,"
                    " :received, :phase)"
                ),
                {
                    "pseudonym": f"{number:064x}",
                    "tenant": goteborg,
                    "needs": needs,
                    "received": received,
                    "phase": phase,
                },
            )
        # The acute cases' follow-ups: homeless after one month, an own lease at the latest (six months),
        # and one case's twelve-month follow-up still open (not counted); the long-term cases have none done.
        points = [
            *[(number, 1, True, {"housing": "homeless", "new_crime": "unknown"}) for number in range(7)],
            *[(number, 6, True, {"housing": "own_lease", "new_crime": "none_known"}) for number in range(7)],
            (0, 12, False, None),
            *[(number, 1, False, None) for number in range(7, 10)],
        ]
        for number, months, done, answers in points:
            connection.execute(
                text(
                    "INSERT INTO followup_stat_point (pseudonym, months_after, tenant_id, due_month, done, on_time,"
                    " schema_version, answers) VALUES (:pseudonym, :months, :tenant, '2026-01-01', :done, :done,"
                    " 2, CAST(:answers AS jsonb))"
                ),
                {
                    "pseudonym": f"{number:064x}",
                    "months": months,
                    "tenant": goteborg,
                    "done": done,
                    "answers": None if answers is None else json.dumps(answers),
                },
            )


async def test_a_county_space_shows_its_county_figures_with_small_counts_hidden(
    acting_as: ActingAs, two_counties: TwoCounties, owner_engine: Engine, tenant_ids: dict[str, uuid.UUID]
) -> None:
    seed_county_figures(owner_engine, tenant_ids)
    async with acting_as(GOTEBORG_NATVERK) as (session, actor):
        figures = await county_needs(session, actor, two_counties.vg_space, RULE)
        assert figures is not None
        assert figures.county_code == "14"
        # Skåne's nine contacts are not Västra Götaland's.
        assert figures.contacts == 8
        assert {f.value: f.count for f in figures.figures("line_need")} == {"guidance": 8, "protection": None}
        assert {f.value: f.count for f in figures.figures("line_outcome")} == {
            "information_given": 6,
            "referred": None,
        }
        assert figures.cases
        # Three long-term cases would be hidden, and so the acute ones too (the total would give them
        # away): with every phase hidden, the table is too detailed to show at all.
        assert figures.withheld("case_phase")
        assert {f.value: f.count for f in figures.figures("case_need")} == {"guidance": 7, "protection": None}
        assert {f.value: f.count for f in figures.figures("case_intervention")} == {
            "guidance": 7,
            "protection": None,
        }
        # Outcomes: each case's answers at its latest completed follow-up, once per case.
        housing = figures.figures("case_outcome_housing")
        assert {f.value: f.count for f in housing} == {"own_lease": 7}
        total = figures.total("case_outcome_housing")
        assert total is not None
        assert total.count == 7
        assert {f.value: f.count for f in figures.figures("case_outcome_new_crime")} == {"none_known": 7}
        assert figures.figures("case_outcome_occupation") == []
        # The member reads counts through the function; the statistics' rows stay the national analyst's.
        assert await session.scalar(text("SELECT count(*) FROM followup_stat_case")) == 0
        with pytest.raises(NotFoundError):
            await county_needs(session, actor, two_counties.skane_space, RULE)
    async with acting_as(MALMO_NATVERK) as (session, actor):
        with pytest.raises(NotFoundError):
            await county_needs(session, actor, two_counties.vg_space, RULE)
        skane = await county_needs(session, actor, two_counties.skane_space, RULE)
        assert skane is not None
        assert skane.contacts == 9
        assert not skane.cases
    async with acting_as(VG_SAMORDNARE) as (session, actor):
        national = await open_space(session, actor, SpaceScope.NATIONAL, "De 21 samordnarnas nätverk")
        assert await county_needs(session, actor, national, RULE) is None


async def test_the_needs_page_and_api(
    sign_in: SignIn, two_counties: TwoCounties, owner_engine: Engine, tenant_ids: dict[str, uuid.UUID]
) -> None:
    seed_county_figures(owner_engine, tenant_ids)
    member = await sign_in(GOTEBORG_NATVERK)
    page = await member.get(f"/natverk/{two_counties.vg_space}/behov")
    assert page.status_code == 200, page.text
    assert "Behov i länet" in page.text
    assert "Västra Götalands län" in page.text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="app-chart"' in page.text
    assert "Ärenden: insatser som getts" in page.text
    assert "Ärenden, senaste uppföljningen: boende" in page.text
    assert "Eget hyres- eller bostadsrättskontrakt" in page.text
    assert (await member.get(f"/natverk/{two_counties.skane_space}/behov")).status_code == 404
    api = await member.get(f"/api/v1/networks/{two_counties.vg_space}/needs")
    assert api.status_code == 200, api.text
    body = api.json()
    assert body["county_code"] == "14"
    assert body["line_contacts"] == 8
    sections = {section["section"]: section for section in body["sections"]}
    assert {"value": "protection", "count": None} in sections["line_need"]["figures"]
    assert sections["case_phase"] == {"section": "case_phase", "withheld": True, "figures": [], "total": None}
    assert sections["case_outcome_housing"] == {
        "section": "case_outcome_housing",
        "withheld": False,
        "figures": [{"value": "own_lease", "count": 7}],
        "total": 7,
    }
    assert "Tabellen är för detaljerad" in page.text
    assert (await member.get(f"/api/v1/networks/{two_counties.skane_space}/needs")).status_code == 404


def document_count(owner_engine: Engine) -> tuple[int, int]:
    with owner_engine.connect() as connection:
        return tuple(
            connection.execute(
                text("SELECT (SELECT count(*) FROM network_document), (SELECT count(*) FROM network_document_version)")
            ).one()
        )


async def test_documents_through_the_upload_forms(
    sign_in: SignIn, two_counties: TwoCounties, owner_engine: Engine
) -> None:
    coordinator = await sign_in(VG_SAMORDNARE)
    space_path = f"/natverk/{two_counties.vg_space}"
    page = await coordinator.get(space_path)
    assert 'enctype="multipart/form-data"' in page.text
    token = csrf_token(page.text)
    for content, message in (
        (b"MZ\x90\x00 a program named rapport.pdf", "Dokumentet ska vara en PDF, PNG eller JPEG"),
        (b"%PDF-" + b"0" * MAX_DOCUMENT_BYTES, "Dokumentet får vara högst 10 MB."),
        (b"", "Välj ett dokument att ladda upp."),
    ):
        refused = await coordinator.client.post(
            f"{space_path}/dokument",
            data={"_csrf_token": token, "document_title": "Länsrapport"},
            files={"document_file": ("rapport.pdf", content, "application/pdf")},
        )
        assert refused.status_code == 400, refused.text
        assert message in refused.text
        assert 'id="document_file-error"' in refused.text
    assert document_count(owner_engine) == (0, 0)
    added = await coordinator.client.post(
        f"{space_path}/dokument",
        data={"_csrf_token": token, "document_title": "Länsrapport 2026"},
        files={"document_file": ("rapport.bin", PDF, "application/octet-stream")},
    )
    assert added.status_code in {302, 303}, added.text
    page = await coordinator.get(space_path)
    assert "Länsrapport 2026" in page.text
    document_id = page.text.split("/api/v1/networks/documents/")[1].split("/")[0]
    version_path = f"{space_path}/dokument/{document_id}/version"
    refused = await coordinator.client.post(
        version_path,
        data={"_csrf_token": token},
        files={f"version_{document_id}": ("ny.png", b"GIF89a not allowed", "image/png")},
    )
    assert refused.status_code == 400
    assert "Dokumentet ska vara en PDF, PNG eller JPEG" in refused.text
    versioned = await coordinator.client.post(
        version_path, data={"_csrf_token": token}, files={f"version_{document_id}": ("ny.png", PNG, "image/png")}
    )
    assert versioned.status_code in {302, 303}, versioned.text
    assert "version 2" in (await coordinator.get(space_path)).text
    assert document_count(owner_engine) == (1, 2)

    member = await sign_in(GOTEBORG_NATVERK)
    meeting_path = f"/natverk/moten/{two_counties.vg_meeting}"
    meeting = await member.get(meeting_path)
    assert "Mötets dokument" in meeting.text
    attached = await member.client.post(
        f"{meeting_path}/dokument",
        data={"_csrf_token": csrf_token(meeting.text), "document_title": "Göteborgs underlag"},
        files={"document_file": ("underlag.pdf", PDF, "application/pdf")},
    )
    assert attached.status_code in {302, 303}, attached.text
    assert "Göteborgs underlag" in (await member.get(meeting_path)).text
    # Another county's member reaches neither the space's forms nor its documents.
    malmo = await sign_in(MALMO_NATVERK)
    token = csrf_token((await malmo.get("/natverk")).text)
    for path, field in ((f"{space_path}/dokument", "document_file"), (version_path, f"version_{document_id}")):
        foreign = await malmo.client.post(
            path,
            data={"_csrf_token": token, "document_title": "Intrång"},
            files={field: ("x.pdf", PDF, "application/pdf")},
        )
        assert foreign.status_code == 404
    assert document_count(owner_engine) == (2, 3)
