"""The sync engine: one pass per source, from the connector into the mirror."""

from syncd.store.transaction import StoreError
from syncd.sync.run import SyncPass
from syncd.sync.stats import PassStats, Progress

__all__ = ["PassStats", "Progress", "StoreError", "SyncPass"]
