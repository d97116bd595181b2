"""syncd.config: the strict TOML configuration and ``syncd check-config``."""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from connectors.records import CanonicalStatus
from syncd.cli import app
from syncd.cli.common import EXIT_CONFIG
from syncd.config import (
    DEFAULT_PATH,
    Config,
    ConfigError,
    DatabaseConfig,
    SourceConfig,
    format_duration,
    load_config,
    parse_duration,
    resolve_path,
)

EXAMPLE = Path(__file__).parents[2] / "deploy" / "syncd.example.toml"
SIMULATOR = '[[sources]]\nname = "sim"\nkind = "simulator"\n'
LAPOR = """
[[sources]]
name = "lapor-pusat"
kind = "sp4n-lapor"
base_url = "https://api.example.go.id/lapor/3.0.0"
"""
SECRETS = {"SYNCD_SOURCES_LAPOR_PUSAT_API_KEY": "k-env", "SYNCD_SOURCES_LAPOR_PUSAT_TOKEN": "t-env"}


def write(tmp_path: Path, text: str, name: str = "syncd.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> Config:
    return load_config(write(tmp_path, text), environ=environ or {})


def problems(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text, environ)
    return dict(caught.value.problems)


# -- defaults -------------------------------------------------------------------------


def test_it_fills_every_default_from_a_minimal_file(tmp_path: Path) -> None:
    config = load(tmp_path, SIMULATOR)

    assert config.database.url == "sqlite:////var/lib/syncd/syncd.db"
    (source,) = config.sources
    assert (source.name, source.kind, source.base_url) == ("sim", "simulator", None)
    assert (source.api_key, source.token) == (None, None)
    assert source.auth_header == "Authorization"
    assert source.timezone == "Asia/Jakarta"
    assert source.poll_interval == timedelta(minutes=2)
    assert (source.page_size, source.agencies) == (500, [])
    assert source.lookback == timedelta(minutes=10)
    assert (source.concurrency, source.verify_tls) == (8, True)
    assert source.status_codes[0] is CanonicalStatus.SUBMITTED
    assert source.status_codes[7] is CanonicalStatus.POSTPONED
    assert len(source.status_codes) == 8
    assert (source.complaints, source.seed) == (1000, 1)
    assert config.calendar.country == "ID"
    assert config.calendar.joint_holidays is True
    assert config.calendar.extra_holidays == config.calendar.extra_working_days == []
    assert config.agencies == []
    clocks = config.clocks
    assert (clocks.verification.working_days, clocks.verification.alert) == (3, False)
    assert (clocks.followup.working_days, clocks.followup.alert) == (5, True)
    assert (clocks.completion.working_days, clocks.completion.alert) == (14, True)
    assert clocks.completion.by_classification == {"Permintaan Informasi": 5}
    assert clocks.completion.field_examination_categories == []
    assert clocks.completion.field_examination_working_days == 60
    assert clocks.reporter_reply.working_days == 10
    alerts = config.alerts
    assert alerts.enabled is True
    assert alerts.from_ == "SP4N Monitor <sp4n-monitor@example.go.id>"
    assert alerts.language == "id"
    assert (alerts.send_at, alerts.office_hours_end) == (time(8), time(16))
    assert alerts.digest_at == time(7, 30)
    assert alerts.warn_working_days_before == [2, 0]
    assert alerts.escalate_after_working_days == 3
    assert alerts.complaint_url_template == ""
    assert (alerts.smtp.host, alerts.smtp.port, alerts.smtp.security) == (
        "127.0.0.1",
        587,
        "starttls",
    )
    assert (alerts.smtp.username, alerts.smtp.password) == ("", None)
    assert alerts.smtp.timeout == timedelta(seconds=30)
    assert alerts.routes == []
    assert config.metrics.listen == "127.0.0.1:9477"
    assert (config.metrics.host, config.metrics.port) == ("127.0.0.1", 9477)


def test_it_reads_every_section(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        LAPOR
        + """
agencies = [4251]
status_names = { "3" = "completed", "8" = "followed_up" }
[calendar]
extra_holidays = ["2026-12-31"]
extra_working_days = [2026-12-26]
[[agencies]]
id = 4251
name = "Pemerintah Kabupaten Sekadau"
timezone = "Asia/Pontianak"
[clocks.completion]
by_classification = { "Aspirasi" = 7 }
field_examination_categories = ["Infrastruktur"]
[alerts]
from = "monitor@example.go.id"
language = "en"
send_at = "07:45"
complaint_url_template = "https://lapor.example.go.id/{tracking_id}"
[[alerts.routes]]
agency = "*"
to = ["a@example.go.id"]
[[alerts.routes]]
agency = 4251
to = ["b@example.go.id"]
escalate_to = ["c@example.go.id"]
digest = false
[metrics]
listen = "[::1]:9100"
""",
        SECRETS,
    )

    source = config.source("lapor-pusat")
    assert source.agencies == [4251]
    assert source.status_codes[3] is CanonicalStatus.COMPLETED
    assert source.status_codes[8] is CanonicalStatus.FOLLOWED_UP
    assert source.status_codes[0] is CanonicalStatus.SUBMITTED  # merged over the default
    assert config.calendar.extra_holidays == [date(2026, 12, 31)]
    assert config.calendar.extra_working_days == [date(2026, 12, 26)]
    assert config.agency_timezone(4251) == "Asia/Pontianak"
    assert config.agency_timezone(1) == "Asia/Jakarta"
    assert config.clocks.completion.by_classification == {
        "Permintaan Informasi": 5,
        "Aspirasi": 7,
    }
    assert config.alerts.from_ == "monitor@example.go.id"
    assert config.alerts.send_at == time(7, 45)
    assert [route.agency for route in config.alerts.routes] == ["*", 4251]
    assert config.alerts.routes[1].escalate_to == ["c@example.go.id"]
    assert config.alerts.routes[1].digest is False
    assert (config.metrics.host, config.metrics.port) == ("::1", 9100)


def test_it_builds_from_python_without_a_file() -> None:
    config = Config(sources=[SourceConfig(name="sim", kind="simulator", poll_interval="30s")])

    assert config.sources[0].poll_interval == timedelta(seconds=30)


# -- durations ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", timedelta(seconds=30)),
        ("2m", timedelta(minutes=2)),
        ("1h", timedelta(hours=1)),
        ("1d", timedelta(days=1)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("2m30s", timedelta(minutes=2, seconds=30)),
        ("1d2h3m4s", timedelta(days=1, hours=2, minutes=3, seconds=4)),
        ("90s", timedelta(seconds=90)),
        ("0s", timedelta(0)),
    ],
)
def test_it_reads_every_duration_form(tmp_path: Path, text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected
    assert load(tmp_path, SIMULATOR + f'lookback = "{text}"').sources[0].lookback == expected


@pytest.mark.parametrize(
    "value", ['"2"', '"2 min"', '"1.5h"', '"-1m"', '""', '"m"', '"1m1h"', '"1H"', "120", "true"]
)
def test_it_refuses_a_malformed_duration(tmp_path: Path, value: str) -> None:
    found = problems(tmp_path, SIMULATOR + f"lookback = {value}")

    assert list(found) == ["sources[0].lookback"]
    assert '"30s", "2m", "1h" or "1h30m"' in found["sources[0].lookback"]


def test_it_refuses_a_zero_poll_interval(tmp_path: Path) -> None:
    found = problems(tmp_path, SIMULATOR + 'poll_interval = "0s"\n[alerts.smtp]\ntimeout = "0m"')

    assert found == {
        "sources[0].poll_interval": "must be longer than 0s",
        "alerts.smtp.timeout": "must be longer than 0s",
    }


def test_it_spells_durations_back() -> None:
    assert format_duration(timedelta(hours=1, minutes=30)) == "1h30m"
    assert format_duration(timedelta(0)) == "0s"
    assert parse_duration(format_duration(timedelta(days=2, seconds=5))) == timedelta(
        days=2, seconds=5
    )


# -- problems -------------------------------------------------------------------------


def test_it_reports_an_unknown_key_at_the_top_level(tmp_path: Path) -> None:
    assert problems(tmp_path, "databse = {}\n" + SIMULATOR) == {"databse": "unknown key"}


@pytest.mark.parametrize(
    ("text", "path"),
    [
        (SIMULATOR + "pagesize = 10", "sources[0].pagesize"),
        (SIMULATOR + "[database]\nuri = 'x'", "database.uri"),
        (SIMULATOR + "[alerts.smtp]\nhostname = 'x'", "alerts.smtp.hostname"),
        (SIMULATOR + "[clocks.reporter_reply]\nalert = true", "clocks.reporter_reply.alert"),
        (SIMULATOR + "[clocks.weekly]\nworking_days = 1", "clocks.weekly"),
        (
            SIMULATOR + "[[alerts.routes]]\nagency = 1\nto = ['a@b.id']\ncc = []",
            "alerts.routes[0].cc",
        ),
        (SIMULATOR + "[alerts]\nfrom_ = 'a@b.id'", "alerts.from_"),
    ],
)
def test_it_reports_a_nested_unknown_key_with_its_path(
    tmp_path: Path, text: str, path: str
) -> None:
    found = problems(tmp_path, text)

    assert list(found) == [path]
    assert found[path].startswith("unknown key")


def test_it_reports_every_problem_at_once(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """
[database]
url = "/var/lib/syncd.db"
[[sources]]
name = "lapor"
kind = "sp4n-lapor"
page_size = 0
poll_interval = "2 min"
timezone = "Asia/Jakartaa"
seed = 3
status_names = { "3" = "done" }
[[sources]]
name = "sim"
kind = "simulator"
base_url = "http://127.0.0.1:8081"
concurrency = 65
[[agencies]]
id = 1
[alerts]
send_at = "8am"
office_hours_end = "17:00"
language = "jv"
warn_working_days_before = [2, 2]
complaint_url_template = "https://x.id/{nope}"
[alerts.smtp]
port = 70000
security = "ssl"
[[alerts.routes]]
agency = "all"
to = ["not-an-address"]
[metrics]
listen = "9477"
""",
    )

    assert set(found) == {
        "database.url",
        "sources[0].page_size",
        "sources[0].poll_interval",
        "sources[0].timezone",
        "sources[0].seed",
        'sources[0].status_names["3"]',
        "sources[0].base_url",
        "sources[0].api_key",
        "sources[0].token",
        "sources[1].base_url",
        "sources[1].concurrency",
        "agencies[0].name",
        "alerts.send_at",
        "alerts.language",
        "alerts.warn_working_days_before",
        "alerts.complaint_url_template",
        "alerts.smtp.port",
        "alerts.smtp.security",
        "alerts.routes[0].agency",
        "alerts.routes[0].to[0]",
        "metrics.listen",
    }
    assert found["sources[0].seed"] == 'only for kind "simulator"'
    assert found["sources[0].api_key"].endswith("$SYNCD_SOURCES_LAPOR_API_KEY")
    assert found["agencies[0].name"] == "required"
    assert "IANA time zone" in found["sources[0].timezone"]


def test_it_lists_one_problem_a_line_after_the_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, SIMULATOR + "page_size = 0\n[metrics]\nlisten = 'x'")

    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})

    lines = str(caught.value).splitlines()
    assert lines[0] == f"{path}: 2 problems"
    assert lines[1].strip().startswith("sources[0].page_size: ")
    assert lines[2].strip().startswith("metrics.listen: ")
    assert caught.value.path == path


