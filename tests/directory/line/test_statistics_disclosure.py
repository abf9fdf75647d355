"""The line's published statistics hold against the attacker's audit, and a weakened rule does not."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from avhopp.directory.line.statistics import statistics_of, table_of
from avhopp.platform.disclosure import TOTAL, Published, Rule
from tests.platform.disclosure.attacker import audit

RULE = Rule()
START = date(2026, 9, 10)
CALLERS = ("person", "relative", "professional", "anonymous")
COUNTIES = ("01", "12", "14", "")
NEEDS = ("housing", "protection", "work", "not_asked")
THREATS = ("none", "serious", "not_asked", "unknown", "")
Row = tuple[int, str, str, frozenset[str], frozenset[str], str]
contacts = st.lists(
    st.tuples(
        st.integers(0, 83),
        st.sampled_from(CALLERS),
        st.sampled_from(COUNTIES),
        st.frozensets(st.sampled_from(NEEDS)),
        st.frozensets(st.sampled_from(("information_given", "referred"))),
        st.sampled_from(THREATS),
    ),
    max_size=80,
)


def line_totals(rows: list[Row], referrals: list[int], callbacks: list[int]) -> dict[str, dict[str, int]]:
    """What `line_statistics` would count for these contacts, referrals and callbacks."""
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    for offset, caller, county, needs, outcomes, threat in rows:
        day = START + timedelta(days=offset)
        year, week, _ = day.isocalendar()
        totals["day"][day.isoformat()] += 1
        totals["week"][f"{year}-v{week:02d}"] += 1
        totals["caller_type"][caller] += 1
        totals["county"][county] += 1
        totals["threat"][threat] += 1
        totals["target_group"]["unknown" if threat else ""] += 1
        totals["need"].update(needs)
        totals["outcome"].update(outcomes)
    totals["referral"].update(dict(zip(("sent", "opened", "accepted", "declined"), referrals, strict=True)))
    totals["callback_hours"].update(dict(zip(("under_1", "1_to_4", "4_to_24", "over_24"), callbacks, strict=True)))
    return {
        dimension: {value: count for value, count in counted.items() if count} for dimension, counted in totals.items()
    }


def audited(published: Published) -> list[tuple[str, ...]]:
    """The protected cells the attacker pins down too narrowly (none, when the rule holds)."""
    return audit(published)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    contacts, st.lists(st.integers(0, 12), min_size=4, max_size=4), st.lists(st.integers(0, 12), min_size=4, max_size=4)
)
def test_no_hidden_figure_of_the_line_can_be_worked_out(
    rows: list[Row], referrals: list[int], callbacks: list[int]
) -> None:
    statistics = statistics_of(line_totals(rows, referrals, callbacks), RULE)
    published = statistics.published
    assert audited(published) == []
    for key, count in published.table.counts.items():
        if 0 < count < RULE.threshold:
            assert published.value(key) is None
    accepted, declined = ("referral", "accepted"), ("referral", "declined")
    if accepted in published.hidden or declined in published.hidden:
        assert statistics.acceptance_rate is None


def test_the_audit_catches_the_line_under_a_weakened_rule() -> None:
    # Six people and two relatives: hiding the 2 alone gives it away through the total of contacts.
    none: frozenset[str] = frozenset()
    rows = [(7, "person", "14", none, none, "none")] * 6 + [(7, "relative", "14", none, none, "none")] * 2
    table = table_of(line_totals(rows, [0, 0, 0, 0], [0, 0, 0, 0]))
    weakened = Published(table, frozenset(k for k, v in table.counts.items() if 0 < v < RULE.threshold), (), RULE)
    assert ("caller_type", "relative") in audited(weakened)
    protected = statistics_of(line_totals(rows, [0, 0, 0, 0], [0, 0, 0, 0]), RULE).published
    assert audited(protected) == []
    assert protected.value(("week", TOTAL)) == 8
    assert protected.value(("caller_type", "relative")) is None
