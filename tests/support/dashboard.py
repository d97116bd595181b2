"""The Grafana dashboard of deploy/grafana as the tests read it: its panels, and each
query with Grafana's variables filled in as Grafana would fill them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DASHBOARD = Path(__file__).parents[2] / "deploy" / "grafana" / "dashboards" / "syncd.json"
ALL_AGENCIES = ".+"
"""What Grafana puts for ``$agency`` when All is chosen (the variable's allValue)."""


@dataclass(frozen=True)
class Query:
    panel: str
    """The panel's title, or ``variable <name>`` for a template variable's query."""
    kind: str
    """The panel's type (stat, table, ...), or ``variable``."""
    expr: str
    legend: str


def board() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return loaded


def panels() -> list[dict[str, Any]]:
    """Every panel but the rows, those folded into a collapsed row included."""
    found: list[dict[str, Any]] = []
    for panel in board()["panels"]:
        if panel["type"] == "row":
            found.extend(panel.get("panels", []))
        else:
            found.append(panel)
    return found


def queries() -> list[Query]:
    """Every query of the dashboard: the panels' targets and the variables' queries."""
    found = [
        Query(panel["title"], panel["type"], target["expr"], target.get("legendFormat", ""))
        for panel in panels()
        for target in panel.get("targets", [])
    ]
    for variable in board()["templating"]["list"]:
        definition = variable.get("definition", "")
        if definition.startswith("query_result("):
            expr = definition.removeprefix("query_result(").removesuffix(")")
            found.append(Query(f"variable {variable['name']}", "variable", expr, ""))
    return found


def filled(expr: str, *, agency: str, year: int) -> str:
    """``expr`` with the dashboard's variables as Grafana fills them."""
    text = expr
    for variable, value in {
        "${__to:date:YYYY}": str(year),
        "$__rate_interval": "1m",
        "$agency": agency,
    }.items():
        text = text.replace(variable, value)
    assert "$" not in text, f"a variable the tests do not fill: {text}"
    return text


def legend(template: str, labels: dict[str, str]) -> str:
    """A series' legend as Grafana writes it from ``legendFormat``; with none, Grafana
    shows all the labels."""
    if not template:
        return json.dumps(labels, sort_keys=True)
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: labels.get(m.group(1), ""), template)
