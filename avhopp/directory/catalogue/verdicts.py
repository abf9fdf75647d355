"""The eligibility verdict as SQL, so search can order by it and cut the page in the database.

The same rules as `eligibility` (which stays the one place reasons come from), each written as
"the rule fails" and "the rule sets a condition" over the service's columns, for one situation:
the situation is known when the statement is built, so each rule becomes a plain condition on
columns (or nothing). A test checks, on generated services and situations, that the verdict here
is the engine's for every row. A change to a rule in `eligibility` must be made here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Integer, Text, and_, bindparam, case, false, func, literal, not_, or_
from sqlalchemy.dialects.postgresql import ARRAY

from avhopp.directory.catalogue.eligibility import MAX_AGE
from avhopp.directory.catalogue.vocabulary import (
    CapacityStatus,
    CustodyStatus,
    DrugPolicy,
    FundingRule,
    PaymentDecision,
    ServiceStatus,
    SubstanceUse,
    ThreatLevel,
    ThreatRequirement,
    ThreatScope,
)

if TYPE_CHECKING:
    from collections.abc import Hashable

    from avhopp.directory.catalogue.eligibility import Situation
    from avhopp.directory.catalogue.models import PublishedService

VERDICT_ELIGIBLE, VERDICT_CONDITIONAL, VERDICT_NOT_ELIGIBLE = 0, 1, 2
"""The verdicts as the database orders them, best first."""


@dataclass(frozen=True, slots=True)
class VerdictSql:
    """One situation's rules over a service's columns."""

    residence: ColumnElement[bool]
    """Where the person lives is inside the catchment."""
    others: tuple[ColumnElement[bool], ...]
    """Every other rule that can fail, each true when it does not."""
    conditions: tuple[ColumnElement[bool], ...]
    """Each true when its rule sets a condition."""
    residence_named: ColumnElement[bool]
    """The catchment names areas (else it is empty, and the engine says so instead)."""

    @property
    def passes(self) -> tuple[ColumnElement[bool], ...]:
        """Every rule that can fail: all true when none fails (usable as a filter and by indexes)."""
        return (self.residence, *self.others)

    def verdict(self, *, may_fail: bool = True) -> ColumnElement[int]:
        """0 eligible, 1 conditional, 2 not eligible; `may_fail` False when the rows are filtered on `passes`."""
        conditional = or_(false(), *self.conditions)
        if not may_fail:
            return case((conditional, literal(VERDICT_CONDITIONAL)), else_=literal(VERDICT_ELIGIBLE))
        return case(
            (not_(and_(*self.passes)), literal(VERDICT_NOT_ELIGIBLE)),
            (conditional, literal(VERDICT_CONDITIONAL)),
            else_=literal(VERDICT_ELIGIBLE),
        )

    def closed_only_by_residence(self) -> ColumnElement[bool]:
        """Not eligible only because the person lives outside the areas the service names."""
        return and_(not_(self.residence), self.residence_named, *self.others)


def situation_shape(situation: Situation) -> Hashable:
    """What `verdict_sql` builds its conditions from: two situations alike here get the same SQL.

    The other facts (age, municipality, target group, needs) are bound parameters
    (`situation_values`), so a statement built for one situation serves every other of its shape.
    """
    return (
        situation.threat_level,
        situation.threat_scope,
        situation.police_confirmed_threat,
        situation.target_group is None,
        not situation.needs,
        situation.payment,
        situation.substance_use,
        situation.custody,
    )


def situation_values(situation: Situation) -> dict[str, object]:
    """The bound parameters of `verdict_sql` for `situation`."""
    return {
        "situation_age": situation.age,
        "situation_municipality": [situation.home_municipality_code],
        "situation_target_group": [] if situation.target_group is None else [situation.target_group.value],
        "situation_needs": sorted(need.value for need in situation.needs),
    }


def verdict_sql(situation: Situation, service: type[PublishedService]) -> VerdictSql:
    """The rules of `eligibility.assess` for `situation`, over the columns of `service` (table or public view).

    The facts in `situation_values` are bound parameters, set to this situation's values.
    """
    values = situation_values(situation)
    age = bindparam("situation_age", values["situation_age"], type_=Integer)

    def listed(name: str) -> ColumnElement[Any]:
        return bindparam(name, values[name], type_=ARRAY(Text))

    others: list[ColumnElement[bool]] = [
        service.status == ServiceStatus.ACTIVE.value,
        func.coalesce(service.minimum_age, 0) <= age,
        func.coalesce(service.maximum_age, MAX_AGE) >= age,
    ]
    conditions: list[ColumnElement[bool]] = [
        service.police_report_required.is_(True),
        service.capacity == CapacityStatus.FULL.value,
    ]
    if situation.target_group is not None:
        others.append(
            or_(
                func.cardinality(service.target_groups) == 0,
                service.target_groups.contains(listed("situation_target_group")),
            )
        )
    others.extend(_threat(situation, service, conditions))
    others.extend(_payment(situation, service, conditions))
    others.extend(_drugs(situation, service, conditions))
    others.extend(_custody(situation, service, conditions))
    if situation.needs:
        others.append(service.interventions.overlap(listed("situation_needs")))
    return VerdictSql(
        # `@>` rather than `= ANY`, so the catchment's GIN index can serve it.
        residence=or_(
            service.whole_country, service.catchment_municipalities.contains(listed("situation_municipality"))
        ),
        others=tuple(others),
        conditions=tuple(conditions),
        residence_named=func.cardinality(service.catchment_municipalities) > 0,
    )


def _threat(
    situation: Situation, service: type[PublishedService], conditions: list[ColumnElement[bool]]
) -> list[ColumnElement[bool]]:
    passes: list[ColumnElement[bool]] = []
    if situation.threat_level is ThreatLevel.NONE:
        passes.append(service.threat_requirement == ThreatRequirement.NONE.value)
    elif not situation.police_confirmed_threat:
        passes.append(service.threat_requirement != ThreatRequirement.POLICE_CONFIRMED.value)
    if situation.threat_level is ThreatLevel.SERIOUS:
        if situation.threat_scope is ThreatScope.LOCAL:
            passes.append(or_(service.accepts_serious_threat, service.accepts_local_serious_threat))
            conditions.append(and_(not_(service.accepts_serious_threat), service.accepts_local_serious_threat))
        else:
            passes.append(service.accepts_serious_threat.is_(True))
    return passes


def _payment(
    situation: Situation, service: type[PublishedService], conditions: list[ColumnElement[bool]]
) -> list[ColumnElement[bool]]:
    paid_by_home = service.funding_rule != FundingRule.FREE.value
    if situation.payment is PaymentDecision.REFUSED:
        return [not_(paid_by_home)]
    if situation.payment is PaymentDecision.NOT_ASKED:
        conditions.append(paid_by_home)
    return []


def _drugs(
    situation: Situation, service: type[PublishedService], conditions: list[ColumnElement[bool]]
) -> list[ColumnElement[bool]]:
    if situation.substance_use is SubstanceUse.ACTIVE:
        conditions.append(service.drug_policy == DrugPolicy.WORKING_TOWARDS.value)
        return [service.drug_policy != DrugPolicy.DRUG_FREE.value]
    if situation.substance_use is SubstanceUse.TRYING_TO_STOP:
        conditions.append(service.drug_policy == DrugPolicy.DRUG_FREE.value)
    return []


def _custody(
    situation: Situation, service: type[PublishedService], conditions: list[ColumnElement[bool]]
) -> list[ColumnElement[bool]]:
    if situation.custody is CustodyStatus.NEITHER:
        return [not_(service.custody_only)]
    if situation.custody is CustodyStatus.IN_CUSTODY:
        conditions.append(and_(not_(service.custody_only), not_(service.reaches_custody)))
    return []
