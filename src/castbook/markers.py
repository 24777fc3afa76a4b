"""Chapter spans -> chapter marks and FFMETADATA text. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ChapterMark:
    """Where a chapter starts and ends in the audiobook."""

    title: str
    start_ms: int
    end_ms: int


def chapter_marks(titles: Sequence[str], durations_ms: Sequence[int]) -> list[ChapterMark]:
    """Marks laid end to end: each chapter starts where the previous one ends."""
    marks, start = [], 0
    for title, dur in zip(titles, durations_ms, strict=True):
        marks.append(ChapterMark(title, start, start + dur))
        start += dur
    return marks


def escape_ffmetadata(value: str) -> str:
    """Escape a value for an FFMETADATA file: '=', ';', '#', '\\' and newlines."""
    value = value.replace("\x00", "")
    out = []
    for ch in value:
        if ch in "=;#\\\n":
            out.append("\\" + ch)
        elif ch == "\r":
            continue
        else:
            out.append(ch)
    return "".join(out)


def ffmetadata(tags: Mapping[str, str], marks: Sequence[ChapterMark]) -> str:
    """An FFMETADATA1 document with global tags and one [CHAPTER] per mark (ms time base)."""
    lines = [";FFMETADATA1"]
    for key, value in tags.items():
        if value:
            lines.append(f"{key}={escape_ffmetadata(value)}")
    for m in marks:
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={m.start_ms}", f"END={m.end_ms}",
                  f"title={escape_ffmetadata(m.title)}"]
    return "\n".join(lines) + "\n"