def test_it_requires_a_source(tmp_path: Path) -> None:
    assert problems(tmp_path, "") == {"sources": "at least one [[sources]] table is required"}


def test_it_refuses_two_sources_with_one_name(tmp_path: Path) -> None:
    found = problems(tmp_path, SIMULATOR + SIMULATOR)

    assert found == {"sources": "source name 'sim' appears twice ([0] and [1])"}


def test_it_refuses_a_source_name_unfit_for_metrics_and_keys(tmp_path: Path) -> None:
    found = problems(tmp_path, '[[sources]]\nname = "a:b"\nkind = "simulator"')

    assert list(found) == ["sources[0].name"]


def test_it_refuses_office_hours_that_end_before_they_start(tmp_path: Path) -> None:
    found = problems(
        tmp_path, SIMULATOR + '[alerts]\nsend_at = "16:00"\noffice_hours_end = "08:00"'
    )

    assert found == {"alerts": "office_hours_end (08:00) must be after send_at (16:00)"}


def test_it_names_the_line_of_a_toml_syntax_error(tmp_path: Path) -> None:
    path = write(tmp_path, SIMULATOR + "page_size = \n")

    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})

    ((key, text),) = caught.value.problems
    assert key == ""
    assert text.startswith("not valid TOML")
    assert "line 4" in text
    assert str(caught.value).startswith(f"{path}: not valid TOML")


