"""The mirror's gauges on a small mirror whose figures are counted by hand."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine, event

from connectors.records import CanonicalStatus
from syncd.metrics import Metrics
from syncd.store.tracked import Origin, record_check, track
from syncd.wiring import metrics as wiring_metrics
from tests.support.histories import JAYAPURA, SEKADAU, History, wib
from tests.support.mirror import make_config, write

pytestmark = pytest.mark.integration

NOW = wib("2026-10-23 12:00")  # a Friday; no holiday in October 2026


def disposed(upstream_id: int, at: str) -> History:
    day = at[:10]
    return (
        History(f"{day} 08:00", id=upstream_id, tracking_id=f"LAP{upstream_id}")
        .status(f"{day} 09:00", CanonicalStatus.VERIFIED)
        .dispose(at, SEKADAU)
    )


@pytest.fixture
def gauges(engine: Engine) -> tuple[Metrics, CollectorRegistry]:
    """Sekadau in 2026: one followup met, one late, one breached, one running; one
    met in 2025. Jayapura is configured and holds nothing."""
    config = make_config(2525)
    write(
        engine,
        config,
        [
            disposed(1, "2025-10-06 10:00").followup("2025-10-08 10:00", SEKADAU),
            disposed(2, "2026-10-05 10:00").followup("2026-10-07 10:00", SEKADAU),  # met
            disposed(3, "2026-10-05 10:00").followup("2026-10-14 10:00", SEKADAU),  # late
            disposed(4, "2026-10-05 10:00"),  # due Monday 12 October: breached
            disposed(5, "2026-10-22 10:00"),  # due Thursday 29 October: on track
        ],
        NOW,
    )
    metrics = wiring_metrics(config, engine, CollectorRegistry(), clock=lambda: NOW)
    metrics.mirror.refresh()
    mirror = CollectorRegistry()
    mirror.register(metrics.mirror)
    return metrics, mirror


def test_it_counts_each_state_and_outcome_by_hand(
    gauges: tuple[Metrics, CollectorRegistry],
) -> None:
    _, registry = gauges

    def value(metric: str, /, **labels: str) -> float | None:
        return registry.get_sample_value(metric, labels)

    sekadau = str(SEKADAU)
    followup = {"agency": sekadau, "clock": "followup"}
    assert value("sp4n_complaints", agency=sekadau, status="dispositioned") == 5
    assert value("sp4n_clocks_running", **followup, state="breached") == 1
    assert value("sp4n_clocks_running", **followup, state="on_track") == 1
    assert value("sp4n_clocks_running", **followup, state="due_soon") == 0
    assert value("sp4n_clocks_closed", **followup, outcome="met", year="2026") == 1
    assert value("sp4n_clocks_closed", **followup, outcome="late", year="2026") == 1
    assert value("sp4n_clocks_closed", **followup, outcome="met", year="2025") == 1
    assert value("sp4n_compliance_on_time_ratio", **followup, year="2026") == pytest.approx(1 / 3)
    assert value("sp4n_compliance_on_time_ratio", **followup, year="2025") == 1.0
    assert value("sp4n_compliance_followed_up_ratio", agency=sekadau, year="2026") == (
        pytest.approx(2 / 3)
    )
    assert value("sp4n_compliance_grade", agency=sekadau, year="2026") == 1  # 0.33 < 0.50
    assert value("sp4n_compliance_grade", agency=sekadau, year="2025") == 5
    due = wib("2026-10-12 23:59:59")  # Pontianak keeps WIB
    assert value("sp4n_clock_oldest_breached_due_timestamp_seconds", **followup) == (
        due.timestamp()
    )
    assert (
        value(
            "sp4n_agency_info",
            agency=sekadau,
            name="Pemerintah Kabupaten Sekadau",
            timezone="Asia/Pontianak",
        )
        == 1
    )


def test_an_agency_with_nothing_is_exported_as_zero_and_its_ratios_as_nan(
    gauges: tuple[Metrics, CollectorRegistry],
) -> None:
    _, registry = gauges
    jayapura = {"agency": str(JAYAPURA), "clock": "followup"}
    assert registry.get_sample_value("sp4n_clocks_running", {**jayapura, "state": "breached"}) == 0
    assert (
        registry.get_sample_value(
            "sp4n_complaints", {"agency": str(JAYAPURA), "status": "completed"}
        )
        == 0
    )
    assert (
        registry.get_sample_value("sp4n_clock_oldest_breached_due_timestamp_seconds", jayapura) == 0
    )
    ratio = registry.get_sample_value("sp4n_compliance_on_time_ratio", {**jayapura, "year": "2026"})
    grade = registry.get_sample_value(
        "sp4n_compliance_grade", {"agency": str(JAYAPURA), "year": "2026"}
    )
    assert ratio is not None and math.isnan(ratio)
    assert grade is not None and math.isnan(grade)


def test_a_refresh_reads_the_totals_not_the_mirror(
    engine: Engine, gauges: tuple[Metrics, CollectorRegistry]
) -> None:
    metrics, _ = gauges
    statements: list[str] = []

    def record(_c: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement.lower())

    event.listen(engine, "before_cursor_execute", record)
    try:
        metrics.mirror.refresh()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert statements
    for mirrored in ("complaints", "clocks", "status_logs", "followups"):
        assert not [s for s in statements if f"from {mirrored}\n" in s or f"from {mirrored} " in s]


def test_the_oldest_breached_instant_is_zero_until_the_due_instant_passes(
    engine: Engine,
) -> None:
    config = make_config(2525)
    now = wib("2026-10-07 12:00")
    write(engine, config, [disposed(4, "2026-10-05 10:00")], now)
    clock = {"now": now}
    metrics = wiring_metrics(config, engine, CollectorRegistry(), clock=lambda: clock["now"])
    registry = CollectorRegistry()
    registry.register(metrics.mirror)
    labels = {"agency": str(SEKADAU), "clock": "followup"}
    name = "sp4n_clock_oldest_breached_due_timestamp_seconds"
    metrics.mirror.refresh()
    assert registry.get_sample_value(name, labels) == 0
    clock["now"] = wib("2026-10-12 23:59:59") + timedelta(seconds=1)
    metrics.mirror.refresh()
    assert registry.get_sample_value(name, labels) == wib("2026-10-12 23:59:59").timestamp()


def test_tracked_ids_are_counted_by_schedule_and_late_checks_show(engine: Engine) -> None:
    config = make_config(2525)
    with engine.begin() as connection:
        track(connection, "lapor", [(i, Origin("cli")) for i in (1, 2, 3, 4)], NOW)
        plan = {
            1: ("urgent", NOW - timedelta(minutes=40)),  # 40 minutes late
            2: ("active", NOW + timedelta(hours=1)),
            3: ("active", NOW - timedelta(minutes=5)),
            4: ("dormant", None),
        }
        for upstream_id, (schedule, at) in plan.items():
            record_check(
                connection, "lapor", upstream_id, {"schedule": schedule, "next_check_at": at}
            )
    metrics = wiring_metrics(config, engine, CollectorRegistry(), clock=lambda: NOW)
    metrics.mirror.refresh()
    registry = CollectorRegistry()
    registry.register(metrics.mirror)

    def value(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, {"source": "lapor", **labels})

    assert value("sp4n_tracked_complaints", schedule="urgent") == 1
    assert value("sp4n_tracked_complaints", schedule="active") == 2
    assert value("sp4n_tracked_complaints", schedule="closed") == 0
    assert value("sp4n_tracked_complaints", schedule="dormant") == 1
    assert value("sp4n_tracked_checks_overdue") == 2
    assert value("sp4n_tracked_check_lag_seconds") == 40 * 60


def test_the_reporters_window_is_never_overdue_nor_judged(engine: Engine) -> None:
    """Sekadau answered on 6 October 2025 and again on 20 October 2026; the reporter
    never replied. By 23 October 2026 the 2026 window still runs, the 2025 one lapsed
    long ago: neither is breached, graded, or overdue anywhere."""
    config = make_config(2525)
    write(
        engine,
        config,
        [
            disposed(1, "2025-10-06 10:00").followup("2025-10-06 11:00", SEKADAU),
            disposed(2, "2026-10-19 10:00").followup("2026-10-20 10:00", SEKADAU),
        ],
        NOW,
    )
    metrics = wiring_metrics(config, engine, CollectorRegistry(), clock=lambda: NOW)
    metrics.mirror.refresh()
    registry = CollectorRegistry()
    registry.register(metrics.mirror)
    window = {"agency": str(SEKADAU), "clock": "reporter_reply"}

    def value(metric: str, /, **labels: str) -> float | None:
        return registry.get_sample_value(metric, {**window, **labels})

    assert value("sp4n_clocks_running", state="on_track") == 1
    assert value("sp4n_clocks_running", state="paused") == 0
    assert value("sp4n_clocks_running", state="breached") is None
    assert value("sp4n_clocks_running", state="due_soon") is None
    assert value("sp4n_clocks_closed", outcome="lapsed", year="2025") == 1
    assert value("sp4n_clocks_closed", outcome="lapsed", year="2026") == 0
    assert value("sp4n_compliance_on_time_ratio", year="2026") is None
    assert value("sp4n_clock_oldest_breached_due_timestamp_seconds") is None
    followup = {"agency": str(SEKADAU), "clock": "followup"}
    assert (
        registry.get_sample_value(
            "sp4n_clocks_closed", {**followup, "outcome": "lapsed", "year": "2026"}
        )
        == 0
    ), "every outcome is exported for every clock, as 0 where it cannot happen"
    assert (
        registry.get_sample_value("sp4n_compliance_grade", {"agency": str(SEKADAU), "year": "2025"})
        == 5
    )
