"""What players read, checked on real files: m4b + MP3 book chapters, tags, cover, captions, cue sheet, layout."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from mutagen.id3 import ID3
from mutagen.mp4 import MP4
from PIL import Image
from typer.testing import CliRunner

from castbook.cli import app
from castbook.encode import duration_ms, probe

from .conftest import require_tools

pytestmark = pytest.mark.e2e

WORK = Path(__file__).resolve().parent / "data" / "works" / "ao3_download.html"


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    require_tools()
    root = tmp_path_factory.mktemp("library")
    res = CliRunner().invoke(app, ["render", str(WORK), "-o", str(root), "--layout", "author-title", "--mp3-book",
                                   "--cache", str(tmp_path_factory.mktemp("cache"))])
    assert res.exit_code == 0, res.output
    folders = [p for p in root.glob("*/*") if p.is_dir()]
    assert len(folders) == 1, list(root.rglob("*"))
    return folders[0]


def _chapter_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("[0-9]* - *.m4a"))


def test_author_title_layout(library):
    assert library.parent.name == "fernhollow"
    assert library.name == "The Salt Road"
    assert (library / "The Salt Road.m4b").is_file() and (library / "cover.jpg").is_file()


def test_m4b_chapters_tags_and_cover(library):
    m4b = library / "The Salt Road.m4b"
    info = probe(m4b)
    files = _chapter_files(library)
    starts = [0]
    for f in files:
        starts.append(starts[-1] + duration_ms(f))
    assert len(info["chapters"]) == len(files) >= 2
    for chapter, start in zip(info["chapters"], starts):
        assert abs(float(chapter["start_time"]) * 1000 - start) <= 50
    video = [s for s in info["streams"] if s["codec_type"] == "video"]
    assert video and video[0]["disposition"]["attached_pic"] == 1
    tags = MP4(m4b).tags
    assert tags["\xa9day"] == ["2021-06-14"]
    assert "salt" in tags["desc"][0].lower()
    assert tags["\xa9gen"] == ["Audiobook"] and tags["\xa9wrt"][0].startswith("castbook (voices:")
    assert tags["\xa9ART"] == tags["aART"] and tags["\xa9ART"][0]
    assert len(tags["covr"]) == 1
    with Image.open(library / "cover.jpg") as img:
        assert min(img.size) >= 1400


def test_mp3_book_has_ordered_chap_frames(library):
    mp3 = library / "The Salt Road.mp3"
    id3 = ID3(mp3)
    chaps = sorted(id3.getall("CHAP"), key=lambda c: c.start_time)
    toc = id3.getall("CTOC")[0]
    assert list(toc.child_element_ids) == [c.element_id for c in chaps]
    m4b_marks = probe(library / "The Salt Road.m4b")["chapters"]
    assert [c.sub_frames["TIT2"].text[0] for c in chaps] == [c["tags"]["title"] for c in m4b_marks]
    for chap, mark in zip(chaps, m4b_marks):
        assert abs(chap.start_time - float(mark["start_time"]) * 1000) <= 50
    # ffmpeg reads the frames as chapters, and the MP3 lasts as long as the chapters together
    info = probe(mp3)
    assert len(info["chapters"]) == len(chaps)
    assert abs(float(info["format"]["duration"]) * 1000 - sum(duration_ms(f) for f in _chapter_files(library))) < 100


def _vtt_times(text: str) -> list[tuple[float, float]]:
    def sec(t: str) -> float:
        h, m, s = t.split(":")
        return int(h) * 3600 + int(m) * 60 + float(s)

    return [(sec(a), sec(b)) for a, b in re.findall(r"^(\S+) --> (\S+)", text, re.M)]


def test_captions_are_timed_inside_the_audio(library):
    vtt = (library / "The Salt Road.vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT")
    times = _vtt_times(vtt)
    total = float(probe(library / "The Salt Road.m4b")["format"]["duration"])
    assert len(times) >= 5
    assert all(a < b for a, b in times)
    assert all(b1 <= a2 for (_, b1), (a2, _) in zip(times, times[1:]))
    assert times[-1][1] <= total
    assert "<v " in vtt  # dialogue carries its speaker
    srt = (library / "The Salt Road.srt").read_text(encoding="utf-8")
    assert srt.count(" --> ") == len(times)


def test_cue_sheet_and_chapter_list_match_the_marks(library):
    marks = probe(library / "The Salt Road.m4b")["chapters"]
    cue = (library / "The Salt Road.cue").read_text(encoding="utf-8")
    assert 'FILE "The Salt Road.m4b"' in cue
    indexes = re.findall(r"INDEX 01 (\d+):(\d\d):(\d\d)", cue)
    assert len(indexes) == len(marks)
    for (mm, ss, ff), mark in zip(indexes, marks):
        assert abs(int(mm) * 60 + int(ss) + int(ff) / 75 - float(mark["start_time"])) <= 1 / 75 + 0.001
    listed = (library / "chapters.txt").read_text(encoding="utf-8").splitlines()
    assert [line.split(" ", 1)[1] for line in listed] == [m["tags"]["title"] for m in marks]


def test_chapter_files_in_other_formats_carry_track_tags(tmp_path):
    for fmt in ("mp3", "opus", "flac"):
        out = tmp_path / fmt
        res = CliRunner().invoke(app, ["render", str(WORK), "-o", str(out), "--format", fmt, "--no-m4b",
                                       "--cache", str(tmp_path / "cache")])
        assert res.exit_code == 0, res.output
        files = sorted(out.glob(f"[0-9]* - *.{fmt}"))
        assert len(files) >= 2
        tags = {k.lower(): v for k, v in probe(files[1])["format"].get("tags", {}).items()}
        if not tags:  # ogg keeps tags on the stream
            tags = {k.lower(): v for k, v in probe(files[1])["streams"][0].get("tags", {}).items()}
        assert tags.get("album") == "The Salt Road", (fmt, tags)
        assert tags.get("track", "").startswith("2"), (fmt, tags)
        assert tags.get("genre") == "Audiobook"
        assert subprocess.run(["ffprobe", "-v", "error", str(files[0])]).returncode == 0
