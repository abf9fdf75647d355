"""Disclosure control: the one way every statistic of the platform is published.

No figure leaves the platform (page, chart, export, API) except through `protect`:

    table = two_way("per_county", counts, rows=counties, columns=kinds)   # or one_way / joined
    published = protect(table, Rule(threshold=settings.disclosure_threshold))
    published.value(("per_county", "01", TOTAL))   # an int, or None where it is hidden
    published.percent(part_key, whole_keys)        # None unless every count in it is shown

- **Tables** (`tables`): counts named by `(section, ...)` keys, and the sums they obey. `one_way`
  (a count per value, with a total unless values overlap), `two_way` (row, column and grand
  totals) and `joined` (tables shown together, with the `Sum`s tying them: a week is the sum of
  its days, two sections count the same people). Declare every sum a reader could use.
- **Rule**: counts from 1 to `threshold - 1` hidden (primary); further cells hidden until every
  hidden cell can lie anywhere in an interval at least `threshold` wide given everything shown
  (secondary, checked with linear programs); shares only of shown counts, rounded to whole
  percent; `statement` says all this in Swedish for pages and exports. `UNSUPPRESSED` is only
  for a tenant's view of its own records.
- **Too detailed**: a section with more than half of its non-empty inner cells hidden is not
  published: `protect` raises `TooDetailedError` (an `InvalidInputError` whose field is the
  section, with a Swedish message), or with `withhold_too_detailed=True` hides that section whole
  and lists it in `Published.withheld`.
- **Exports** (`exports`): `Sheet.of(published, section, ...)` then `csv_bytes` / `xlsx_bytes` with
  `Metadata` (definitions, period, the rule, time of extraction in Swedish time), and
  `record_export` for the audit trail.
- **Charts**: the template macro `bar_chart` in `macros/charts.html` draws figures (objects with
  `value` and `count`) as SVG with their table beside it; a hidden count reads "dolt" and "..".
"""

from __future__ import annotations

from avhopp.platform.disclosure.suppression import (
    TOO_DETAILED,
    UNSUPPRESSED,
    Published,
    Rule,
    TooDetailedError,
    protect,
)
from avhopp.platform.disclosure.tables import TOTAL, CellKey, Sum, Table, joined, one_way, two_way

__all__ = [
    "TOO_DETAILED",
    "TOTAL",
    "UNSUPPRESSED",
    "CellKey",
    "Published",
    "Rule",
    "Sum",
    "Table",
    "TooDetailedError",
    "joined",
    "one_way",
    "protect",
    "two_way",
]
