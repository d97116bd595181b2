"""SMTP over STARTTLS and implicit TLS, with AUTH, against aiosmtpd on loopback.

Certificates come from a CA made for the test (trustme): unknown to the system, so a
mailer that verifies by default must refuse it until ``ca_file`` names that CA.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from alerts.mailers import DeliveryError, SmtpMailer
from syncd.config.model import SmtpConfig
from syncd.wiring import smtp_settings
from tests.support.network import free_port
from tests.support.smtp import Handler

pytestmark = [
    pytest.mark.integration,
    # aiosmtpd warns, in its server thread at each connection, about the implicit-TLS
    # server's AUTH without STARTTLS: that connection is TLS from its first byte.
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
]

USER, PASSWORD = "syncd", "rahasia-smtp"


class Credentials:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(),
            auth_data.password.decode(),
        ) == (USER, PASSWORD)
        self.seen.append(mechanism)
        return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def server_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)
    return context


@pytest.fixture(params=["starttls", "tls"])
def tls_server(
    request: pytest.FixtureRequest, ca: trustme.CA
) -> Iterator[tuple[str, int, Handler]]:
    handler, port = Handler(), free_port()
    security = request.param
    options: dict[str, Any] = {
        "authenticator": Credentials(),
        "auth_required": True,
        "auth_require_tls": True,
    }
    if security == "starttls":
        options |= {"tls_context": server_context(ca), "require_starttls": True}
    else:
        # aiosmtpd counts only STARTTLS as TLS for AUTH; this connection is TLS throughout.
        options |= {"ssl_context": server_context(ca), "auth_require_tls": False}
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    yield security, port, handler
    controller.stop()


def smtp_config(security: str, port: int, **more: Any) -> SmtpConfig:
    return SmtpConfig.model_validate(
        {"host": "127.0.0.1", "port": port, "security": security, "timeout": "5s", **more}
    )


def a_message() -> Any:
    from email.mime.text import MIMEText

    message = MIMEText("halo")
    message["Subject"] = "[SP4N-LAPOR] uji"
    return message


def test_an_unknown_certificate_is_refused_by_default(tls_server: tuple[str, int, Handler]) -> None:
    security, port, handler = tls_server
    config = smtp_config(security, port, username=USER, password=PASSWORD)
    with pytest.raises(DeliveryError) as refused, SmtpMailer(smtp_settings(config)) as mailer:
        mailer.send(a_message(), "monitor@example.go.id", "a@example.go.id")
    assert not refused.value.permanent  # the mail waits for the operator's fix
    assert "CERTIFICATE_VERIFY_FAILED" in str(refused.value)
    assert handler.received == []


def test_the_configured_ca_and_credentials_deliver(
    tls_server: tuple[str, int, Handler], ca_file: Path
) -> None:
    security, port, handler = tls_server
    config = smtp_config(security, port, username=USER, password=PASSWORD, ca_file=str(ca_file))
    with SmtpMailer(smtp_settings(config)) as mailer:
        mailer.send(a_message(), "monitor@example.go.id", "a@example.go.id")
        mailer.send(a_message(), "monitor@example.go.id", "b@example.go.id")
    assert [r.rcpt_tos for r in handler.received] == [["a@example.go.id"], ["b@example.go.id"]]


def test_a_wrong_password_is_a_temporary_failure(
    tls_server: tuple[str, int, Handler], ca_file: Path
) -> None:
    security, port, _ = tls_server
    config = smtp_config(security, port, username=USER, password="salah", ca_file=str(ca_file))
    with pytest.raises(DeliveryError) as refused, SmtpMailer(smtp_settings(config)) as mailer:
        mailer.send(a_message(), "monitor@example.go.id", "a@example.go.id")
    assert not refused.value.permanent
    assert "authentication" in str(refused.value)
    assert PASSWORD not in str(refused.value) and "salah" not in str(refused.value)
