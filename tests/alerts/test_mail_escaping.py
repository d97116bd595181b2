"""A complaint title that is HTML and header injection, in the mail about it: the HTML
part shows it as text (Jinja2's autoescape), the headers hold no line it added."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.support.histories import wib
from tests.support.mirror import Now, followup_case, make_config, service, write
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.integration

TITLE = '<img src=x onerror="alert(1)"> & <b>Jalan</b>\r\nBcc: semua@example.org'


def test_the_html_part_escapes_the_platforms_text(sqlite_engine: Engine, smtp: SmtpServer) -> None:
    config = make_config(smtp.port)
    now = Now(wib("2026-03-10 08:30"))
    write(sqlite_engine, config, [followup_case(title=TITLE)], now.at)
    service(sqlite_engine, config, now).run_once()
    [mail] = smtp.received
    html = mail.message.get_body(("html",))
    assert html is not None
    page = html.get_content()
    assert "<img" not in page and "<b>Jalan" not in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; &lt;b&gt;Jalan&lt;/b&gt;" in page
    assert mail.message["Bcc"] is None
    assert mail.rcpt_tos == ["penghubung@sekadau.go.id"]