def test_it_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "absent.toml", environ={})

    assert "no such file" in str(caught.value)


# -- secrets --------------------------------------------------------------------------


def test_it_takes_a_secret_from_the_file(tmp_path: Path) -> None:
    source = load(tmp_path, LAPOR + 'api_key = "k-value"\ntoken = "t-value"').sources[0]

    assert (source.api_key, source.token) == ("k-value", "t-value")


def test_it_takes_a_secret_from_an_absolute_file(tmp_path: Path) -> None:
    (tmp_path / "key").write_text("k-file\n")
    (tmp_path / "token").write_text("t-file\r\n")

    source = load(
        tmp_path, LAPOR + f'api_key_file = "{tmp_path}/key"\ntoken_file = "{tmp_path}/token"'
    ).sources[0]

    assert (source.api_key, source.token) == ("k-file", "t-file")


def test_it_reads_relative_secret_files_under_the_credentials_directory(tmp_path: Path) -> None:
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    (credentials / "lapor_api_key").write_text("k-cred\n")
    (credentials / "lapor_token").write_text("t-cred")
    (tmp_path / "lapor_api_key").write_text("beside the config: not used\n")
    text = LAPOR + 'api_key_file = "lapor_api_key"\ntoken_file = "lapor_token"'

    source = load(tmp_path, text, {"CREDENTIALS_DIRECTORY": str(credentials)}).sources[0]

    assert (source.api_key, source.token) == ("k-cred", "t-cred")


