"""The files beside the audiobook: cover image, cue sheet, chapter list and captions, written atomically."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .assemble import Cue
from .captions import Caption, split_sentences, to_srt, to_vtt
from .cover import Cover
from .markers import ChapterMark, chapters_txt, cue_sheet

_NO_SPEAKER = {"narrator", "default"}


@dataclass(frozen=True, slots=True)
class Sidecars:
    """What was written beside the audiobook."""

    cover: Path | None
    cue: Path | None
    chapters: Path
    vtt: Path
    srt: Path


def write_atomic(dest: Path, data: bytes | str) -> Path:
    """Write `dest` under a temporary name, then rename: never a half-written file under the real name.
    An unchanged file is left alone (its time stamp too)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        if dest.read_bytes() == raw:
            return dest
    except OSError:
        pass
    part = dest.with_name(f".{dest.name}.part")
    part.write_bytes(raw)
    os.replace(part, dest)
    return dest


def book_captions(marks: Sequence[ChapterMark], cues: Sequence[Sequence[Cue]]) -> list[Caption]:
    """Every spoken line in book time, one caption per sentence, with the character as the speaker."""
    captions: list[Caption] = []
    for mark, chapter_cues in zip(marks, cues, strict=True):
        for cue in chapter_cues:
            speaker = None if cue.role in _NO_SPEAKER or cue.kind != "dialogue" else cue.role
            line = Caption(mark.start_ms + cue.start_ms, mark.start_ms + cue.end_ms, speaker, cue.text)
            captions += split_sentences(line)
    return captions


def write_sidecars(folder: Path, base: str, marks: Sequence[ChapterMark], cues: Sequence[Sequence[Cue]],
                   tags: dict[str, str], audio_name: str | None, cover: Cover | None) -> Sidecars:
    """cover.jpg, <base>.cue (when there is a single audio file to point at), chapters.txt, <base>.vtt/.srt."""
    cover_path = write_atomic(folder / f"cover.{cover.ext}", cover.data) if cover else None
    cue_path = None
    if audio_name:
        cue_path = write_atomic(folder / f"{base}.cue", cue_sheet(marks, audio_name, tags.get("title", ""),
                                                                  tags.get("artist", "")))
    captions = book_captions(marks, cues)
    return Sidecars(
        cover=cover_path,
        cue=cue_path,
        chapters=write_atomic(folder / "chapters.txt", chapters_txt(marks)),
        vtt=write_atomic(folder / f"{base}.vtt", to_vtt(captions)),
        srt=write_atomic(folder / f"{base}.srt", to_srt(captions)),
    )
