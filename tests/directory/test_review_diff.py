"""The reviewer's diff names fields and values as people read them, never by their codes."""

from __future__ import annotations

import uuid
from datetime import time

from avhopp.directory.catalogue.entry import Area, OpeningHours, Phone
from avhopp.directory.catalogue.vocabulary import AreaKind, CapacityStatus, Intervention, TargetGroup, Weekday
from avhopp.directory.catalogue.web.review import changes
from tests.directory.conftest import changed, organization, service


def test_a_change_shows_labels_of_fields_vocabularies_areas_and_languages() -> None:
    owner = organization()
    before = service(owner)
    after = changed(
        before,
        catchment=(Area(AreaKind.MUNICIPALITY, "0180"), Area(AreaKind.COUNTY, "14")),
        interventions=(Intervention.GUIDANCE, Intervention.CONVERSATIONAL_SUPPORT),
        target_groups=(TargetGroup.MC_GANG,),
        capacity=CapacityStatus.FULL,
        languages=("sv", "ar", "xx"),
        police_report_required=True,
        opening_hours=(OpeningHours(uuid.uuid4(), (Weekday.MO, Weekday.FR), time(9), time(16, 30)),),
        phones=(Phone(id=uuid.uuid4(), number="031-654321", description="Jouren", public=False),),
    )

    shown = {change.field: (change.before, change.after) for change in changes(before, after)}

    assert shown["Var personen ska vara folkbokförd"] == (
        ("Hela landet",),
        ("Kommun: Stockholm", "Län: Västra Götalands län"),
    )
    assert shown["Insatser"][1] == ("Råd och vägledning", "Samtalsstöd")
    assert shown["Målgrupper"] == ((), ("MC-gäng",))
    assert shown["Språk"] == (("Svenska",), ("Svenska", "Arabiska", "xx"))
    assert shown["Kräver polisanmälan"] == (("Nej",), ("Ja",))
    assert shown["Öppettider"][1] == ("måndag, fredag 09:00–16:30",)
    assert shown["Telefonnummer"][1] == ("031-654321 (Jouren), bara för yrkesverksamma",)
    codes = {"municipality", "0180", "conversational_support", "mc_gang", "True", "False", "MO"}
    everything = " ".join(" ".join(before + after) for before, after in shown.values())
    assert not any(code in everything.split() for code in codes)


def test_a_new_entry_shows_its_filled_fields_without_ids() -> None:
    entry = service(organization())

    shown = [change.field for change in changes(None, entry)]

    assert "Namn" in shown
    assert "Beskrivning" in shown
    assert not any("_" in field or field == "id" for field in shown)