def test_it_reads_relative_secret_files_beside_the_config_otherwise(tmp_path: Path) -> None:
    (tmp_path / "smtp_password").write_text("p-file\n")

    config = load(tmp_path, SIMULATOR + '[alerts.smtp]\npassword_file = "smtp_password"')

    assert config.alerts.smtp.password == "p-file"


def test_it_takes_secrets_from_the_environment(tmp_path: Path) -> None:
    environ = {**SECRETS, "SYNCD_ALERTS_SMTP_PASSWORD": "p-env"}

    config = load(tmp_path, LAPOR, environ)

    assert (config.sources[0].api_key, config.sources[0].token) == ("k-env", "t-env")
    assert config.alerts.smtp.password == "p-env"


def test_it_prefers_the_value_then_the_file_then_the_environment(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("t-file\n")

    source = load(tmp_path, LAPOR + 'api_key = "k-value"\ntoken_file = "token"', SECRETS).sources[0]

    assert (source.api_key, source.token) == ("k-value", "t-file")


def test_it_treats_an_empty_secret_file_name_as_none(tmp_path: Path) -> None:
    config = load(tmp_path, SIMULATOR + '[alerts.smtp]\npassword_file = ""')

    assert config.alerts.smtp.password is None


def test_it_refuses_a_secret_given_twice(tmp_path: Path) -> None:
    (tmp_path / "key").write_text("k-file\n")

    found = problems(tmp_path, LAPOR + 'api_key = "k"\napi_key_file = "key"', SECRETS)

    assert found == {"sources[0].api_key": "give api_key or api_key_file, not both"}


def test_it_reports_an_unreadable_secret_file_at_its_key(tmp_path: Path) -> None:
    (tmp_path / "empty").write_text("\n")
    text = LAPOR + 'api_key_file = "absent"\ntoken_file = "empty"'

    found = problems(tmp_path, text, SECRETS)

    assert found == {
        "sources[0].api_key_file": f"cannot read {tmp_path}/absent: No such file or directory",
        "sources[0].token_file": f"{tmp_path}/empty is empty",
    }


def test_it_requires_credentials_for_a_lapor_source(tmp_path: Path) -> None:
    found = problems(tmp_path, LAPOR)

    assert set(found) == {"sources[0].api_key", "sources[0].token"}
    assert "SYNCD_SOURCES_LAPOR_PUSAT_TOKEN" in found["sources[0].token"]


def test_it_never_shows_a_secret(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("t-SECRET-file\n")
    config = load(
        tmp_path,
        LAPOR
        + 'api_key = "k-SECRET-value"\ntoken_file = "token"\n'
        + '[alerts.smtp]\nusername = "u"\npassword = "p-SECRET-value"',
    )

    shown = [repr(config), str(config), repr(config.sources[0]), str(config.alerts.smtp)]
    shown += [config.model_dump_json(), repr(config.model_dump())]
    assert not [text for text in shown if "SECRET" in text]
    assert config.sources[0].api_key == "k-SECRET-value"
    assert config.alerts.smtp.password == "p-SECRET-value"


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://syncd:db-SECRET@db.example.go.id:5432/syncd",
        "postgresql+psycopg://syncd:db-SECRET@db.example.go.id/syncd?sslmode=verify-full",
        "postgresql+psycopg://syncd@db.example.go.id/syncd?password=db-SECRET",
        "postgresql+psycopg://syncd:db@SECRET@db.example.go.id/syncd",
    ],
)
def test_it_never_shows_the_database_password(url: str) -> None:
    config = Config(
        database={"url": url},
        sources=[
            SourceConfig(
                name="lapor",
                kind="sp4n-lapor",
                base_url="https://api.example.go.id",
                api_key="k-SECRET",
                token="t-SECRET",
            )
        ],
        alerts={"smtp": {"username": "u", "password": "p-SECRET"}},
    )

    shown = [repr(config), str(config), repr(config.database), str(config.database)]
    shown += [config.model_dump_json(), repr(config.model_dump())]
    assert not [text for text in shown if "SECRET" in text]
    assert "db.example.go.id" in repr(config.database)
    assert config.database.url == url
    assert "SECRET" not in repr(config.database.url_secret) + str(config.database.url_secret)
    assert DatabaseConfig.model_validate(config.database.model_dump(by_alias=True)).url == url


