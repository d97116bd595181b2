"""One simulated complaint: its whole scripted life (status log and followups, each at
an instant), and what of it the platform shows at a given moment."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class SimLog:
    id: int
    at: int
    status_old: int | None
    status_new: int
    inst_from: int | None
    inst_to: int | None
    content: str


@dataclass(slots=True)
class SimFollowup:
    id: int
    at: int
    inst_from: int | None
    is_reporter: bool
    content: str


@dataclass(slots=True)
class SimComplaint:
    id: int
    created_at: int
    classification: str
    category: str
    title: str
    content: str
    location: str
    incident_date: str
    is_secret: bool
    is_anonymous: bool
    logs: list[SimLog]
    followups: list[SimFollowup]
    removed_at: int | None = None
    malformed: str | None = None
    updated_at: int = 0
    listed: bool = False
    extra_ids: int = 0

    @property
    def tracking_id(self) -> str:
        return f"LAP{self.id:09d}"

    def visible_logs(self, now: int) -> list[SimLog]:
        return [log for log in self.logs if log.at <= now]

    def visible_followups(self, now: int) -> list[SimFollowup]:
        return [f for f in self.followups if f.at <= now]

    def status(self, now: int) -> int:
        logs = self.visible_logs(now)
        return logs[-1].status_new if logs else 0

    def holder(self, now: int) -> int | None:
        for log in reversed(self.visible_logs(now)):
            if log.inst_to is not None:
                return log.inst_to
        return None

    def is_malformed(self, now: int) -> bool:
        """Whether the platform serves this complaint broken at ``now``."""
        if self.malformed == "bad_followup":
            return bool(self.visible_followups(now))
        return self.malformed is not None

    def instants(self) -> list[int]:
        moments = [self.created_at, *(x.at for x in self.logs), *(f.at for f in self.followups)]
        if self.removed_at is not None:
            moments.append(self.removed_at)
        return sorted(set(moments))
