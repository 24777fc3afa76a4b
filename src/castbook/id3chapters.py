"""ID3v2.3 tags, cover and CHAP/CTOC chapter frames for a single-file MP3 audiobook (mutagen)."""

from __future__ import annotations

import logging
import os
import re
import shutil
import struct
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from mutagen import MutagenError
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TCOM,
    TCON,
    TDRC,
    TIT2,
    TPE1,
    TPE2,
    TRCK,
    TXXX,
    CTOCFlags,
    Encoding,
    ID3NoHeaderError,
    PictureType,
)
from mutagen.mp3 import MP3

from .errors import EncodeError
from .markers import ChapterMark

log = logging.getLogger(__name__)

ID3_VERSION: Final = 3
"""ID3v2.3, not 2.4: Windows Explorer and Media Player, many car and hardware players and older Android
taggers read only 2.3; the chapter addendum (CHAP/CTOC) is defined for both, and ffmpeg and mutagen read
it in 2.3. The cost: text is stored as UTF-16 and the date as a year (TYER) plus day and month (TDAT)."""
_CTOC_MAX_CHILDREN: Final = 255  # the entry count is one byte; more chapters go into nested tables
_TEXT_FRAMES: Final = {"title": TIT2, "album": TALB, "artist": TPE1, "album_artist": TPE2,
                       "composer": TCOM, "track": TRCK}


def _text(frame: type, value: str):
    return frame(encoding=Encoding.UTF8, text=[value.replace("\x00", "")])


def _date(value: str) -> str | None:
    """An ID3 timestamp ("2021" or "2021-05-03") from a loose date, or None when it holds no year."""
    if m := re.fullmatch(r"\s*(\d{4})(-\d{2}(-\d{2})?)?\b.*", value):
        return m[1] + (m[2] or "")
    if m := re.search(r"\b(1[5-9]\d\d|2\d\d\d)\b", value):
        return m[1]
    return None


def _chapter_frames(marks: Sequence[ChapterMark]) -> list[CHAP | CTOC]:
    """One CHAP per mark and a top-level ordered CTOC listing them (nested when over 255)."""
    ids = [f"ch{i}" for i in range(1, len(marks) + 1)]
    frames: list[CHAP | CTOC] = [
        CHAP(element_id=eid, start_time=m.start_ms, end_time=m.end_ms,
             sub_frames=[_text(TIT2, " ".join(m.title.split()))])
        for eid, m in zip(ids, marks)]
    flags = CTOCFlags.ORDERED
    if len(ids) > _CTOC_MAX_CHILDREN:
        groups = [ids[i:i + _CTOC_MAX_CHILDREN] for i in range(0, len(ids), _CTOC_MAX_CHILDREN)]
        ids = [f"toc{n}" for n in range(1, len(groups) + 1)]
        frames += [CTOC(element_id=tid, flags=flags, child_element_ids=group, sub_frames=[])
                   for tid, group in zip(ids, groups)]
    frames.append(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | flags, child_element_ids=ids,
                       sub_frames=[_text(TIT2, "Chapters")]))
    return frames


def _order_chap_frames(path: Path) -> None:
    """Rewrite the tag's CHAP frames in start-time order, in place (same bytes, permuted).

    mutagen sorts frames by size when it saves (quodlibet/mutagen#506), and ffmpeg lists chapters in
    the order their frames appear, so without this a player built on ffmpeg shows them shuffled.
    """
    with path.open("r+b") as f:
        header = f.read(10)
        if header[:3] != b"ID3" or header[3] != ID3_VERSION or header[5] != 0:
            raise EncodeError(f"{path}: expected a plain ID3v2.{ID3_VERSION} tag after writing it")
        size = sum((b & 0x7F) << (7 * (3 - i)) for i, b in enumerate(header[6:10]))  # synchsafe
        body = f.read(size)
        frames: list[tuple[bytes, bytes]] = []
        pos = 0
        while pos + 10 <= len(body) and body[pos:pos + 4] != b"\x00\x00\x00\x00":
            frame_id = body[pos:pos + 4]
            frame_size = struct.unpack(">I", body[pos + 4:pos + 8])[0]  # v2.3: a plain 32-bit size
            frames.append((frame_id, body[pos:pos + 10 + frame_size]))
            pos += 10 + frame_size
        chaps = [data for frame_id, data in frames if frame_id == b"CHAP"]

        def start_ms(data: bytes) -> int:
            end_of_id = data.index(b"\x00", 10)
            return struct.unpack(">I", data[end_of_id + 1:end_of_id + 5])[0]

        ordered = iter(sorted(chaps, key=start_ms))
        rebuilt = b"".join(next(ordered) if frame_id == b"CHAP" else data for frame_id, data in frames)
        assert len(rebuilt) == pos
        f.seek(10)
        f.write(rebuilt)