def test_it_shows_the_database_url_without_its_password() -> None:
    config = Config(
        database={"url": "postgresql+psycopg://syncd:db-SECRET@db/syncd"},
        sources=[SourceConfig(name="sim", kind="simulator")],
    )

    assert repr(config.database) == (
        "DatabaseConfig(url=SecretUrl('postgresql+psycopg://syncd:***@db/syncd'))"
    )


def test_it_never_shows_the_database_password_in_a_problem(tmp_path: Path) -> None:
    found = problems(tmp_path, SIMULATOR + '[database]\nurl = "Postgres://syncd:db-SECRET@db/x"')

    assert list(found) == ["database.url"]
    assert "SECRET" not in found["database.url"]
    assert "'Postgres://syncd:***@db/x' is not a database URL" in found["database.url"]


def test_it_never_shows_a_secret_in_a_problem(tmp_path: Path) -> None:
    (tmp_path / "key").write_text("k-SECRET-file\n")
    text = """
[[sources]]
name = "lapor"
kind = "sp4n-lapor"
base_url = "not a url"
api_key = ["k-SECRET-value"]
token = 12345678
[alerts.smtp]
password = "p-SECRET-value"
password_file = "key"
"""
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)

    assert "SECRET" not in str(caught.value)
    assert "12345678" not in str(caught.value)
    assert {key for key, _ in caught.value.problems} == {
        "sources[0].base_url",
        "sources[0].api_key",
        "sources[0].token",
        "alerts.smtp.password",
    }


# -- kinds ----------------------------------------------------------------------------


def test_it_refuses_a_base_url_for_the_in_process_simulator(tmp_path: Path) -> None:
    found = problems(tmp_path, SIMULATOR + 'base_url = "http://127.0.0.1:8081"')

    assert list(found) == ["sources[0].base_url"]


def test_it_refuses_simulator_keys_on_a_lapor_source(tmp_path: Path) -> None:
    found = problems(tmp_path, LAPOR + "complaints = 5\nseed = 2", SECRETS)

    assert found == {
        "sources[0].complaints": 'only for kind "simulator"',
        "sources[0].seed": 'only for kind "simulator"',
    }


# -- the example and the path ---------------------------------------------------------


def test_it_validates_the_example_file(tmp_path: Path) -> None:
    (tmp_path / "lapor_api_key").write_text("k\n")
    (tmp_path / "lapor_token").write_text("t\n")

    config = load_config(EXAMPLE, environ={"CREDENTIALS_DIRECTORY": str(tmp_path)})

    assert [source.name for source in config.sources] == ["lapor"]
    assert (config.sources[0].api_key, config.sources[0].token) == ("k", "t")
    assert config.agencies[0].timezone == "Asia/Pontianak"
    assert config.alerts.routes[0].agency == 4251
    assert config.alerts.smtp.password is None


def test_it_finds_the_file_from_the_option_then_the_environment() -> None:
    assert resolve_path(Path("a.toml"), environ={"SYNCD_CONFIG": "b.toml"}) == Path("a.toml")
    assert resolve_path(None, environ={"SYNCD_CONFIG": "b.toml"}) == Path("b.toml")
    assert resolve_path(None, environ={}) == DEFAULT_PATH == Path("/etc/syncd/syncd.toml")


# -- syncd check-config ---------------------------------------------------------------


def test_it_says_ok_for_a_good_file(tmp_path: Path) -> None:
    path = write(tmp_path, SIMULATOR)

    result = CliRunner().invoke(app, ["check-config", "-c", str(path)])

    assert result.exit_code == 0, result.output
    assert result.stdout == f"config OK: {path} (1 source)\n"


