"""The metric names of docs/CONTRACT.md section 6, as the tests know them."""

from __future__ import annotations

from pathlib import Path

CONTRACT = Path(__file__).parents[2] / "docs" / "CONTRACT.md"
# docs/CONTRACT.md section 6, every name a dashboard or rule may rely on.
CONTRACT_NAMES = {
    "sp4n_complaints",
    "sp4n_clocks_running",
    "sp4n_clocks_closed",
    "sp4n_compliance_on_time_ratio",
    "sp4n_compliance_followed_up_ratio",
    "sp4n_compliance_grade",
    "sp4n_clock_oldest_breached_due_timestamp_seconds",
    "sp4n_agency_info",
    "sp4n_sync_last_success_timestamp_seconds",
    "sp4n_sync_runs_total",
    "sp4n_sync_complaints_total",
    "sp4n_sync_quarantined_total",
    "sp4n_sync_duration_seconds",
    "sp4n_upstream_requests_total",
    "sp4n_upstream_up",
    "sp4n_alerts_sent_total",
    "sp4n_alert_delivery_failures_total",
    "sp4n_alert_outbox_pending",
    "sp4n_alert_outbox_oldest_timestamp_seconds",
    "sp4n_leader",
    "sp4n_build_info",
    "sp4n_tracked_complaints",
    "sp4n_tracked_checks_overdue",
    "sp4n_tracked_check_lag_seconds",
}
NOT_YET_EXPORTED = {
    # The calendar's fingerprint and recompute ("The calendar keeps itself right").
    "sp4n_calendar_recomputed_total",
}
"""Names docs/CONTRACT.md lists and its "Where the implementation stands" table says
are still to come: each moves into CONTRACT_NAMES with the work that exports it."""
