"""Upstream text made safe for each output it reaches.

Agency names, titles, classifications, status names, tracking ids: whatever came
from the platform is plain text, never a terminal command, a spreadsheet formula,
Markdown, HTML or Rich markup. Every renderer puts such text through one of these:

- ``printable``: no terminal escape sequence (ANSI CSI, OSC and the like are dropped
  whole), no other C0 or C1 control, no bidirectional override; newlines kept or
  made spaces;
- ``csv_cell``: printable, and a cell starting with ``=``, ``+``, ``-``, ``@`` (or
  tab, CR) gets a leading ``'`` so a spreadsheet shows it rather than computes it
  (OWASP, CSV injection);
- ``markdown_cell``: printable on one line, HTML special characters as entities,
  Markdown punctuation (the table's pipe among it) backslash-escaped;
- ``rich_text`` and ``rich_markup``: for a Rich console, a ``Text`` (no markup and
  no emoji codes read in it) or, inside a markup string, ``rich.markup.escape``.

HTML goes through Jinja2's autoescape (``syncd.report.html``, the alert mail) and
JSON through ``json.dumps``; neither needs more.
"""

from __future__ import annotations

import html
import re

from rich.markup import escape as escape_markup
from rich.text import Text

# ECMA-48: control sequences (CSI, 7- and 8-bit), control strings (OSC, DCS, SOS, PM,
# APC) up to their terminator or the end of the text, and two-character escapes.
_SEQUENCES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
# What is left of C0 and C1 (tab and newline apart), DEL, and the bidirectional
# embeddings, overrides and isolates that make a terminal show text reordered.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile(r"[\t\u2028\u2029]|\r\n|\n")

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""What makes a spreadsheet read a cell as a formula (the fullwidth forms too)."""

_MARKDOWN_PUNCTUATION = re.compile(r"[\\`*_\[\]|~]")


def printable(text: str, *, newlines: bool = True) -> str:
    """``text`` without escape sequences or control characters; a tab becomes a
    space, and so does a newline unless ``newlines``."""
    text = _SEQUENCES.sub("", text)
    if newlines:
        text = text.replace("\r\n", "\n").replace("\t", " ")
    else:
        text = _LINE_BREAKS.sub(" ", text)
    return _CONTROLS.sub("", text)


def csv_cell(value: object) -> object:
    """A text cell printable and never a formula; numbers and None as they are."""
    if not isinstance(value, str):
        return value
    cleaned = printable(value)
    formula = value.startswith(FORMULA_START) or cleaned.startswith(FORMULA_START)
    return "'" + cleaned if formula else cleaned


def markdown_cell(text: str) -> str:
    """One line of a Markdown table: no HTML gets through and no pipe ends the cell."""
    escaped = html.escape(printable(text, newlines=False), quote=False)
    return _MARKDOWN_PUNCTUATION.sub(r"\\\g<0>", escaped)


def rich_text(text: str, style: str = "", *, newlines: bool = True) -> Text:
    """A cell or title for a Rich table: shown literally, styled as a whole."""
    return Text(printable(text, newlines=newlines), style=style)


def rich_markup(text: str) -> str:
    """For an f-string that Rich reads as markup: the text shown literally."""
    return escape_markup(printable(text))
