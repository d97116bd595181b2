"""Weak settings: refused when too weak to run with (exit 78 with the key path), else
warned about by ``weak_settings``, in ``syncd check-config`` (still exit 0) and in
``syncd run``'s start-up log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from syncd.cli import app
from syncd.cli.check_config import load_and_warn
from syncd.config import ConfigError, FilesRead, read_config, weak_settings

EXAMPLE = Path(__file__).parents[2] / "deploy" / "syncd.example.toml"
SIMULATOR = '[[sources]]\nname = "sim"\nkind = "simulator"\n'
LAPOR = """
[[sources]]
name = "lapor"
kind = "sp4n-lapor"
base_url = "https://api.example.go.id/lapor/3.0.0"
api_key_file = "api_key"
token_file = "token"
"""


def write(tmp_path: Path, text: str, mode: int = 0o644) -> Path:
    path = tmp_path / "syncd.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    for name in ("api_key", "token"):
        secret = tmp_path / name
        secret.write_text(f"{name}-value\n")
        secret.chmod(0o600)
    return path


def warnings(tmp_path: Path, text: str, mode: int = 0o644) -> dict[str, str]:
    config, files = read_config(write(tmp_path, text, mode), environ={})
    found = weak_settings(config, files)
    assert len(dict(found)) == len(found), found  # one warning a key
    return dict(found)


def check_config(path: Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner(env=env).invoke(app, ["check-config", "-c", str(path)])
    return result.exit_code, result.stdout, result.stderr


# -- refused --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "login",
    ['username = "monitor"', 'password = "p"', 'password_file = "api_key"'],
)
@pytest.mark.parametrize("host", ["smtp.example.go.id", "10.1.2.3", "2001:db8::25"])
def test_it_refuses_an_smtp_login_in_clear_text_beyond_loopback(
    tmp_path: Path, host: str, login: str
) -> None:
    path = write(
        tmp_path, SIMULATOR + f'[alerts.smtp]\nhost = "{host}"\nsecurity = "none"\n{login}'
    )

    with pytest.raises(ConfigError) as caught:
        read_config(path, environ={})
    code, stdout, stderr = check_config(path)

    ((key, message),) = caught.value.problems
    assert key == "alerts.smtp.security"
    assert f"clear text to {host}" in message
    assert code == 78
    assert stdout == ""
    assert f"alerts.smtp.security: {message}" in stderr


def test_it_refuses_an_smtp_password_from_the_environment_in_clear_text(tmp_path: Path) -> None:
    path = write(
        tmp_path, SIMULATOR + '[alerts.smtp]\nhost = "smtp.example.go.id"\nsecurity = "none"'
    )

    code, _, stderr = check_config(path, env={"SYNCD_ALERTS_SMTP_PASSWORD": "p-SECRET"})

    assert code == 78
    assert "alerts.smtp.security: " in stderr
    assert "p-SECRET" not in stderr


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.53", "localhost", "mail.localhost", "::1"])
def test_it_allows_a_login_without_tls_on_loopback_and_says_nothing(
    tmp_path: Path, host: str
) -> None:
    text = SIMULATOR + f'[alerts.smtp]\nhost = "{host}"\nsecurity = "none"\nusername = "u"'

    assert warnings(tmp_path, text) == {}


# -- warned ---------------------------------------------------------------------------


def test_it_warns_of_mail_in_clear_text_beyond_loopback_without_a_login(tmp_path: Path) -> None:
    text = SIMULATOR + '[alerts.smtp]\nhost = "smtp.example.go.id"\nsecurity = "none"'

    found = warnings(tmp_path, text)

    assert list(found) == ["alerts.smtp.security"]
    assert "smtp.example.go.id, which is not loopback" in found["alerts.smtp.security"]


def test_it_warns_of_a_gateway_certificate_not_verified(tmp_path: Path) -> None:
    found = warnings(tmp_path, LAPOR + "verify_tls = false")

    assert list(found) == ["sources[0].verify_tls"]
    assert "not verified" in found["sources[0].verify_tls"]


def test_it_warns_of_credentials_sent_over_plain_http_beyond_loopback(tmp_path: Path) -> None:
    text = LAPOR.replace("https://api.example.go.id", "http://api.example.go.id")

    found = warnings(tmp_path, text)

    assert list(found) == ["sources[0].base_url"]
    assert "clear text" in found["sources[0].base_url"]
    assert warnings(tmp_path, text.replace("api.example.go.id", "127.0.0.1:8081")) == {}


@pytest.mark.parametrize(
    "listen", ["0.0.0.0:9477", "[::]:9477", "192.0.2.10:9477", "monitor.example.go.id:9477"]
)
def test_it_warns_of_metrics_served_beyond_loopback(tmp_path: Path, listen: str) -> None:
    found = warnings(tmp_path, SIMULATOR + f'[metrics]\nlisten = "{listen}"')

    assert list(found) == ["metrics.listen"]
    assert "not loopback" in found["metrics.listen"]


@pytest.mark.parametrize("listen", ["127.0.0.1:9477", "[::1]:9477", "localhost:9477"])
def test_it_says_nothing_of_metrics_on_loopback(tmp_path: Path, listen: str) -> None:
    assert warnings(tmp_path, SIMULATOR + f'[metrics]\nlisten = "{listen}"') == {}


@pytest.mark.parametrize(
    ("mode", "who"), [(0o644, "group and others"), (0o640, "its group"), (0o604, "others")]
)
def test_it_warns_of_a_secret_file_others_can_read(tmp_path: Path, mode: int, who: str) -> None:
    path = write(tmp_path, LAPOR)
    (tmp_path / "token").chmod(mode)

    config, files = read_config(path, environ={})
    found = dict(weak_settings(config, files))

    assert list(found) == ["sources[0].token_file"]
    assert found["sources[0].token_file"].startswith(
        f"{tmp_path / 'token'} is readable by {who} (mode {mode:04o})"
    )


def test_it_warns_of_secrets_written_in_a_file_others_can_read(tmp_path: Path) -> None:
    text = (
        SIMULATOR
        + '[database]\nurl = "postgresql+psycopg://syncd:db-SECRET@127.0.0.1/syncd"\n'
        + '[alerts.smtp]\nusername = "u"\npassword = "p-SECRET"'
    )

    found = warnings(tmp_path, text, mode=0o644)

    assert list(found) == ["alerts.smtp.password", "database.url"]
    assert "readable by group and others (mode 0644)" in found["alerts.smtp.password"]
    assert "password_file" in found["alerts.smtp.password"]
    assert "PGPASSFILE" in found["database.url"]
    assert not [text for text in found.values() if "SECRET" in text]
    assert warnings(tmp_path, text, mode=0o600) == {}


@pytest.mark.parametrize(
    ("url", "warned"),
    [
        ("postgresql+psycopg://syncd@db.example.go.id/syncd", True),
        ("postgresql+psycopg://syncd@db.example.go.id/syncd?sslmode=require", True),
        ("postgresql+psycopg://syncd@db.example.go.id/syncd?sslmode=verify-full", False),
        ("postgresql+psycopg://syncd@127.0.0.1/syncd", False),
        ("postgresql+psycopg://syncd@/syncd?host=/run/postgresql", False),
        ("sqlite:////var/lib/syncd/syncd.db", False),
    ],
)
def test_it_warns_of_a_database_reached_without_verified_tls(
    tmp_path: Path, url: str, warned: bool
) -> None:
    found = warnings(tmp_path, SIMULATOR + f'[database]\nurl = "{url}"')

    assert list(found) == (["database.url"] if warned else [])


def test_the_example_configuration_is_not_weak(tmp_path: Path) -> None:
    for name in ("lapor_api_key", "lapor_token"):
        (tmp_path / name).write_text("x\n")
        (tmp_path / name).chmod(0o400)

    config, files = read_config(EXAMPLE, environ={"CREDENTIALS_DIRECTORY": str(tmp_path)})

    assert [file.key for file in files.secret_files] == [
        "sources[0].api_key_file",
        "sources[0].token_file",
    ]
    # Its one warning: it cannot know the agency's link to a complaint (left empty).
    assert [key for key, _ in weak_settings(config, files)] == ["alerts.complaint_url_template"]


def test_it_needs_no_files_for_a_configuration_built_in_python(tmp_path: Path) -> None:
    config, _ = read_config(write(tmp_path, SIMULATOR + '[metrics]\nlisten = "0.0.0.0:9477"'))

    assert [key for key, _ in weak_settings(config)] == ["metrics.listen"]
    assert weak_settings(config, FilesRead()) == weak_settings(config)


# -- where they are told --------------------------------------------------------------


WEAK = (
    LAPOR
    + "verify_tls = false\n"
    + '[alerts.smtp]\nhost = "smtp.example.go.id"\nsecurity = "none"\n'
    + '[metrics]\nlisten = "0.0.0.0:9477"\n'
)


def test_check_config_lists_each_weak_setting_and_still_exits_0(tmp_path: Path) -> None:
    path = write(tmp_path, WEAK)
    (tmp_path / "api_key").chmod(0o644)

    code, stdout, stderr = check_config(path)

    assert code == 0, stderr
    assert stdout == f"config OK: {path} (1 source, 4 warnings)\n"
    lines = stderr.splitlines()
    assert [line.split(":", 1)[0] for line in lines] == [
        "WARNING sources[0].verify_tls",
        "WARNING alerts.smtp.security",
        "WARNING metrics.listen",
        "WARNING sources[0].api_key_file",
    ]
    assert "token-value" not in stderr
    assert "api_key-value" not in stderr


def test_syncd_run_logs_each_weak_setting_at_warning_when_it_loads(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write(tmp_path, WEAK)

    with caplog.at_level(logging.WARNING, logger="syncd.config"):
        config = load_and_warn(path)

    assert config.sources[0].verify_tls is False
    assert [record.levelno for record in caplog.records] == [logging.WARNING] * 3
    assert [record.getMessage().split(" ", 3)[2] for record in caplog.records] == [
        "key=sources[0].verify_tls",
        "key=alerts.smtp.security",
        "key=metrics.listen",
    ]
