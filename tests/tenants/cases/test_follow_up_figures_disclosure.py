"""The follow-up figures' published tables hold against the attacker's audit, and a weakened rule does not."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from avhopp.platform.disclosure import Published, Rule
from avhopp.tenants.cases.figures import OUTCOMES, Counts, overview_of, table_of
from tests.platform.disclosure.attacker import audit

RULE = Rule()
YEARS = ("2019", "2020", "2021")
KINDS = ("municipality", "operation")
COUNTIES = ("01", "12", "14")
MUNICIPALITIES = ("0180", "1280", "1480")
MONTHS = ("6", "12", "24")
cases = st.lists(
    st.tuples(
        st.sampled_from(YEARS),
        st.sampled_from(KINDS),
        st.integers(0, 2),
        st.frozensets(st.sampled_from(("housing", "work", "therapy"))),
        st.lists(
            st.tuples(
                st.sampled_from(("on_time", "late", "missed")),
                st.sampled_from(("own_lease", "homeless", "unknown")),
                st.sampled_from(("none_known", "suspected", "unknown")),
            ),
            max_size=3,
        ),
    ),
    max_size=60,
)


def counts_of(rows: list[tuple[str, str, int, frozenset[str], list[tuple[str, str, str]]]]) -> Counts:
    """What `followup_statistics` would count for these cases (each follow-up point in turn)."""
    counted: dict[str, Counter[tuple[str, str]]] = {}

    def add(dimension: str, key: tuple[str, str]) -> None:
        counted.setdefault(dimension, Counter())[key] += 1

    for year, kind, place, needs, points in rows:
        add("started", (year, kind))
        add("county", (COUNTIES[place], ""))
        for need in needs:
            add("need", (need, ""))
        first_crime = last_clean = None
        for month, (timing, housing, crime) in zip(MONTHS, points, strict=False):
            add("completeness", (MUNICIPALITIES[place], timing))
            if timing == "missed":
                continue
            add("outcome:housing", (month, housing))
            add("outcome:new_crime", (month, crime))
            if crime == "suspected" and first_crime is None:
                first_crime = month
            elif crime == "none_known":
                last_clean = month
        if first_crime is not None:
            add("survival", (first_crime, "event"))
        elif last_clean is not None:
            add("survival", (last_clean, "censored"))
    return {dimension: dict(values) for dimension, values in counted.items()}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cases)
def test_no_hidden_follow_up_figure_can_be_worked_out(
    rows: list[tuple[str, str, int, frozenset[str], list[tuple[str, str, str]]]],
) -> None:
    overview = overview_of(counts_of(rows), RULE)
    published = overview.published
    assert audit(published) == []
    for key, count in published.table.counts.items():
        if 0 < count < RULE.threshold:
            assert published.value(key) is None
    for question in OUTCOMES:
        section = f"outcome_{question.code}"
        for row in overview.rows(section):
            for share in overview.shares(section, row):
                assert share.percent is None or share.count is not None


def test_the_audit_catches_the_follow_up_figures_under_a_weakened_rule() -> None:
    # Seven cases started in 2020, two of them in an operation: hiding the 2 alone gives it away.
    none: frozenset[str] = frozenset()
    no_points: list[tuple[str, str, str]] = []
    rows = [("2020", "municipality", 0, none, no_points)] * 7 + [("2020", "operation", 0, none, no_points)] * 2
    table = table_of(counts_of(rows))
    weakened = Published(table, frozenset(k for k, v in table.counts.items() if 0 < v < RULE.threshold), (), RULE)
    assert ("started", "2020", "operation") in audit(weakened)
    assert audit(overview_of(counts_of(rows), RULE).published) == []
