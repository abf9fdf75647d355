"""Who can help whom: the eligibility rules run against the seed's real operations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from avhopp.directory.catalogue.eligibility import (
    CUSTODY_ONLY_UNMET,
    DRUG_FREE_CONDITION,
    DRUG_FREE_UNMET,
    FIXED_REASONS,
    LOCAL_THREAT_CONDITION,
    LOCAL_THREAT_ONLY,
    WORKING_TOWARDS_CONDITION,
    Finding,
    Situation,
    Verdict,
    assess,
    assess_all,
)
from avhopp.directory.catalogue.seed import seed_catalogue, seed_service_id
from avhopp.directory.catalogue.vocabulary import (
    CustodyStatus,
    Intervention,
    PaymentDecision,
    SubstanceUse,
    TargetGroup,
    ThreatLevel,
    ThreatScope,
)
from avhopp.platform.labels import label
from avhopp.platform.problems import InvalidInputError
from avhopp.platform.web.i18n import translations

if TYPE_CHECKING:
    from avhopp.directory.catalogue.eligibility import Assessment
    from avhopp.directory.catalogue.entry import ServiceEntry

NON_AUTHORITY = ("exit", "passus", "kris-halmstad", "easas", "x-cons")
SURVEYED_NON_AUTHORITY = ("exit", "passus", "kris-halmstad", "easas")
"""The non-authority operations of Brå's survey, which can take a person whose threat is only local."""


def _service(key: str) -> ServiceEntry:
    wanted = seed_service_id(key)
    return next(service for item in seed_catalogue() for service in item.services if service.id == wanted)


def _situation(municipality: str, age: int = 30, **known: Any) -> Situation:
    return Situation(home_municipality_code=municipality, age=age, **known)


def _assess(key: str, situation: Situation) -> Assessment:
    return assess(_service(key), situation)


def _unmet(assessment: Assessment) -> list[str]:
    return [reason.text for reason in assessment.reasons if reason.finding is Finding.UNMET]


# Where the person is registered.


@pytest.mark.parametrize(
    ("code", "name"),
    [("1481", "Mölndal"), ("1402", "Partille"), ("1482", "Kungälv"), ("1401", "Härryda"), ("1441", "Lerum")],
)
def test_a_neighbour_of_goteborg_cannot_use_goteborgs_programme(code: str, name: str) -> None:
    assessment = _assess("kc-goteborg", _situation(code))

    assert assessment.verdict is Verdict.NOT_ELIGIBLE
    [reason] = _unmet(assessment)
    assert "Göteborg" in reason
    assert name in reason
    assert assessment.reasons[0].text == reason  # failures come first


def test_a_goteborg_resident_can_use_goteborgs_programme() -> None:
    assessment = _assess("kc-goteborg", _situation("1480"))

    assert assessment.verdict is Verdict.ELIGIBLE
    assert all(reason.finding is Finding.MET for reason in assessment.reasons)


@pytest.mark.parametrize(("code", "name"), [("1880", "Örebro"), ("1780", "Karlstad"), ("2080", "Falun")])
def test_bergslagen_takes_its_three_counties_and_stockholm_does_not(code: str, name: str) -> None:
    situation = _situation(code)

    assert _assess("polisen-bergslagen", situation).verdict is Verdict.ELIGIBLE
    stockholm = _assess("polisen-stockholm", situation)
    assert stockholm.verdict is Verdict.NOT_ELIGIBLE
    [reason] = _unmet(stockholm)
    assert "Stockholms län och Gotlands län" in reason
    assert name in reason


@pytest.mark.parametrize("code", ["0180", "0980", "0114"])
def test_stockholm_and_gotland_residents_can_use_the_stockholm_police_programme(code: str) -> None:
    assert _assess("polisen-stockholm", _situation(code)).verdict is Verdict.ELIGIBLE
    assert _assess("polisen-bergslagen", _situation(code)).verdict is Verdict.NOT_ELIGIBLE


def test_only_ones_own_municipalitys_social_services_take_the_case() -> None:
    situation = _situation("1481")

    assert _assess("socialtjanst-1481", situation).verdict is Verdict.ELIGIBLE
    assert _assess("socialtjanst-1480", situation).verdict is Verdict.NOT_ELIGIBLE


# Age.


