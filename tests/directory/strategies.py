"""Hypothesis strategies for directory entries and for the situations they are assessed against.

Every strategy draws only what `validate_service` accepts and `Situation` allows, on the real
shipped geography: all 290 municipalities, every county and every police region. Ages, of people
and of services' limits alike, cluster on the values that matter (0, 17, 18, 120 ...) so that
boundaries are hit often; catchments are small, or the whole country, so that a home
municipality is sometimes inside, sometimes outside. Services are mostly active.

By default each property runs a quick sample; with `HYPOTHESIS_PROFILE=thorough` each runs
thousands of cases. The settings are decorators on this package's tests, not a global profile.
"""

from __future__ import annotations

import os
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from avhopp.directory.catalogue.eligibility import Situation
from avhopp.directory.catalogue.entry import (
    Area,
    Contact,
    Location,
    OpeningHours,
    OrganizationEntry,
    Phone,
    ServiceEntry,
)
from avhopp.directory.catalogue.vocabulary import (
    AreaKind,
    CapacityStatus,
    ContactChannel,
    CustodyStatus,
    DrugPolicy,
    FundingRule,
    Intervention,
    OperationType,
    PaymentDecision,
    ServiceStatus,
    SubstanceUse,
    TargetGroup,
    ThreatLevel,
    ThreatRequirement,
    ThreatScope,
    Weekday,
)
from avhopp.platform.geography.reference import shipped_geography

_E = TypeVar("_E", bound=StrEnum)

_THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
PROPERTIES = settings(
    max_examples=2_000 if _THOROUGH else 100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
"""For every property in this package: fast by default, thorough on request."""

_GEOGRAPHY = shipped_geography()
MUNICIPALITY_CODES: tuple[str, ...] = tuple(sorted(m.code for m in _GEOGRAPHY.municipalities))
COUNTY_CODES: tuple[str, ...] = tuple(sorted(c.code for c in _GEOGRAPHY.counties))
POLICE_REGION_CODES: tuple[str, ...] = tuple(sorted(_GEOGRAPHY.police_regions))

WHOLE_COUNTRY = Area(AreaKind.COUNTRY)
_AGE_LIMITS = (0, 12, 15, 16, 17, 18, 19, 20, 21, 25, 26, 29, 30, 65, 119, 120)
_LANGUAGES = ("sv", "en", "ar", "so", "fi", "fa", "ti", "ku", "smj", "rom")
_WORDS = ("Avhopparverksamheten", "Exit", "Stödlinjen", "Mottagning", "Jour", "Region Väst", "Kvinnojouren")


def municipality_codes() -> st.SearchStrategy[str]:
    """Any shipped municipality code."""
    return st.sampled_from(MUNICIPALITY_CODES)


def areas() -> st.SearchStrategy[Area]:
    """An area of any kind with a known code (the whole country has none)."""
    return st.one_of(
        st.just(WHOLE_COUNTRY),
        st.builds(Area, kind=st.just(AreaKind.COUNTY), code=st.sampled_from(COUNTY_CODES)),
        st.builds(Area, kind=st.just(AreaKind.MUNICIPALITY), code=municipality_codes()),
        st.builds(Area, kind=st.just(AreaKind.POLICE_REGION), code=st.sampled_from(POLICE_REGION_CODES)),
    )


def regional_areas() -> st.SearchStrategy[Area]:
    """An area that is not the whole country."""
    return areas().filter(lambda area: area.kind is not AreaKind.COUNTRY)


def catchments(*, whole_country: bool | None = None) -> st.SearchStrategy[tuple[Area, ...]]:
    """A non-empty catchment; `whole_country` True forces, False forbids, None allows the whole country."""
    if whole_country is True:
        return st.lists(regional_areas(), max_size=2, unique=True).map(lambda rest: (WHOLE_COUNTRY, *rest))
    elements = regional_areas() if whole_country is False else areas()
    return st.lists(elements, min_size=1, max_size=4, unique=True).map(tuple)


def ages() -> st.SearchStrategy[int]:
    """An age a situation allows, often on a limit."""
    return st.one_of(st.sampled_from(_AGE_LIMITS), st.integers(0, 120))


def _ordered(pair: tuple[int | None, int | None]) -> tuple[int | None, int | None]:
    low, high = pair
    if low is not None and high is not None and low > high:
        return high, low
    return low, high


def age_ranges() -> st.SearchStrategy[tuple[int | None, int | None]]:
    """A service's (minimum_age, maximum_age): each optional, never crossed."""
    return st.tuples(st.none() | ages(), st.none() | ages()).map(_ordered)


def _enum_tuple(values: type[_E], *, min_size: int = 0, max_size: int) -> st.SearchStrategy[tuple[_E, ...]]:
    return st.lists(st.sampled_from(list(values)), min_size=min_size, max_size=max_size, unique=True).map(tuple)


def names() -> st.SearchStrategy[str]:
    """A plausible, non-blank name."""
    return st.one_of(
        st.sampled_from(_WORDS),
        st.text(st.characters(categories=["L"]), min_size=1, max_size=40),
    )


def phone_numbers() -> st.SearchStrategy[str]:
    """A phone number `validate_service` accepts."""
    return st.one_of(
        st.sampled_from(("031-365 00 00", "+46 8 123 456", "020-22 00 60", "08-401 00 00")),
        st.from_regex(r"\+?[0-9][0-9 -]{4,12}[0-9]", fullmatch=True),
    )


def emails() -> st.SearchStrategy[str]:
    """An e-mail address `validate_service` accepts."""
    return st.from_regex(r"[a-z][a-z.]{0,10}@[a-z]{1,10}\.(se|nu|org)", fullmatch=True)


def urls() -> st.SearchStrategy[str]:
    """An https address."""
    return st.from_regex(r"https://[a-z]{1,12}\.se(/[a-z0-9-]{0,12})?", fullmatch=True)


@st.composite
def opening_hours(draw: st.DrawFn) -> OpeningHours:
    """Hours that open before they close, on at least one day."""
    opens, closes = sorted(draw(st.lists(st.times(), min_size=2, max_size=2, unique=True)))
    return OpeningHours(
        id=draw(st.uuids()),
        days=draw(_enum_tuple(Weekday, max_size=7).filter(bool)),
        opens_at=opens,
        closes_at=closes,
        note=draw(st.sampled_from(("", "Utom helgdagar."))),
    )


def locations() -> st.SearchStrategy[Location]:
    """A public reception address in a known municipality."""
    return st.builds(
        Location,
        id=st.uuids(),
        name=names(),
        municipality_code=municipality_codes(),
        address=st.sampled_from(("", "Storgatan 1")),
        postal_code=st.sampled_from(("", "411 04", "41104", "981 31")),
        city=st.sampled_from(("", "Göteborg")),
    )


def phones() -> st.SearchStrategy[Phone]:
    """A valid phone entry."""
    return st.builds(Phone, id=st.uuids(), number=phone_numbers(), description=st.just(""), public=st.booleans())


def contacts() -> st.SearchStrategy[Contact]:
    """A valid contact function."""
    return st.builds(Contact, id=st.uuids(), title=names(), department=st.just(""), email=st.just("") | emails())


_DETAILS: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
    {
        "alternate_name": st.just("") | names(),
        "url": st.just("") | urls(),
        "email": st.just("") | emails(),
        "phones": st.lists(phones(), max_size=2).map(tuple),
        "contacts": st.lists(contacts(), max_size=2).map(tuple),
        "opening_hours": st.lists(opening_hours(), max_size=2).map(tuple),
        "locations": st.lists(locations(), max_size=2).map(tuple),
        "languages": st.lists(st.sampled_from(_LANGUAGES), min_size=1, max_size=3, unique=True).map(tuple),
        "verified_on": st.none() | st.dates(min_value=date(2014, 1, 1), max_value=date(2026, 12, 31)),
        "eligibility_description": st.sampled_from(("", "Kontakta oss först.")),
    }
)
_SERVICE_FIELDS: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
    {
        "id": st.uuids(),
        "organization_id": st.uuids(),
        "name": names(),
        "description": st.sampled_from(("Stöd till den som vill lämna en kriminell grupp.", "Samtal och skydd.")),
        "police_report_required": st.booleans(),
        "reaches_custody": st.booleans(),
        "custody_only": st.booleans(),
        "drug_policy": st.sampled_from(list(DrugPolicy)),
        "target_groups": _enum_tuple(TargetGroup, min_size=1, max_size=3) | st.just(()),
        "interventions": _enum_tuple(Intervention, min_size=1, max_size=8) | st.just(()),
        "channels": _enum_tuple(ContactChannel, max_size=3),
        "anonymous_contact": st.booleans(),
        "capacity": st.sampled_from(list(CapacityStatus)),
    }
)
_CATCHMENTS = catchments(whole_country=True) | catchments()
_STATUSES = st.just(ServiceStatus.ACTIVE) | st.sampled_from(list(ServiceStatus))
_THREAT_REQUIREMENTS = st.sampled_from(list(ThreatRequirement))
_FUNDING_RULES = st.sampled_from(list(FundingRule))


