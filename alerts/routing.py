"""Who hears about an agency: ``[[alerts.routes]]`` (CONTRACT.md section 3).

A route for the agency itself wins over the ``"*"`` route; several routes for the
same agency add up. Escalations go to ``to`` and ``escalate_to``. Recipients come
only from configuration, never from upstream data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from syncd.vocabulary import AlertKind

ALL_AGENCIES = "*"

Reader = Literal["liaison", "superior"]
"""Who reads a mail: a route's ``to`` (the liaison officer, who acts) or, for an
escalation, its ``escalate_to`` (the superior, who sees that the office acts)."""


@dataclass(frozen=True)
class Route:
    """``[[alerts.routes]]``: who hears about one agency, or every agency (``"*"``)."""

    agency: int | str
    """An agency id, or ``ALL_AGENCIES``."""
    to: tuple[str, ...]
    escalate_to: tuple[str, ...] = ()
    digest: bool = True


@dataclass(frozen=True)
class RecipientScope:
    """What one recipient's digest or monthly summary covers: some agencies, or every one."""

    recipient: str
    agencies: frozenset[int]
    every_agency: bool
    """A ``"*"`` route: every agency that has no route of its own."""
    routed: frozenset[int] = frozenset()
    """The agencies with routes of their own, which a ``"*"`` route leaves to them."""

    def covers(self, agency_id: int | None) -> bool:
        if agency_id is not None and agency_id in self.agencies:
            return True
        return self.every_agency and agency_id not in self.routed


class Routes:
    def __init__(self, routes: Sequence[Route]) -> None:
        self._routes = tuple(routes)

    def _for(self, agency_id: int | None) -> list[Route]:
        own = [r for r in self._routes if agency_id is not None and r.agency == agency_id]
        return own or [r for r in self._routes if r.agency == ALL_AGENCIES]

    def recipients(self, agency_id: int | None, kind: AlertKind) -> list[str]:
        """Everyone an alert of ``kind`` about this agency goes to, each once, in order."""
        found: list[str] = []
        for route in self._for(agency_id):
            found.extend(route.to)
            if kind is AlertKind.ESCALATION:
                found.extend(route.escalate_to)
        return list(dict.fromkeys(address.lower() for address in found))

    def reader(self, agency_id: int | None, recipient: str, kind: AlertKind) -> Reader:
        """Whom a mail of ``kind`` to ``recipient`` about this agency addresses: the
        superior when an escalation reaches them only through ``escalate_to``."""
        if kind is not AlertKind.ESCALATION:
            return "liaison"
        address = recipient.lower()
        routes = self._for(agency_id)
        if any(address in (a.lower() for a in route.to) for route in routes):
            return "liaison"
        if any(address in (a.lower() for a in route.escalate_to) for route in routes):
            return "superior"
        return "liaison"

    def digests(self) -> list[RecipientScope]:
        """One scope per recipient who takes the daily digest."""
        return self._scopes(lambda route: route.to if route.digest else [])

    def monthly(self) -> list[RecipientScope]:
        """One scope per ``escalate_to`` recipient: who gets the monthly summary."""
        return self._scopes(lambda route: route.escalate_to)

    def _scopes(self, recipients: Callable[[Route], Sequence[str]]) -> list[RecipientScope]:
        agencies: dict[str, set[int]] = {}
        everything: set[str] = set()
        for route in self._routes:
            for address in (a.lower() for a in recipients(route)):
                mine = agencies.setdefault(address, set())
                if route.agency == ALL_AGENCIES:
                    everything.add(address)
                else:
                    mine.add(int(route.agency))
        routed = frozenset(int(r.agency) for r in self._routes if r.agency != ALL_AGENCIES)
        return [
            RecipientScope(address, frozenset(mine), address in everything, routed)
            for address, mine in agencies.items()
        ]
