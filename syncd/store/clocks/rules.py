"""Derives the mirror's clocks again when the rules that derived them have changed.

``CLOCK_RULES`` names the rules of this code (``syncd.clock.derive``). The mirror
records the version its clocks were derived by (the ``clock_rules`` row); a mirror
that records an older one, or none (upgraded from before revision 0008), is derived
again, chunk by chunk, before the service keeps its clocks. The running totals move
with each chunk and the alert planner sees the new clocks, as after any recompute.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine, delete, select

from syncd.clock.values import Recomputed
from syncd.store.clocks.keeper import ClockKeeper
from syncd.store.clocks.recompute import recompute
from syncd.store.tables import CLOCK_RULES, COMPLAINTS

log = logging.getLogger("syncd")

CLOCK_RULES_VERSION = 2
"""1: the first rules. 2: the reporter's window lapses instead of breaching, a
``completed`` after it ran out stops the completion clock at the agency's followup,
a reporter's reply starts the agency's next followup clock."""


def derived_by(engine: Engine) -> int | None:
    """The rules version the stored clocks were derived by; None when unrecorded."""
    with engine.connect() as connection:
        version: int | None = connection.execute(
            select(CLOCK_RULES.c.version).order_by(CLOCK_RULES.c.id.desc()).limit(1)
        ).scalar_one_or_none()
    return version


def record_rules(engine: Engine, now: datetime) -> None:
    """Records that the stored clocks follow this code's rules."""
    with engine.begin() as connection:
        connection.execute(delete(CLOCK_RULES))
        connection.execute(CLOCK_RULES.insert().values(version=CLOCK_RULES_VERSION, derived_at=now))


def rederive_if_stale(
    keeper: ClockKeeper,
    engine: Engine,
    now: datetime,
    *,
    progress: Callable[[int], None] = lambda n: None,
) -> Recomputed | None:
    """Derives every clock again when the mirror's rules are older than this code's;
    None when they are current."""
    version = derived_by(engine)
    if version is not None and version >= CLOCK_RULES_VERSION:
        return None
    with engine.connect() as connection:
        mirrored = connection.execute(select(COMPLAINTS.c.id).limit(1)).first() is not None
    if not mirrored:
        record_rules(engine, now)
        return None
    log.info(
        "clocks: derived by rules %s, this version has %d: deriving every clock again",
        version or 1,
        CLOCK_RULES_VERSION,
    )
    result = recompute(keeper, engine, now, apply=True, progress=progress)
    record_rules(engine, now)
    log.info(
        "clocks: derived again: complaints=%d clocks=%d moved=%d added=%d removed=%d",
        result.complaints,
        result.clocks,
        result.moved,
        result.added,
        result.removed,
    )
    return result
