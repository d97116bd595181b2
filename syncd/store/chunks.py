"""Long id lists go to the database in slices.

SQLite allows 32,766 bound parameters in one statement, and PostgreSQL plans a
thousand-element ``IN`` list as cheaply as a short one; 1,000 suits both.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

CHUNK = 1000


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in consecutive slices of at most ``size``; nothing for an empty list."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