def test_a_17_year_old_is_sent_from_the_police_programme_to_social_services() -> None:
    situation = _situation("0180", age=17)

    police = _assess("polisen-stockholm", situation)
    assert police.verdict is Verdict.NOT_ELIGIBLE
    [reason] = _unmet(police)
    assert "17 år" in reason
    assert "socialtjänsten" in reason
    assert _assess("socialtjanst-0180", situation).verdict is Verdict.ELIGIBLE
    assert _assess("personsakerhet-stockholm", situation).verdict is Verdict.ELIGIBLE


@pytest.mark.parametrize(
    ("age", "verdict"), [(17, Verdict.NOT_ELIGIBLE), (18, Verdict.ELIGIBLE), (64, Verdict.ELIGIBLE)]
)
def test_the_police_programmes_take_adults(age: int, verdict: Verdict) -> None:
    assert _assess("polisen-bergslagen", _situation("1880", age=age)).verdict is verdict
    assert _assess("kc-goteborg", _situation("1480", age=age)).verdict is verdict


# Threat.


@pytest.mark.parametrize("level", [ThreatLevel.NONE, ThreatLevel.LATENT, ThreatLevel.SERIOUS])
def test_malmo_requires_a_threat_the_police_have_confirmed(level: ThreatLevel) -> None:
    assessment = _assess("konsultationsteamet-malmo", _situation("1280", threat_level=level))

    assert assessment.verdict is Verdict.NOT_ELIGIBLE
    [reason] = _unmet(assessment)
    assert "polisen har bekräftat" in reason
    assert "ingen polisanmälan" in reason


@pytest.mark.parametrize("level", [ThreatLevel.LATENT, ThreatLevel.SERIOUS])
def test_malmo_takes_a_resident_whose_threat_the_police_confirmed(level: ThreatLevel) -> None:
    situation = _situation("1280", threat_level=level, police_confirmed_threat=True)

    assert _assess("konsultationsteamet-malmo", situation).verdict is Verdict.ELIGIBLE


def test_goteborg_requires_no_threat_at_all() -> None:
    assert _assess("kc-goteborg", _situation("1480", threat_level=ThreatLevel.NONE)).verdict is Verdict.ELIGIBLE


@pytest.mark.parametrize("key", NON_AUTHORITY)
def test_non_authority_operations_cannot_protect_a_seriously_threatened_person(key: str) -> None:
    situation = _situation("1880", threat_level=ThreatLevel.SERIOUS, payment=PaymentDecision.AGREED)

    assessment = _assess(key, situation)
    assert assessment.verdict is Verdict.NOT_ELIGIBLE
    [reason] = _unmet(assessment)
    assert "allvarlig hotbild" in reason
    assert "112" in reason


@pytest.mark.parametrize(
    ("code", "police_programme", "personal_security"),
    [
        ("1880", "polisen-bergslagen", "personsakerhet-bergslagen"),
        ("0180", "polisen-stockholm", "personsakerhet-stockholm"),
        ("0980", "polisen-stockholm", "personsakerhet-stockholm"),
        ("1480", "kc-goteborg", "personsakerhet-vast"),
    ],
)
def test_a_seriously_threatened_person_is_taken_by_the_authorities_of_their_region(
    code: str, police_programme: str, personal_security: str
) -> None:
    situation = _situation(code, threat_level=ThreatLevel.SERIOUS, threat_scope=ThreatScope.NATIONAL)

    for key in (police_programme, personal_security, f"socialtjanst-{code}"):
        assessment = _assess(key, situation)
        assert assessment.verdict is Verdict.ELIGIBLE, key
        assert any("allvarlig hotbild" in reason.text and "nationellt" in reason.text for reason in assessment.reasons)


def test_someone_threatened_outside_the_programme_areas_still_has_police_protection() -> None:
    situation = _situation("2480", threat_level=ThreatLevel.SERIOUS)  # Umeå

    eligible = {
        assessment.service_id
        for assessment in assess_all([_service(k) for k in ("personsakerhet-nord", "socialtjanst-2480")], situation)
        if assessment.verdict is Verdict.ELIGIBLE
    }
    assert eligible == {seed_service_id("personsakerhet-nord"), seed_service_id("socialtjanst-2480")}
    for key in ("polisen-stockholm", "polisen-bergslagen", "kc-goteborg", "konsultationsteamet-malmo", *NON_AUTHORITY):
        assert _assess(key, situation).verdict is Verdict.NOT_ELIGIBLE, key


