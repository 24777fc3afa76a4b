"""ffmpeg: streaming PCM encode, atomic outputs, .m4b by stream copy with chapters; probed for real."""

from __future__ import annotations

import math
import struct

import pytest
from mutagen.mp4 import MP4

from castbook.encode import PcmEncoder, build_m4b, duration_ms, probe
from castbook.errors import EncodeError
from castbook.markers import chapter_marks, escape_ffmetadata, ffmetadata

from .conftest import require_tools


def tone(ms: int, freq: float = 220.0, align: int = 1) -> bytes:
    n = ms * 22050 // 1000
    n += -n % align
    return b"".join(struct.pack("<h", int(6000 * math.sin(2 * math.pi * freq * i / 22050))) for i in range(n))


def test_marks_are_end_to_end():
    marks = chapter_marks(["A", "B", "C"], [1000, 2500, 10])
    assert [(m.start_ms, m.end_ms) for m in marks] == [(0, 1000), (1000, 3500), (3500, 3510)]


def test_ffmetadata_escapes_hostile_titles():
    assert escape_ffmetadata("a=b;c#d\\e\nf\x00") == "a\\=b\\;c\\#d\\\\e\\\nf"
    text = ffmetadata({"title": "T=1"}, chapter_marks(["[CHAPTER]\nEND=0"], [500]))
    assert "title=T\\=1" in text and text.count("[CHAPTER]\n") == 1


@pytest.fixture(scope="module", autouse=True)
def _tools():
    require_tools()


@pytest.mark.parametrize("fmt", ["m4a", "mp3", "opus", "flac", "wav"])
def test_pcm_encoder_formats(tmp_path, fmt):
    dest = tmp_path / f"one.{fmt}"
    with PcmEncoder(dest, fmt, {"title": "One; two = three", "album": "Book"}) as enc:
        enc.write(tone(1500))
    assert dest.exists() and not list(tmp_path.glob(".*.part"))
    info = probe(dest)
    assert abs(float(info["format"]["duration"]) - 1.5) < 0.08
    tags = {k.lower(): v for k, v in info["format"].get("tags", {}).items()}
    if fmt != "wav":
        tags.update({k.lower(): v for s in info["streams"] for k, v in s.get("tags", {}).items()})
        assert tags.get("title") == "One; two = three"


def test_failed_encode_leaves_no_file(tmp_path):
    dest = tmp_path / "bad.m4a"
    with pytest.raises(RuntimeError):
        with PcmEncoder(dest, "m4a") as enc:
            enc.write(tone(200))
            raise RuntimeError("synthesis failed mid-chapter")
    assert list(tmp_path.iterdir()) == []


def test_unknown_format():
    with pytest.raises(EncodeError, match="unknown audio format 'ogg'"):
        PcmEncoder(__import__("pathlib").Path("/tmp/x.ogg"), "ogg")


def test_m4b_by_stream_copy_has_chapters_and_tags(tmp_path):
    files, lengths = [], [1200, 2300, 900]
    for i, ms in enumerate(lengths):
        f = tmp_path / f"{i + 1:02d}.m4a"
        with PcmEncoder(f, "m4a") as enc:
            enc.write(tone(ms, 200 + 100 * i, align=1024))
        files.append(f)
    durs = [duration_ms(f) for f in files]
    marks = chapter_marks(["Prologue", "Chapter 1: The Storm", "Epilogue"], durs)
    dest = tmp_path / "Book.m4b"
    build_m4b(files, marks, {"title": "Book", "artist": "Quiet Wren", "genre": "Audiobook"}, dest)
    info = probe(dest)
    chapters = info["chapters"]
    assert [c["tags"]["title"] for c in chapters] == ["Prologue", "Chapter 1: The Storm", "Epilogue"]
    for c, m in zip(chapters, marks):
        assert abs(float(c["start_time"]) * 1000 - m.start_ms) < 50
    assert abs(float(info["format"]["duration"]) * 1000 - sum(durs)) < 5
    assert info["streams"][0]["codec_name"] == "aac"
    tags = MP4(dest).tags
    assert tags["\xa9nam"] == ["Book"] and tags["\xa9ART"] == ["Quiet Wren"] and tags["\xa9gen"] == ["Audiobook"]
