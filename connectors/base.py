"""What syncd expects of a platform connector, whatever the platform.

A connector only reads. It lists what changed since a cursor, fetches the details of
the complaints it is asked about, and lists the platform's institutions. It never
stores a cursor: it hands one back with each page, and the caller advances its
checkpoint only after it has committed that page's records.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from connectors.records import (
    ComplaintDetail,
    ComplaintSummary,
    Institution,
    QuarantineItem,
    Vanished,
)


@dataclass(frozen=True, slots=True)
class ChangePage:
    """One page of the change listing.

    ``cursor`` is the checkpoint that is safe to store once this page and every page
    before it are committed: the newest ``updated_at`` listed so far (UTC). A later
    listing from it re-reads a configurable look-back, so late writes are not lost.
    """

    summaries: tuple[ComplaintSummary, ...]
    quarantined: tuple[QuarantineItem, ...]
    cursor: datetime | None
    matching: int | None = None
    """How many records the request for this page matched in all, if the platform
    says: on the first page, what the whole listing will roughly bring."""


DetailResult = ComplaintDetail | Vanished | QuarantineItem
InstitutionResult = Institution | QuarantineItem


class Connector(Protocol):
    def list_changes(self, since: datetime | None) -> Iterator[ChangePage]:
        """Complaints changed at or after ``since`` (less the look-back); all if None."""
        ...

    def fetch_details(self, ids: Iterable[int]) -> Iterator[DetailResult]:
        """The detail of each id, or why there is none, in the order they complete."""
        ...

    def fetch_detail(self, complaint_id: int) -> DetailResult:
        """One complaint's detail with all its followups, or why there is none."""
        ...

    def probe_listing(self) -> bool:
        """Whether the platform offers the change listing at all."""
        ...

    def list_institutions(self) -> Iterator[InstitutionResult]:
        """Every institution the platform knows, with its parent."""
        ...

    def close(self) -> None:
        """Release connections the connector owns."""
        ...
