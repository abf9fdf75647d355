"""The catalogue: entries, eligibility, search, review, HSDS. Other parts use its `service`."""
