"""An injected clock and sleep, so that no test waits for real."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class FakeClock:
    """Epoch seconds that move only when told to; ``sleep`` moves them too."""

    now: float = 1_764_000_000.0  # 2025-11-24 16:00 UTC
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@dataclass
class FollowingClock:
    """A connector's present: the world's clock plus what the connector has slept.

    The connector's waits (retries, the request budget) must not move the world,
    yet its present must never lag the world's: a record dated after it is not
    believed."""

    world: Callable[[], float]
    slept: list[float] = field(default_factory=list)
    ahead: float = 0.0

    def __call__(self) -> float:
        return self.world() + self.ahead

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.ahead += seconds
