"""The command line's tables: each fits the console's width (80 columns when stdout is
not a terminal) by wrapping its cells onto more lines, never by cutting them short
with an ellipsis (CONTRACT.md section 4).

    table = wrapping_table("sources", "source", "fresh", "last success", times=("last success",))

A long word (an e-mail address, an outbox key) folds at its column's edge. When the
columns do not fit side by side, the widest give way first, as Rich does; a time
column, though, stays as wide as a date while any other can still give, so that
``2026-10-05 10:00 WIB`` wraps into its date and its time instead of into pieces.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Column, Table
from rich.text import Text

DATE_WIDTH = len("2026-10-05")


class WrappingTable(Table):
    """A Rich table with the default box and padding whose time columns keep a date's
    width when the table has to shrink."""

    def __init__(self, title: str | Text, times: Collection[str]) -> None:
        super().__init__(title=title)
        self.times = frozenset(times)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for column, width in zip(self.columns, self._widths(console, options), strict=True):
            column.width = width
        yield from super().__rich_console__(console, options)

    def _widths(self, console: Console, options: ConsoleOptions) -> list[int | None]:
        """Each column's width when the columns have to shrink (else ``None``: as wide
        as their text): the widest shrink first, a time column no narrower than a
        date while another can shrink."""
        natural = [_natural_width(console, options, column) for column in self.columns]
        # Each column has a border on its left and one space either side; one more
        # border closes the row.
        room = options.max_width - 3 * len(natural) - 1
        floors = [
            min(width, DATE_WIDTH) if str(column.header) in self.times else 1
            for column, width in zip(self.columns, natural, strict=True)
        ]
        if sum(natural) <= room or sum(floors) > room:
            return [None] * len(natural)  # fits already, or Rich does what it can

        def shrunk(level: int) -> list[int]:
            return [
                min(width, max(level, floor)) for width, floor in zip(natural, floors, strict=True)
            ]

        level = max(natural)
        while level > 1 and sum(shrunk(level)) > room:
            level -= 1
        widths = shrunk(level)
        spare = room - sum(widths)
        for index in _nearly_whole_first(natural, widths):
            if spare == 0:
                break
            widths[index] += 1
            spare -= 1
        return list(widths)


def _natural_width(console: Console, options: ConsoleOptions, column: Column) -> int:
    """The column's width with no line wrapped: its header's or its widest cell's."""
    unbounded = options.update_width(10_000)
    cells = [column.header, *column.cells]
    return max(Measurement.get(console, unbounded, cell).maximum for cell in cells)


def _nearly_whole_first(natural: list[int], widths: list[int]) -> Iterator[int]:
    """The columns narrower than their text, the ones missing least first (a spare
    space or two makes them whole)."""
    short = [i for i, (want, have) in enumerate(zip(natural, widths, strict=True)) if have < want]
    yield from sorted(short, key=lambda i: natural[i] - widths[i])


def wrapping_table(
    title: str | Text,
    *headings: str,
    times: Collection[str] = (),
    right: Collection[str] = (),
) -> Table:
    """A table with a column per heading, in order, each wrapping and folding its
    cells; ``times`` keep a date's width, ``right`` are right-justified (numbers)."""
    table = WrappingTable(title, times)
    for heading in headings:
        table.add_column(heading, overflow="fold", justify="right" if heading in right else "left")
    return table
