"""The codes of an anonymised consultation: coarse on purpose. Codes are stored; labels are registered."""

from __future__ import annotations

import enum

from avhopp.platform.labels import register_labels

LARGE_MUNICIPALITY = 50_000
"""A consultation names a municipality only if at least this many people live there; else only its county.

In a small municipality the few people leaving a group are known to many: age band, affiliation and
phase together could point at one of them. Statistics Sweden's mid-sized towns start around here."""


class AgeBand(enum.StrEnum):
    """How old the person is, in bands."""

    UNDER_15 = "under_15"
    FROM_15_TO_17 = "15_17"
    FROM_18_TO_20 = "18_20"
    FROM_21_TO_25 = "21_25"
    FROM_26_TO_30 = "26_30"
    FROM_31_TO_40 = "31_40"
    OVER_40 = "over_40"


class ConsultationPhase(enum.StrEnum):
    """Where the person stands: before the work begins, its three phases, or after it."""

    BEFORE = "before"
    ACUTE = "acute"
    STABILISING = "stabilising"
    LONG_TERM = "long_term"
    AFTER = "after"


register_labels(
    (
        (AgeBand.UNDER_15, "Under 15 år"),
        (AgeBand.FROM_15_TO_17, "15–17 år"),
        (AgeBand.FROM_18_TO_20, "18–20 år"),
        (AgeBand.FROM_21_TO_25, "21–25 år"),
        (AgeBand.FROM_26_TO_30, "26–30 år"),
        (AgeBand.FROM_31_TO_40, "31–40 år"),
        (AgeBand.OVER_40, "Över 40 år"),
        (ConsultationPhase.BEFORE, "Innan arbetet börjat"),
        (ConsultationPhase.ACUTE, "Akut skede"),
        (ConsultationPhase.STABILISING, "Stabiliserande skede"),
        (ConsultationPhase.LONG_TERM, "Långsiktigt skede"),
        (ConsultationPhase.AFTER, "Efter avslutat arbete"),
    )
)
