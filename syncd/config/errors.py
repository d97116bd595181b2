"""``ConfigError`` and the translation of pydantic's errors into key paths.

Exceptions::

    Exception
     └── ConfigError     the file cannot be read, is not TOML, or has problems;
                         ``problems`` lists every one as (key path, message)

Key paths read like the file: ``sources[0].poll_interval``, ``alerts.smtp.port``,
``sources[1].status_names["9"]``. A problem with the file as a whole has the empty
path. Messages never carry the offending value of a secret: pydantic's ``input`` is
never shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NoReturn

from pydantic import ValidationError
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

Problem = tuple[str, str]
"""(key path, message)."""

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_PREFIXES = ("Value error, ", "Assertion failed, ")
_MESSAGES = {
    "extra_forbidden": "unknown key",
    "missing": "required",
}


class ConfigError(Exception):
    """A configuration that cannot be used, with every problem found in it."""

    def __init__(self, path: Path | str | None, problems: Iterable[Problem]) -> None:
        self.path = Path(path) if path is not None else None
        self.problems: list[Problem] = list(problems)
        super().__init__(self._render())

    def _render(self) -> str:
        if len(self.problems) == 1 and not self.problems[0][0]:
            return f"{self.path or 'configuration'}: {self.problems[0][1]}"
        count = len(self.problems)
        head = f"{self.path or 'configuration'}: {count} problem{'s' if count != 1 else ''}"
        lines = [f"{key}: {message}" if key else message for key, message in self.problems]
        return "\n".join([head, *(f"  {line}" for line in lines)])


def key_path(loc: Sequence[int | str]) -> str:
    """``sources[0].page_size`` from pydantic's ``("sources", 0, "page_size")``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _IDENTIFIER.fullmatch(part):
            path += f".{part}" if path else part
        else:
            path += f'["{part}"]'
    return path


def message(error: ErrorDetails) -> str:
    text = _MESSAGES.get(error["type"], error["msg"])
    for prefix in _PREFIXES:
        text = text.removeprefix(prefix)
    return text[:1].lower() + text[1:]


def problems_of(exc: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    for error in exc.errors():
        loc, text = error["loc"], message(error)
        if loc and loc[-1] == "[key]":
            loc, text = loc[:-1], f"as a key: {text}"
        problems.append((key_path(loc), text))
    return problems


def raise_problems(
    title: str, earlier: ValidationError | None, more: Iterable[tuple[str, str]]
) -> NoReturn:
    """Raise one ``ValidationError`` with ``earlier``'s errors and ``more`` (key, message).

    For a model validator that checks rules spanning several keys while pydantic's
    own errors for the same model are still reported, all in one pass.
    """
    details = [
        _detail(error["loc"], message(error)) for error in (earlier.errors() if earlier else [])
    ]
    details += [_detail((key,), text) for key, text in more]
    raise ValidationError.from_exception_data(title, details)


def _detail(loc: tuple[int | str, ...], text: str) -> InitErrorDetails:
    return InitErrorDetails(
        type=PydanticCustomError("config", "{message}", {"message": text}),
        loc=loc,
        input=None,
    )