@pytest.mark.parametrize("key", SURVEYED_NON_AUTHORITY)
def test_a_serious_but_local_threat_can_go_to_a_non_authority_operation_by_moving_away(key: str) -> None:
    situation = _situation(
        "1480",
        threat_level=ThreatLevel.SERIOUS,
        threat_scope=ThreatScope.LOCAL,
        police_confirmed_threat=True,
        payment=PaymentDecision.AGREED,
        target_group=TargetGroup.WHITE_POWER if key == "exit" else TargetGroup.NEIGHBOURHOOD_GROUP,
    )

    assessment = _assess(key, situation)
    assert assessment.verdict is Verdict.CONDITIONAL
    assert assessment.conditions == (LOCAL_THREAT_CONDITION,)
    assert "flytta" in LOCAL_THREAT_CONDITION


@pytest.mark.parametrize("scope", [ThreatScope.UNKNOWN, ThreatScope.REGIONAL, ThreatScope.NATIONAL])
@pytest.mark.parametrize("key", SURVEYED_NON_AUTHORITY)
def test_a_serious_threat_beyond_the_home_town_is_still_for_the_authorities(key: str, scope: ThreatScope) -> None:
    situation = _situation("1480", threat_level=ThreatLevel.SERIOUS, threat_scope=scope, payment=PaymentDecision.AGREED)

    assessment = _assess(key, situation)
    assert assessment.verdict is Verdict.NOT_ELIGIBLE
    assert _unmet(assessment) == [LOCAL_THREAT_ONLY]
    assert _assess("kc-goteborg", situation).verdict is Verdict.ELIGIBLE


def test_x_cons_which_the_survey_did_not_cover_takes_no_serious_threat_even_a_local_one() -> None:
    situation = _situation(
        "1480", threat_level=ThreatLevel.SERIOUS, threat_scope=ThreatScope.LOCAL, payment=PaymentDecision.AGREED
    )

    assert _assess("x-cons", situation).verdict is Verdict.NOT_ELIGIBLE


# Drugs.


@pytest.mark.parametrize(
    ("key", "code"), [("polisen-stockholm", "0180"), ("passus", "0180"), ("kris-halmstad", "1380")]
)
def test_active_drug_use_is_sent_to_addiction_care_first_where_drug_free_is_required(key: str, code: str) -> None:
    situation = _situation(code, substance_use=SubstanceUse.ACTIVE, payment=PaymentDecision.AGREED)

    assessment = _assess(key, situation)
    assert assessment.verdict is Verdict.NOT_ELIGIBLE
    assert _unmet(assessment) == [DRUG_FREE_UNMET]
    assert "Första steget är missbruksvård" in DRUG_FREE_UNMET
    # Social services, which give addiction care, take the person.
    social_services = _assess(f"socialtjanst-{code}", _situation(code, substance_use=SubstanceUse.ACTIVE))
    assert social_services.verdict is Verdict.ELIGIBLE


@pytest.mark.parametrize(
    ("key", "code"), [("polisen-stockholm", "0180"), ("passus", "0180"), ("kris-halmstad", "1380")]
)
def test_trying_to_stop_is_a_condition_where_drug_free_is_required(key: str, code: str) -> None:
    situation = _situation(code, substance_use=SubstanceUse.TRYING_TO_STOP, payment=PaymentDecision.AGREED)

    assessment = _assess(key, situation)
    assert assessment.verdict is Verdict.CONDITIONAL
    assert assessment.conditions == (DRUG_FREE_CONDITION,)


@pytest.mark.parametrize(("key", "code"), [("polisen-bergslagen", "1880"), ("kc-goteborg", "1480"), ("easas", "1480")])
def test_where_drug_use_need_only_decrease_trying_is_enough_and_active_use_a_condition(key: str, code: str) -> None:
    trying = _assess(key, _situation(code, substance_use=SubstanceUse.TRYING_TO_STOP, payment=PaymentDecision.AGREED))
    assert trying.verdict is Verdict.ELIGIBLE

    active = _assess(key, _situation(code, substance_use=SubstanceUse.ACTIVE, payment=PaymentDecision.AGREED))
    assert active.verdict is Verdict.CONDITIONAL
    assert active.conditions == (WORKING_TOWARDS_CONDITION,)


def test_exit_asks_nothing_about_drugs() -> None:
    situation = _situation(
        "0180", substance_use=SubstanceUse.ACTIVE, target_group=TargetGroup.WHITE_POWER, payment=PaymentDecision.AGREED
    )

    assert _assess("exit", situation).verdict is Verdict.ELIGIBLE


