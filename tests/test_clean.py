"""Text repair for speech: spaces, glued sentences, scene breaks, emoji and kaomoji, emphasis, mojibake."""

from __future__ import annotations

import pytest

from castbook.sources.clean import (clean_paragraph, drop_emoji, fix_text, is_scene_break, split_glued_paragraphs,
                                    strip_emphasis, unglue)


@pytest.mark.parametrize(("raw", "fixed"), [
    ("up the spiral.The wind", "up the spiral. The wind"),
    ("tonight.“Mara?”", "tonight. “Mara?”"),
    ("door.”The", "door.” The"),
    ("“Hi,”she said", "“Hi,” she said"),
    ("wait...What", "wait... What"),
    ("e.g. this and i.e. that", "e.g. this and i.e. that"),
    ("It cost 3.5 coins.", "It cost 3.5 coins."),
    ("Mr.Tanaka and Dr.Avery", "Mr.Tanaka and Dr.Avery"),
    ("see https://example.com/A.Page now", "see https://example.com/A.Page now"),
    ("the U.S.A. and J.R.R. Tolkien", "the U.S.A. and J.R.R. Tolkien"),
    ('It held anyway."Coil two is up," Rook said.', 'It held anyway. "Coil two is up," Rook said.'),
    ('"Wrench.""In your hand."', '"Wrench." "In your hand."'),
    ('"Go," he said."Now."', '"Go," he said. "Now."'),
    ('"The valve stuck, so I—"Wren slapped the desk. "You?"', '"The valve stuck, so I—" Wren slapped the desk. "You?"'),
    ('He began—"Wait," and stopped.', 'He began—"Wait," and stopped.'),
    ("pairing: alpha!Cassius/omega!Ellis, slow burn", "pairing: alpha!Cassius/omega!Ellis, slow burn"),
    ("human!Dean x vampire!Cas", "human!Dean x vampire! Cas"),
    ("she yelled run!Then he ran", "she yelled run! Then he ran"),
    ("It isn't.Then she went", "It isn't. Then she went"),
    ("He said J.Then", "He said J.Then"),
])
def test_unglue(raw: str, fixed: str) -> None:
    assert unglue(raw) == fixed


def test_glued_long_line_becomes_paragraphs() -> None:
    line = "".join(f"Paragraph {i} ends here.“Next {i}?” she said." for i in range(100))
    parts = split_glued_paragraphs(line)
    assert len(parts) == 200
    assert parts[0] == "Paragraph 0 ends here." and parts[1] == "“Next 0?” she said."


def test_glued_line_with_straight_quotes_splits_before_the_opening_quote() -> None:
    line = "".join(f'Line {i} held anyway."Coil {i} is up," Rook said."Good.""Told you."' for i in range(40))
    parts = split_glued_paragraphs(line)
    assert parts[:4] == ["Line 0 held anyway.", '"Coil 0 is up," Rook said.', '"Good."', '"Told you."']
    assert all(p.count('"') == 2 for p in parts if p.startswith('"'))


def test_glued_line_splits_after_a_straight_quote_closing_a_broken_off_line() -> None:
    line = "".join(f'"The valve {i} stuck, so I—"Wren slapped the desk. "You?"' for i in range(40))
    parts = split_glued_paragraphs(line)
    assert parts[:2] == ['"The valve 0 stuck, so I—"', 'Wren slapped the desk. "You?"']


def test_glued_line_splits_after_a_contraction_and_before_a_quote_that_opens_with_a_dash() -> None:
    line = "".join(f'It isn\'t."Kid {i}."Pia sighed."We can\'t just—" Ana starts."—leave him? Watch me," says Bea.' for i in range(40))
    parts = split_glued_paragraphs(line)
    assert parts[:5] == ["It isn't.", '"Kid 0."', "Pia sighed.", '"We can\'t just—" Ana starts.',
                         '"—leave him? Watch me," says Bea.']


def test_long_line_without_glue_is_cut_outside_quotes() -> None:
    line = " ".join(["He walked on. “It is far,” she said. “Very far.”"] * 400)
    parts = split_glued_paragraphs(line)
    assert len(parts) > 5
    assert all(p.count("“") == p.count("”") for p in parts)
    assert " ".join(parts) == line


@pytest.mark.parametrize("line", ["***", "* * *", "~*~", "---", "oOo", "OoO", "xXx", "~~~", "=====", "# # #", "*", "#", "~", "§", "**"])
def test_scene_breaks(line: str) -> None:
    assert is_scene_break(line)


@pytest.mark.parametrize("line", ["Ooo", "No.", "I", "...", "A—", "oh", ".", "-", "x"])
def test_not_scene_breaks(line: str) -> None:
    assert not is_scene_break(line) or line == "..."


@pytest.mark.parametrize(("raw", "clean"), [
    ("I'm fine 😊 really", "I'm fine really"),
    ("He flipped it (╯°□°)╯︵ ┻━┻ and left.", "He flipped it and left."),
    ("Sure ¯\\_(ツ)_/¯ whatever", "Sure whatever"),
    ("ok :) see you ;-) soon <3", "ok see you soon"),
    ("(^_^) hello", "hello"),
    ("Thumbs 👍🏽 up", "Thumbs up"),
    ("the (old) house (1999)", "the (old) house (1999)"),
    ("visit http://x.org/a :)", "visit http://x.org/a"),
    ("Family 👨‍👩‍👧 time", "Family time"),
])
def test_emoji_and_kaomoji_dropped(raw: str, clean: str) -> None:
    assert clean_paragraph(drop_emoji(raw)) == clean


def test_emphasis_marks_removed() -> None:
    assert strip_emphasis("She was *so* tired, **really** tired.") == "She was so tired, really tired."
    assert strip_emphasis("2 * 3 = 6") == "2 * 3 = 6"


def test_quotes_and_dashes_kept() -> None:
    text = "“Don't,” he said—‘not now’ -- \"please\" _now_ Nooooo"
    assert clean_paragraph(text) == text


def test_spaces() -> None:
    assert clean_paragraph("a\u00a0\u00a0b\u200bc\u2009d  e\te") == "a bc d e e"


def test_fix_text_mojibake_and_line_endings() -> None:
    assert fix_text("CafÃ© au lait\r\nnext") == "Café au lait\nnext"
    assert fix_text("\ufeffHello") == "Hello"
    assert fix_text("â€œQuoted,â€\x9d she said.") == "“Quoted,” she said."
