"""The persisted response clocks: stored with every sync write, advanced by the tick,
derived again by a recompute; each in the caller's transaction, with the running
totals moved alongside."""

from syncd.store.clocks.keeper import ClockKeeper, ClockWatcher
from syncd.store.clocks.recompute import recompute
from syncd.store.clocks.rows import clock_from_row

__all__ = ["ClockKeeper", "ClockWatcher", "clock_from_row", "recompute"]
