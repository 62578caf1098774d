"""Validation problems, reported as `path:field: what is wrong`."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one content file."""

    path: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.field}: {self.message}"


def _field(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(file)"


def _message(err: dict, allowed: list[str]) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return f"unknown field (allowed: {', '.join(allowed)})" if allowed else "unknown field"
    if kind == "missing":
        return "required field is missing"
    if kind == "literal_error":
        return f"{err['msg'][0].lower()}{err['msg'][1:]}, got {err['input']!r}"
    if kind == "value_error":
        return str(err["ctx"]["error"]) if "ctx" in err else err["msg"].removeprefix("Value error, ")
    if kind == "string_pattern_mismatch":
        return (f"{err['input']!r} is not a valid id (lower-case letters, digits and hyphens; "
                "provision ids like E4a, S5, U13)")
    return err["msg"][0].lower() + err["msg"][1:]


def from_validation_error(path: str, exc: ValidationError, model: type) -> list[Problem]:
    """Turn a pydantic error on `model` into one Problem per failing field."""
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        allowed = _allowed_fields(model, loc) if err["type"] == "extra_forbidden" else []
        problems.append(Problem(path, _field(loc), _message(err, allowed)))
    return problems


def _allowed_fields(model: type, loc: tuple) -> list[str]:
    """The field names allowed where an unknown field was found."""
    target = model
    for part in loc[:-1]:
        fields = {f.alias or name: f for name, f in getattr(target, "model_fields", {}).items()}
        if isinstance(part, str) and part in fields:
            target = _model_in(fields[part].annotation) or target
    return [f.alias or name for name, f in getattr(target, "model_fields", {}).items()]


def _model_in(annotation: object) -> type | None:
    """The model a field holds, through list[...] and ... | None."""
    if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
