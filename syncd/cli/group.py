"""``--log-level`` after the command's name too: ``syncd sync -c F --log-level debug``
reads as ``syncd --log-level debug sync -c F``.

The root group takes the option out of the command's arguments and hands it to its
own ``--log-level`` (after any given before the name, so that the later one wins,
and over ``SYNCD_LOG_LEVEL``). Nothing after a ``--`` is touched.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperGroup

OPTION = "--log-level"


def hoist_log_level(args: list[str]) -> list[str]:
    """``args`` with each ``--log-level LEVEL`` (or ``--log-level=LEVEL``) found after
    the command's name moved just before it."""
    start = 0
    while start < len(args) and args[start].startswith("-") and args[start] != "--":
        start += 2 if args[start] == OPTION else 1
    before, after = args[:start], args[start:]
    hoisted: list[str] = []
    kept: list[str] = []
    index = 0
    while index < len(after):
        arg = after[index]
        if arg == "--":
            kept.extend(after[index:])
            break
        if arg == OPTION and index + 1 < len(after):
            hoisted.extend(after[index : index + 2])
            index += 2
            continue
        if arg.startswith(OPTION + "="):
            hoisted.append(arg)
        else:
            kept.append(arg)
        index += 1
    return [*before, *hoisted, *kept]


class LogLevelAnywhere(TyperGroup):
    """The root group: its ``--log-level`` also after the command's name."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_log_level(args))
