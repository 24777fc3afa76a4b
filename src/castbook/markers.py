"""Chapter spans -> chapter marks, FFMETADATA, CUE sheet and chapters.txt text. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Final


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


CUE_FILE_TYPES: Final = {".mp3": "MP3", ".wav": "WAVE", ".m4b": "MP4", ".m4a": "MP4", ".aiff": "AIFF"}
"""CUE `FILE` types by audio file suffix; anything else is declared WAVE (players decode by content)."""
CUE_FRAMES_PER_SECOND: Final = 75


def _one_line(value: str) -> str:
    """The value on one line: control characters and runs of whitespace become single spaces."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())


def _cue_text(value: str) -> str:
    """A CUE string value: the format has no escape, so double quotes become single quotes."""
    return _one_line(value.replace('"', "'"))


def cue_time(ms: int) -> str:
    """mm:ss:ff with ff in 1/75 s frames (minutes may exceed 99), rounded to the nearest frame."""
    frames = (max(ms, 0) * CUE_FRAMES_PER_SECOND + 500) // 1000
    seconds, ff = divmod(frames, CUE_FRAMES_PER_SECOND)
    minutes, ss = divmod(seconds, 60)
    return f"{minutes:02d}:{ss:02d}:{ff:02d}"


def cue_sheet(marks: Sequence[ChapterMark], audio_name: str, title: str, performer: str,
              file_type: str | None = None) -> str:
    """A CUE sheet for one audio file: one TRACK per chapter, INDEX 01 at its start.

    file_type defaults from audio_name's suffix (MP3, WAVE, MP4, AIFF). Track numbers are two digits
    up to 99 and three beyond (the CD format stops at 99; software players read on).
    """
    kind = file_type or CUE_FILE_TYPES.get(PurePath(audio_name).suffix.lower(), "WAVE")
    lines = []
    if performer:
        lines.append(f'PERFORMER "{_cue_text(performer)}"')
    if title:
        lines.append(f'TITLE "{_cue_text(title)}"')
    lines.append(f'FILE "{_cue_text(audio_name)}" {kind}')
    for number, m in enumerate(marks, 1):
        lines += [f"  TRACK {number:02d} AUDIO", f'    TITLE "{_cue_text(m.title)}"']
        if performer:
            lines.append(f'    PERFORMER "{_cue_text(performer)}"')
        lines.append(f"    INDEX 01 {cue_time(m.start_ms)}")
    return "\n".join(lines) + "\n"


def clock_ms(ms: int) -> str:
    """HH:MM:SS.mmm."""
    hours, rest = divmod(max(ms, 0), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def chapters_txt(marks: Sequence[ChapterMark]) -> str:
    """The mp4chaps "simple" chapter list: one `HH:MM:SS.mmm Title` line per chapter."""
    return "".join(f"{clock_ms(m.start_ms)} {_one_line(m.title)}".rstrip() + "\n" for m in marks)