def write_mp3_chapters(path: Path, marks: Sequence[ChapterMark], tags: Mapping[str, str],
                       cover: bytes | None, *, atomic: bool = True) -> None:
    """Tag an MP3 as an audiobook: ID3v2.3 text tags, cover (APIC) and one CHAP per chapter + CTOC.

    tags uses the same keys as the .m4b tags: title, album, artist, album_artist, composer, genre
    (default "Audiobook"), date, comment (or description), track; any other key becomes a TXXX frame.
    Existing chapter, cover, comment and text frames are replaced. With atomic=True the file is tagged
    as a copy beside it and renamed over the original, so a failure never leaves a half-written file
    under its name; pass atomic=False for a file not yet under its final name (a `.part` file).
    Raises EncodeError when the file is missing or not MPEG audio.
    """
    path = Path(path)
    work = path.with_name(f".{path.name}.tags.part") if atomic else path
    try:
        if atomic:
            shutil.copyfile(path, work)
        MP3(work)  # raises unless the file holds MPEG audio
        _write_tags(work, marks, tags, cover)
        if atomic:
            os.replace(work, path)
    except (OSError, MutagenError) as exc:
        if atomic:
            work.unlink(missing_ok=True)
        raise EncodeError(f"cannot write tags and chapters into {path}: {exc}") from None
    except BaseException:
        if atomic:
            work.unlink(missing_ok=True)
        raise
    log.debug("%s: %d chapters, %d tags, cover %s", path, len(marks), len(tags), bool(cover))


def _write_tags(path: Path, marks: Sequence[ChapterMark], tags: Mapping[str, str], cover: bytes | None) -> None:
    try:
        id3 = ID3(path)
    except ID3NoHeaderError:
        id3 = ID3()
    for key in ("CHAP", "CTOC", "APIC", "COMM", "TXXX", "TDRC", "TYER", "TDAT", "TIME", "TCON",
                *(frame.__name__ for frame in _TEXT_FRAMES.values())):
        id3.delall(key)
    for key, value in tags.items():
        value = value.replace("\x00", "")
        if not value:
            continue
        if key in _TEXT_FRAMES:
            id3.add(_text(_TEXT_FRAMES[key], value))
        elif key == "date":
            if date := _date(value):
                id3.add(TDRC(encoding=Encoding.UTF8, text=[date]))
        elif key in ("comment", "description"):
            if not id3.getall("COMM"):
                id3.add(COMM(encoding=Encoding.UTF8, lang="eng", desc="", text=[value]))
        elif key != "genre":
            id3.add(TXXX(encoding=Encoding.UTF8, desc=key.upper(), text=[value]))
    id3.add(_text(TCON, tags.get("genre") or "Audiobook"))
    if cover:
        mime = "image/png" if cover.startswith(b"\x89PNG") else "image/jpeg"
        id3.add(APIC(encoding=Encoding.UTF8, mime=mime, type=PictureType.COVER_FRONT, desc="Cover", data=cover))
    for frame in _chapter_frames(marks):
        id3.add(frame)
    id3.update_to_v23()
    id3.save(path, v2_version=ID3_VERSION)
    _order_chap_frames(path)
