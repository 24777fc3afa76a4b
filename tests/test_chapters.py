"""Chapter splitting: golden cases in tests/data/chapter_cases, plus heading rules one by one."""

from __future__ import annotations

from pathlib import Path

import pytest

from castbook.chapters import parse_heading, roman_value, split_chapters, tidy_title
from castbook.model import SCENE_BREAK
from castbook.sources.text import load_text

CASES = sorted((Path(__file__).resolve().parent / "data" / "chapter_cases").glob("*.txt"))


def read_case(path: Path) -> tuple[str, list[tuple[str, str]], list[str], int | None]:
    """A case file: input text, a `# expected` line, then `Title | first words` per chapter.

    Optional lines: `! not: <text>` (never in the story text), `= breaks: <n>` (scene breaks in the work).
    """
    source, _, expected = path.read_text(encoding="utf-8").partition("\n# expected\n")
    chapters, absent, breaks = [], [], None
    for line in expected.splitlines():
        if line.startswith("! not: "):
            absent.append(line[7:])
        elif line.startswith("= breaks: "):
            breaks = int(line[10:])
        elif line.strip():
            title, _, words = line.partition(" | ")
            chapters.append((title.strip(), words.strip()))
    return source, chapters, absent, breaks


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_chapter_case(case: Path) -> None:
    source, expected, absent, breaks = read_case(case)
    work = load_text(Path(case.stem + ".txt"), source)
    assert [(c.title, c.paragraphs[0][:len(words)]) for c, (_, words) in zip(work.chapters, expected)] == expected
    assert len(work.chapters) == len(expected)
    text = "\n".join(p for c in work.chapters for p in c.paragraphs)
    for bit in absent:
        assert bit not in text
    if breaks is not None:
        assert sum(c.paragraphs.count(SCENE_BREAK) for c in work.chapters) == breaks


@pytest.mark.parametrize(("line", "title"), [
    ("Chapter 3: The Storm", "Chapter 3: The Storm"),
    ("CHAPTER ONE", "Chapter One"),
    ("CHAPTER IV", "Chapter 4"),
    ("Chapter 12 - Home", "Chapter 12: Home"),
    ("PROLOGUE", "Prologue"),
    ("Epilogue: After", "Epilogue: After"),
    ("Part II", "Part 2"),
    ("BOOK THE FIRST", "Book the First"),
    ("# Chapter 5", "Chapter 5"),
    ("**Chapter 6**", "Chapter 6"),
    ("Chapter Text", None),
])
def test_headings(line: str, title: str | None) -> None:
    heading = parse_heading(line, standalone=True)
    assert heading is not None and heading.title == title


@pytest.mark.parametrize("line", [
    "Chapter one of her life was over.",
    "Chapter 3 was the one with boats, she said.",
    "Part of me wanted to stay.",
    "Book Club, the choir rota, the Thursday quiz.",
    "Chapter Mix",
    "I",
    "“Chapter 3,” he read.",
])
def test_not_headings_inside_prose(line: str) -> None:
    h = parse_heading(line, standalone=False)
    assert h is None or h.kind == "bare"


def test_lone_numeral_needs_a_series() -> None:
    chapters, _ = split_chapters("Who?\n\nI\n\ndid it.\n")
    assert len(chapters) == 1 and "I" in chapters[0].paragraphs


def test_roman_value() -> None:
    assert [roman_value(x) for x in ("IV", "xiv", "MCMLXXXI", "Iv", "IIII", "")] == [4, 14, 1981, None, None, None]


def test_tidy_title() -> None:
    assert tidy_title("THE KEEPER OF GULLSTONE POINT") == "The Keeper of Gullstone Point"
    assert tidy_title("A Quiet Night.") == "A Quiet Night"


def test_no_text_no_chapters() -> None:
    assert split_chapters("")[0] == ()
