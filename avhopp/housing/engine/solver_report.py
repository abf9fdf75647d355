"""The exact solver's report, apart from the solver: reading it must not load OR-Tools (and pandas with it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SolverReport:
    """What the exact solver achieved and proved."""

    placed: int
    placed_bound: int
    """No assignment places more people than this."""
    points: int
    points_bound: int
    """No assignment placing `placed` people scores more; meaningful when `count_proven`."""
    count_proven: bool
    score_proven: bool
    seconds: float
    deterministic_time: float
    stopped_by_wall_clock: bool
    """True when the wall-clock backstop ended a phase: the answer may then differ between runs."""

    @property
    def gap(self) -> float:
        """Relative gap between the points found and the bound (0 when proven optimal)."""
        if self.points_bound <= 0:
            return 0.0
        return max(0.0, (self.points_bound - self.points) / self.points_bound)