# Payment by the home municipality.


@pytest.mark.parametrize(
    ("payment", "verdict"),
    [
        (PaymentDecision.NOT_ASKED, Verdict.CONDITIONAL),
        (PaymentDecision.AGREED, Verdict.ELIGIBLE),
        (PaymentDecision.REFUSED, Verdict.NOT_ELIGIBLE),
    ],
)
def test_easas_depends_on_the_home_municipality_paying(payment: PaymentDecision, verdict: Verdict) -> None:
    assessment = _assess("easas", _situation("2085", payment=payment))

    assert assessment.verdict is verdict
    if verdict is Verdict.CONDITIONAL:
        [condition] = assessment.conditions
        assert "hemkommunen" in condition
        assert "betala" in condition
    if verdict is Verdict.NOT_ELIGIBLE:
        [reason] = _unmet(assessment)
        assert "hemkommunen har sagt nej" in reason


@pytest.mark.parametrize("key", NON_AUTHORITY)
def test_every_non_authority_operation_takes_the_whole_country_on_payment(key: str) -> None:
    for code in ("0180", "1480", "2480", "0980"):
        assessment = _assess(key, _situation(code))
        assert assessment.verdict is Verdict.CONDITIONAL, (key, code)
        assert any("hela landet" in reason.text for reason in assessment.reasons)


def test_the_authority_programmes_never_ask_the_municipality_to_pay() -> None:
    for key, code in (("polisen-stockholm", "0180"), ("kc-goteborg", "1480"), ("polisen-bergslagen", "1880")):
        assessment = _assess(key, _situation(code, payment=PaymentDecision.REFUSED))
        assert assessment.verdict is Verdict.ELIGIBLE, key


# The group the person leaves.


def test_exit_matches_a_white_power_leaver_and_passus_does_not() -> None:
    situation = _situation("0180", target_group=TargetGroup.WHITE_POWER, payment=PaymentDecision.AGREED)

    assert _assess("exit", situation).verdict is Verdict.ELIGIBLE
    assert _assess("passus", situation).verdict is Verdict.NOT_ELIGIBLE


@pytest.mark.parametrize(
    "group", [TargetGroup.NEIGHBOURHOOD_GROUP, TargetGroup.MC_GANG, TargetGroup.OTHER_CRIMINAL_GROUP]
)
def test_a_leaver_of_another_criminal_group_is_for_passus_not_exit(group: TargetGroup) -> None:
    situation = _situation("0180", target_group=group, payment=PaymentDecision.AGREED)

    exit_ = _assess("exit", situation)
    assert exit_.verdict is Verdict.NOT_ELIGIBLE
    [reason] = _unmet(exit_)
    assert "vit makt-miljön" in reason
    assert _assess("passus", situation).verdict is Verdict.ELIGIBLE


def test_open_services_take_a_leaver_of_any_group() -> None:
    situation = _situation("1480", target_group=TargetGroup.HONOUR_CONTEXT, payment=PaymentDecision.AGREED)

    for key in ("socialtjanst-1480", "personsakerhet-vast", "easas", "kris-halmstad"):
        assert _assess(key, situation).verdict is Verdict.ELIGIBLE, key


# Custody.


def test_in_custody_kriminalvarden_is_eligible_and_services_outside_are_for_after_release() -> None:
    situation = _situation("0180", custody=CustodyStatus.IN_CUSTODY)

    assert _assess("kriminalvarden", situation).verdict is Verdict.ELIGIBLE
    for key in ("socialtjanst-0180", "polisen-stockholm"):
        assessment = _assess(key, situation)
        assert assessment.verdict is Verdict.CONDITIONAL, key
        [condition] = assessment.conditions
        assert "frigivningen" in condition
    # KRIS visits prisons: only the payment is a condition.
    kris = _assess(
        "kris-halmstad", _situation("0180", custody=CustodyStatus.IN_CUSTODY, payment=PaymentDecision.AGREED)
    )
    assert kris.verdict is Verdict.ELIGIBLE


@pytest.mark.parametrize("code", ["0180", "1480", "2480"])
def test_kriminalvarden_is_not_for_someone_neither_in_custody_nor_on_probation(code: str) -> None:
    assessment = _assess("kriminalvarden", _situation(code))

    assert assessment.verdict is Verdict.NOT_ELIGIBLE
    assert _unmet(assessment) == [CUSTODY_ONLY_UNMET]


