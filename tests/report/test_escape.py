"""The escaping of upstream text for each output: examples, then any text at all."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from syncd.report.escape import csv_cell, markdown_cell, printable, rich_markup, rich_text

CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[31mmerah\x1b[0m", "merah"),  # colour (CSI ... m)
        ("a\x1b[2J\x1b[Hb", "ab"),  # clear the screen, cursor home
        ("\x1b]0;judul jendela\x07teks", "teks"),  # window title (OSC ... BEL)
        ("\x1b]8;;http://x\x1b\\tautan\x1b]8;;\x1b\\", "tautan"),  # hyperlink (OSC ... ST)
        ("a\x9b2Jb", "ab"),  # the 8-bit CSI
        ("\x1bPq#0;2;0;0;0\x1b\\gambar", "gambar"),  # DCS (sixel)
        ("a\x00b\x08c\x7fd\x85e", "abcde"),  # NUL, backspace, DEL, NEL
        ("abc\u202edcb", "abcdcb"),  # right-to-left override
        ("baris\r\ndua\rtiga\ttab", "baris\nduatiga tab"),
        ("\x1b", ""),
        ("Dinas Kesehatan", "Dinas Kesehatan"),
    ],
)
def test_printable_drops_escape_sequences_and_controls(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_printable_on_one_line() -> None:
    assert printable("satu\ndua\r\ntiga\u2028empat", newlines=False) == "satu dua tiga empat"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x","klik")', '\'=HYPERLINK("http://x","klik")'),
        ("+62 812", "'+62 812"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "' =1"),
        ("\r=1", "'=1"),
        ("\x1b[0m=1", "'=1"),  # a formula behind an escape sequence
        ("\uff1d1+1", "'\uff1d1+1"),  # fullwidth equals sign
        ("Dinas = Kesehatan", "Dinas = Kesehatan"),
        ("4251", "4251"),
        (0.5, 0.5),
        (3, 3),
    ],
)
def test_csv_cells_are_never_formulas(value: object, cell: object) -> None:
    assert csv_cell(value) == cell


def test_markdown_cells_are_text_on_one_line() -> None:
    assert markdown_cell("<b>x</b> & y") == "&lt;b&gt;x&lt;/b&gt; &amp; y"
    assert markdown_cell("a | b\nc") == r"a \| b c"
    assert markdown_cell("a\\|b") == r"a\\\|b"  # a backslash cannot unescape the pipe
    assert markdown_cell("[klik](javascript:x) *tebal* `kode`") == (
        r"\[klik\](javascript:x) \*tebal\* \`kode\`"
    )


def render(markup_or_text: object) -> str:
    out = io.StringIO()
    Console(file=out, width=200, emoji=False, color_system=None).print(markup_or_text)
    return out.getvalue()


def test_rich_shows_markup_literally() -> None:
    assert render(rich_text("[/red] [bold]x[/]")) == "[/red] [bold]x[/]\n"
    text = "[/red] [bold]x[/] a\\"  # a trailing backslash must not escape the closing tag
    assert render(f"[red]{rich_markup(text)}[/red]") == text + "\n"


@given(st.text())
def test_any_text_is_printable_on_a_rich_console(text: str) -> None:
    shown = render(f"[red]{rich_markup(text)}[/red]") + render(rich_text(text))
    assert CONTROLS.search(shown.replace("\n", "")) is None


@given(st.text())
def test_any_text_is_one_markdown_cell_and_no_html(text: str) -> None:
    cell = markdown_cell(text)
    assert "\n" not in cell and "<" not in cell and ">" not in cell
    assert re.search(r"(?<!\\)(\\\\)*\|", cell.replace("\\|", "")) is None
    assert CONTROLS.search(cell) is None


@given(st.text())
def test_any_text_is_a_csv_cell_and_never_a_formula(text: str) -> None:
    cell = csv_cell(text)
    assert isinstance(cell, str)
    assert cell.startswith("'") or not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert CONTROLS.search(cell.removeprefix("'")) is None
