"""``syncd check-config`` warns when alert mails would carry no link to the complaint
(``[alerts] complaint_url_template`` empty while alerts are sent), and still exits 0;
``--json`` gives the same as one object."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from syncd.cli import app

KEY = "alerts.complaint_url_template"
BASE = '[[sources]]\nname = "sim"\nkind = "simulator"\n'
ROUTE = '[[alerts.routes]]\nagency = "*"\nto = ["penghubung@example.go.id"]\n'


def check(tmp_path: Path, text: str, *options: str) -> tuple[int, str, str]:
    path = tmp_path / "syncd.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    result = CliRunner().invoke(app, ["check-config", "-c", str(path), *options])
    return result.exit_code, result.stdout, result.stderr


def test_it_warns_of_mail_without_a_link_and_exits_0(tmp_path: Path) -> None:
    code, stdout, stderr = check(tmp_path, BASE + "[alerts]\n" + ROUTE)

    assert code == 0, stderr
    assert stdout.endswith("(1 source, 1 warning)\n")
    (line,) = stderr.splitlines()
    assert line.startswith(f"WARNING {KEY}: empty: alert mails carry no link")


@pytest.mark.parametrize(
    "alerts",
    [
        '[alerts]\ncomplaint_url_template = "https://lapor.example.go.id/{tracking_id}"\n' + ROUTE,
        "[alerts]\nenabled = false\n" + ROUTE,
        "",  # no route: no mail at all
    ],
)
def test_it_says_nothing_when_mail_has_a_link_or_no_mail_goes(tmp_path: Path, alerts: str) -> None:
    code, stdout, stderr = check(tmp_path, BASE + alerts)

    assert code == 0, stderr
    assert stdout.endswith("(1 source)\n")
    assert KEY not in stderr


def test_check_config_json_lists_the_warnings(tmp_path: Path) -> None:
    code, stdout, _ = check(tmp_path, BASE + "[alerts]\n" + ROUTE, "--json")

    found = json.loads(stdout)
    assert code == 0
    assert found["ok"] is True
    assert found["sources"] == 1
    assert [warning["key"] for warning in found["warnings"]] == [KEY]


def test_check_config_json_lists_the_problems_and_exits_78(tmp_path: Path) -> None:
    code, stdout, stderr = check(tmp_path, BASE + "page_size = 0\n", "--json")

    found = json.loads(stdout)
    assert code == 78
    assert found["ok"] is False
    assert [problem["key"] for problem in found["problems"]] == ["sources[0].page_size"]
    assert "sources[0].page_size" in stderr
