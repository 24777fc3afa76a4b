"""load_work: shapes detected from content, metadata kept out of the reading, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from castbook.errors import SourceError
from castbook.model import SCENE_BREAK
from castbook.sources import load_work

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_ao3_short_form(tmp_path: Path) -> None:
    path = write(tmp_path, "w.txt", "Work Header\n\nThe Lantern Keeper\n\nChapter Text\n\n“Is the lamp lit?” Mara asked."
                 "\n\nShe climbed.\n\n\n\nLater, the sea.\n\nChapter Text\n\nMorning came.\n")
    work = load_work(path)
    assert work.format == "ao3-txt"
    assert work.title == "The Lantern Keeper"
    assert [c.title for c in work.chapters] == ["Chapter 1", "Chapter 2"]
    assert work.chapters[0].paragraphs == ("“Is the lamp lit?” Mara asked.", "She climbed.", SCENE_BREAK,
                                           "Later, the sea.")


@pytest.mark.skipif(not SEEDS.exists(), reason="seeds not present")
@pytest.mark.parametrize(("name", "titles"), [
    ("the-lantern-keeper.txt", ["Chapter 1", "Chapter 2", "Chapter 3"]),
    ("paper-cranes.txt", ["Prologue", "Chapter One", "Chapter Two"]),
    ("the-orchard-wall.txt", ["The Orchard Wall"]),
])
def test_seeds(name: str, titles: list[str]) -> None:
    work = load_work(SEEDS / name)
    assert [c.title for c in work.chapters] == titles
    text = " ".join(p for c in work.chapters for p in c.paragraphs)
    assert "Where stories live" not in text and "Work Header" not in text and "2.4K" not in text