def test_it_checks_the_example_with_systemd_credentials(tmp_path: Path) -> None:
    (tmp_path / "lapor_api_key").write_text("k\n")
    (tmp_path / "lapor_token").write_text("t\n")
    runner = CliRunner(env={"CREDENTIALS_DIRECTORY": str(tmp_path)})

    result = runner.invoke(app, ["check-config", "--config", str(EXAMPLE)])

    assert result.exit_code == 0, result.output


def test_it_exits_78_with_every_problem_on_stderr(tmp_path: Path) -> None:
    path = write(tmp_path, SIMULATOR + "page_size = 0\n[metrics]\nlisten = 'x'")

    result = CliRunner().invoke(app, ["check-config", "-c", str(path)])

    assert result.exit_code == EXIT_CONFIG == 78
    assert result.stdout == ""
    assert str(path) in result.stderr
    assert "sources[0].page_size: " in result.stderr
    assert "metrics.listen: " in result.stderr


def test_it_exits_78_for_a_missing_file_named_by_the_environment(tmp_path: Path) -> None:
    runner = CliRunner(env={"SYNCD_CONFIG": str(tmp_path / "absent.toml")})

    result = runner.invoke(app, ["check-config"])

    assert result.exit_code == 78
    assert f"{tmp_path / 'absent.toml'}: no such file" in result.stderr


def test_it_checks_a_source_built_in_python_like_one_read_from_a_file() -> None:
    source = SourceConfig(
        name="lapor", kind="sp4n-lapor", base_url="http://127.0.0.1:8081", api_key="k", token="t"
    )
    assert (source.api_key, source.token) == ("k", "t")

    with pytest.raises(ValidationError) as caught:
        SourceConfig(name="lapor", kind="sp4n-lapor", base_url="http://127.0.0.1:8081")

    assert {error["loc"] for error in caught.value.errors()} == {("api_key",), ("token",)}


def test_grade_bands_must_be_four_falling_ratios(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, SIMULATOR), environ={}).compliance.grade_bands == [
        0.95,
        0.85,
        0.70,
        0.50,
    ]
    rising = problems(tmp_path, SIMULATOR + "[compliance]\ngrade_bands = [0.9, 0.95, 0.5, 0.4]")
    assert rising == {"compliance.grade_bands": "the floors must fall from grade 5 to grade 2"}
    short = problems(tmp_path, SIMULATOR + "[compliance]\ngrade_bands = [0.9, 0.5]")
    assert short == {"compliance.grade_bands": "give 4 floors (for grades 5, 4, 3 and 2), not 2"}
    above = problems(tmp_path, SIMULATOR + "[compliance]\ngrade_bands = [1.5, 0.9, 0.5, 0.4]")
    assert above == {"compliance.grade_bands": "each floor is a ratio above 0 and at most 1"}


def test_a_gateway_source_is_held_to_the_contracts_budget_and_the_simulator_is_not(
    tmp_path: Path,
) -> None:
    config = load(tmp_path, LAPOR + SIMULATOR, SECRETS)
    lapor, sim = config.sources
    assert lapor.discovery == sim.discovery == "auto"
    assert lapor.request_budget == (2.0, 4)
    assert sim.request_budget == (None, None)
    assert lapor.tracking.urgent_every == timedelta(minutes=15)
    assert lapor.tracking.closed_for == timedelta(days=30)


def test_it_reads_discovery_the_budget_and_the_tracking_schedule(tmp_path: Path) -> None:
    text = LAPOR + (
        'discovery = "tracked"\nmax_requests_per_second = 0.5\nmax_concurrency = 2\n'
        '[sources.tracking]\nurgent_every = "5m"\nclosed_for = "7d"\n'
    )
    source = load(tmp_path, text, SECRETS).sources[0]
    assert source.discovery == "tracked"
    assert source.request_budget == (0.5, 2)
    assert source.tracking.urgent_every == timedelta(minutes=5)
    assert source.tracking.active_every == timedelta(hours=2)


def test_it_names_a_bad_discovery_budget_or_tracking_key(tmp_path: Path) -> None:
    text = LAPOR + (
        'discovery = "webhook"\nmax_requests_per_second = 0\n'
        '[sources.tracking]\nurgent_every = "soon"\nevery = "1h"\n'
    )
    found = problems(tmp_path, text, SECRETS)
    assert set(found) >= {
        "sources[0].discovery",
        "sources[0].max_requests_per_second",
        "sources[0].tracking.urgent_every",
        "sources[0].tracking.every",
    }
