"""Durations as the configuration writes them: ``"30s"``, ``"2m"``, ``"1h30m"``.

A duration is one or more ``<integer><unit>`` parts, units ``d``, ``h``, ``m``, ``s``
in that order, each at most once. Anything else (a bare number, ``"2 min"``,
``"1.5h"``, ``"-1m"``) is refused with the accepted forms named, so that a typo
fails at start-up instead of silently meaning something else.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_FORMS = 'a duration is a string like "30s", "2m", "1h" or "1h30m" (units d, h, m, s)'


def parse_duration(text: str) -> timedelta:
    """The ``timedelta`` that ``text`` writes; ``ValueError`` naming the forms if none."""
    match = _DURATION.fullmatch(text.strip()) if text.strip() else None
    if match is None:
        raise ValueError(f"{text!r} is not a duration: {_FORMS}")
    days, hours, minutes, seconds = (int(part) if part else 0 for part in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def format_duration(value: timedelta) -> str:
    """The shortest configuration spelling of ``value`` (whole seconds), e.g. ``"1h30m"``."""
    seconds = int(value.total_seconds())
    if seconds == 0:
        return "0s"
    days, seconds = divmod(seconds, 86_400)
    hours, seconds = divmod(seconds, 3_600)
    minutes, seconds = divmod(seconds, 60)
    parts = zip((days, hours, minutes, seconds), "dhms", strict=True)
    return "".join(f"{amount}{unit}" for amount, unit in parts if amount)


def _duration(value: object) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, str):
        return parse_duration(value)
    raise ValueError(f"expected a string: {_FORMS}")


def _not_negative(value: timedelta) -> timedelta:
    if value < timedelta(0):
        raise ValueError("must not be negative")
    return value


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("must be longer than 0s")
    return value


Duration = Annotated[timedelta, BeforeValidator(_duration), AfterValidator(_not_negative)]
"""A duration of zero or more, written as in the module docstring."""

PositiveDuration = Annotated[timedelta, BeforeValidator(_duration), AfterValidator(_positive)]
"""A duration longer than zero."""