def services(  # noqa: PLR0913 - each keyword pins one field a property needs fixed
    *,
    catchment: st.SearchStrategy[tuple[Area, ...]] = _CATCHMENTS,
    status: st.SearchStrategy[ServiceStatus] = _STATUSES,
    threat_requirement: st.SearchStrategy[ThreatRequirement] = _THREAT_REQUIREMENTS,
    funding_rule: st.SearchStrategy[FundingRule] = _FUNDING_RULES,
    accepts_serious_threat: st.SearchStrategy[bool] = st.booleans(),  # noqa: B008 - a strategy is immutable
    details: bool = False,
) -> st.SearchStrategy[ServiceEntry]:
    """A service `validate_service` accepts; `details` adds phones, contacts, hours and locations."""
    pinned: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
        {
            "catchment": catchment,
            "status": status,
            "threat_requirement": threat_requirement,
            "funding_rule": funding_rule,
            "accepts_serious_threat": accepts_serious_threat,
        }
    )

    def build(
        parts: tuple[dict[str, Any], dict[str, Any], tuple[int | None, int | None], dict[str, Any], bool],
    ) -> ServiceEntry:
        fields, fixed, (low, high), more, local_only = parts
        # Taking a serious threat only if it is local excludes taking any serious threat.
        local = local_only and not fixed["accepts_serious_threat"]
        return ServiceEntry(
            **fields, **fixed, minimum_age=low, maximum_age=high, accepts_local_serious_threat=local, **more
        )

    return st.tuples(_SERVICE_FIELDS, pinned, age_ranges(), _DETAILS if details else st.just({}), st.booleans()).map(
        build
    )


_THREAT_LEVELS = st.sampled_from(list(ThreatLevel))
_PAYMENTS = st.sampled_from(list(PaymentDecision))
_NEEDS: st.SearchStrategy[frozenset[Intervention]] = st.frozensets(
    st.sampled_from(list(Intervention)), min_size=1, max_size=3
) | st.just(frozenset())
_SITUATION_FIELDS: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
    {
        "threat_scope": st.sampled_from(list(ThreatScope)),
        "target_group": st.sampled_from(list(TargetGroup)) | st.none(),
        "custody": st.sampled_from(list(CustodyStatus)),
        "substance_use": st.sampled_from(list(SubstanceUse)),
        "confirmed": st.booleans(),
    }
)


def situations(
    *,
    home: st.SearchStrategy[str] = municipality_codes(),  # noqa: B008 - a strategy is immutable
    age: st.SearchStrategy[int] = ages(),  # noqa: B008 - a strategy is immutable
    threat_level: st.SearchStrategy[ThreatLevel] = _THREAT_LEVELS,
    payment: st.SearchStrategy[PaymentDecision] = _PAYMENTS,
    needs: st.SearchStrategy[frozenset[Intervention]] = _NEEDS,
) -> st.SearchStrategy[Situation]:
    """A situation `Situation` accepts: the police confirm only a threat that exists."""

    def build(
        parts: tuple[str, int, ThreatLevel, PaymentDecision, frozenset[Intervention], dict[str, Any]],
    ) -> Situation:
        code, years, level, decision, wanted, rest = parts
        confirmed = bool(rest.pop("confirmed")) and level is not ThreatLevel.NONE
        return Situation(
            home_municipality_code=code,
            age=years,
            threat_level=level,
            police_confirmed_threat=confirmed,
            payment=decision,
            needs=wanted,
            **rest,
        )

    return st.tuples(home, age, threat_level, payment, needs, _SITUATION_FIELDS.map(dict)).map(build)


def organizations() -> st.SearchStrategy[OrganizationEntry]:
    """An organisation `validate_organization` accepts."""
    return st.builds(
        OrganizationEntry,
        id=st.uuids(),
        name=names(),
        description=st.just("Ideell förening som stöder avhoppare."),
        operation_type=st.sampled_from(list(OperationType)),
        alternate_name=st.just("") | names(),
        website=st.just("") | urls(),
        email=st.just("") | emails(),
        organization_number=st.just("") | st.from_regex(r"[0-9]{6}-[0-9]{4}", fullmatch=True),
    )
