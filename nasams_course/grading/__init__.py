"""The rubric grader: pure functions, no I/O. See `book/orientation/scoring.md` for the spec in words."""

from nasams_course.grading.calibration import Calibration, CalibrationLevel, SelfRating, SelfRatingRow
from nasams_course.grading.items import AnswerError, ItemResult, normalize_answer, score_item
from nasams_course.grading.levels import LEVELS, level_for
from nasams_course.grading.profile import Attempt, DomainResult, ProvisionResult, Report, Review, grade

__all__ = [
    "LEVELS",
    "AnswerError",
    "Attempt",
    "Calibration",
    "CalibrationLevel",
    "DomainResult",
    "ItemResult",
    "ProvisionResult",
    "Report",
    "Review",
    "SelfRating",
    "SelfRatingRow",
    "grade",
    "level_for",
    "normalize_answer",
    "score_item",
]
