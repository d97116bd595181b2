"""A reporter's reply makes the agency answer again: the new followup clock warns and
breaches with alerts of its own (cycle 2), over a real SMTP server; the reporter's
window itself never alerts."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.support.histories import SEKADAU, wib
from tests.support.mirror import TO, Now, followup_case, make_config, service, write
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.integration

CYCLE_2 = "lapor:501/4251/followup/2"


def test_a_reply_gives_the_agency_a_new_followup_clock_with_its_own_alerts(
    engine: Engine, smtp: SmtpServer
) -> None:
    # Answered on Wednesday 4 March; the reporter replies on Thursday 5 March, so the
    # new clock is due Thursday 12 March: warn-2 Tuesday 10, breach Friday 13, 08:00.
    config = make_config(smtp.port)
    now = Now(wib("2026-03-05 10:00"))
    case = followup_case().followup("2026-03-04 10:00", SEKADAU)
    write(engine, config, [case.followup("2026-03-05 09:00", None)], now.at)
    alerts = service(engine, config, now)
    assert alerts.run_once().dispatched.total_sent == 0

    now.set("2026-03-10 08:05")
    alerts.run_once()
    now.set("2026-03-13 08:05")
    alerts.run_once()

    keys = [(m.key, m.rcpt_tos) for m in smtp.received]
    assert keys == [(f"{CYCLE_2}/warn-2", [TO]), (f"{CYCLE_2}/breach", [TO])]
    breach = smtp.received[1].message.get_body(("plain",))
    assert breach is not None and "belum ditindaklanjuti" in breach.get_content()
    assert not any("reporter_reply" in key for key, _ in keys)
