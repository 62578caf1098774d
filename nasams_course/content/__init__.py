"""Course content: vignettes, questions and chapters as validated YAML data."""

from nasams_course.content.loader import ContentError, load_bank, load_bank_or_raise
from nasams_course.content.models import (
    Bank,
    Chapter,
    MultiQuestion,
    OrderQuestion,
    Question,
    RateQuestion,
    SingleQuestion,
    Vignette,
)

__all__ = [
    "Bank",
    "Chapter",
    "ContentError",
    "MultiQuestion",
    "OrderQuestion",
    "Question",
    "RateQuestion",
    "SingleQuestion",
    "Vignette",
    "load_bank",
    "load_bank_or_raise",
]
