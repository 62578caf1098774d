"""Performance levels and their thresholds."""

from __future__ import annotations

#: (name, lowest score), best first. Scores compare with a tolerance of EPSILON.
LEVELS: tuple[tuple[str, float], ...] = (
    ("Mastery", 0.85),
    ("Proficient", 0.70),
    ("Developing", 0.50),
    ("Beginning", 0.0),
)
EPSILON = 1e-9
PASSING = ("Mastery", "Proficient")


def level_for(score: float) -> str:
    """The level a score reaches (a score within 1e-9 below a threshold reaches it)."""
    for name, low in LEVELS:
        if score >= low - EPSILON:
            return name
    return LEVELS[-1][0]
