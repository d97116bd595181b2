"""An injected clock and sleep, so that no test waits for real."""

from __future__ import annotations

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