def test_on_probation_kriminalvarden_is_eligible_and_nothing_waits_for_release() -> None:
    situation = _situation("0180", custody=CustodyStatus.ON_PROBATION)

    for key in ("kriminalvarden", "socialtjanst-0180", "polisen-stockholm"):
        assert _assess(key, situation).verdict is Verdict.ELIGIBLE, key


# Needs.


def test_needs_narrow_the_choice() -> None:
    situation = _situation("1480", needs=frozenset({Intervention.SUPPORTED_HOUSING}), payment=PaymentDecision.AGREED)

    assert _assess("kc-goteborg", situation).verdict is Verdict.NOT_ELIGIBLE
    kris = _assess("kris-halmstad", situation)
    assert kris.verdict is Verdict.ELIGIBLE
    assert kris.offered_needs == {Intervention.SUPPORTED_HOUSING}


# The whole seed at once.


def test_across_the_whole_seed_a_goteborg_adult_has_these_doors_open() -> None:
    services = [service for item in seed_catalogue() for service in item.services]
    assessments = assess_all(services, _situation("1480"))

    assert [a.service_id for a in assessments] == [s.id for s in services]
    by_verdict: dict[Verdict, set[Any]] = {verdict: set() for verdict in Verdict}
    for assessment in assessments:
        by_verdict[assessment.verdict].add(assessment.service_id)
    assert by_verdict[Verdict.ELIGIBLE] == {
        seed_service_id(key) for key in ("kc-goteborg", "socialtjanst-1480", "personsakerhet-vast", "stodlinjen")
    }
    assert by_verdict[Verdict.CONDITIONAL] == {seed_service_id(key) for key in NON_AUTHORITY}
    assert seed_service_id("kriminalvarden") in by_verdict[Verdict.NOT_ELIGIBLE]
    assert len(by_verdict[Verdict.NOT_ELIGIBLE]) == len(services) - 4 - len(NON_AUTHORITY)
    assert all(_unmet(a) for a in assessments if a.verdict is Verdict.NOT_ELIGIBLE)


# What a situation may say.


@pytest.mark.parametrize("code", ["9999", "", "1480 ", "14"])
def test_a_situation_refuses_an_unknown_municipality(code: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        _situation(code)
    assert raised.value.field == "home_municipality_code"


@pytest.mark.parametrize("age", [-1, 121])
def test_a_situation_refuses_an_impossible_age(age: int) -> None:
    with pytest.raises(InvalidInputError) as raised:
        _situation("1480", age=age)
    assert raised.value.field == "age"


@pytest.mark.parametrize("age", [0, 120])
def test_a_situation_accepts_the_ages_at_the_edges(age: int) -> None:
    assert _situation("1480", age=age).age == age


def test_a_situation_refuses_a_confirmed_threat_that_does_not_exist() -> None:
    with pytest.raises(InvalidInputError) as raised:
        _situation("1280", threat_level=ThreatLevel.NONE, police_confirmed_threat=True)
    assert raised.value.field == "police_confirmed_threat"


def test_the_reasons_of_the_new_rules_have_english_translations() -> None:
    english = translations("en")

    for reason in FIXED_REASONS:
        assert english.gettext(reason) != reason, reason
    for value in (*SubstanceUse, *CustodyStatus):
        assert english.gettext(label(value)) != label(value), value


def test_every_reason_the_seed_gives_reads_in_english() -> None:
    # Reasons with places, ages and labels in them are translated before they are filled in.
    english = translations("en")
    services = [service for item in seed_catalogue() for service in item.services]
    situations = [
        _situation("1481", age=17, needs=frozenset({Intervention.GUIDANCE, Intervention.PROTECTED_IDENTITY})),
        _situation("1480", age=30, target_group=TargetGroup.WHITE_POWER, payment=PaymentDecision.REFUSED),
        _situation("0180", age=70, threat_level=ThreatLevel.SERIOUS, threat_scope=ThreatScope.NATIONAL),
        _situation(
            "1280", age=19, substance_use=SubstanceUse.ACTIVE, custody=CustodyStatus.IN_CUSTODY, needs=frozenset()
        ),
    ]
    seen = set()
    for situation in situations:
        for service in services:
            for reason in assess(service, situation).reasons:
                if reason.message in seen:
                    continue
                seen.add(reason.message)
                translated = reason.in_language(english.gettext)
                assert translated != reason.text, reason.text
                assert not any(word in translated for word in (" och ", "personen", "Tar emot")), translated
    assert len(seen) > 15
