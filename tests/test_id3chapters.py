"""MP3 chapters: real ffmpeg MP3s tagged with mutagen, read back with mutagen and ffprobe."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from mutagen.id3 import ID3, CTOCFlags

from castbook.cover import generated_cover
from castbook.encode import probe
from castbook.errors import EncodeError
from castbook.id3chapters import write_mp3_chapters
from castbook.markers import chapter_marks

from .conftest import require_tools

# The long title first: mutagen alone would write its CHAP frame last (frames are sorted by size).
TITLES = ["Prologue: In Which the Lamps Go Out Along the Harbour Wall", "One", 'Two: "Quoted" é', "Three"]
TAGS = {"title": "The Lantern Keeper", "album": "The Lantern Keeper", "artist": "Ann Author",
        "album_artist": "Ann Author", "composer": "castbook (voices: en-us, en-us+f3)", "genre": "Audiobook",
        "date": "2021-05-03", "comment": "A keeper, a storm, a light.", "description": "A keeper, a storm, a light."}


def _mp3(path: Path, seconds: float = 3) -> Path:
    require_tools()
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    f"sine=f=330:r=22050:d={seconds}", "-ac", "1", "-c:a", "libmp3lame", "-b:a", "32k",
                    "-metadata", "title=placeholder", str(path)], check=True)
    return path


def _audio_md5(path: Path) -> str:
    return subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-i", str(path), "-map", "0:a",
                           "-f", "md5", "-"], check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def book(tmp_path) -> Path:
    return _mp3(tmp_path / "book.mp3")


def test_chapters_tags_and_cover_read_back(book):
    before = _audio_md5(book)
    marks = chapter_marks(TITLES, [500, 1000, 700, 800])
    cover = generated_cover("The Lantern Keeper", "Ann Author", size=1400)
    write_mp3_chapters(book, marks, TAGS, cover)

    id3 = ID3(book)
    assert id3.version == (2, 3, 0)
    chaps = id3.getall("CHAP")  # in the order the frames are stored
    assert [c.element_id for c in chaps] == ["ch1", "ch2", "ch3", "ch4"]
    assert [(c.start_time, c.end_time) for c in chaps] == [(0, 500), (500, 1500), (1500, 2200), (2200, 3000)]
    assert [c.sub_frames["TIT2"].text[0] for c in chaps] == TITLES
    (toc,) = id3.getall("CTOC")
    assert toc.flags == CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED and toc.child_element_ids == ["ch1", "ch2", "ch3", "ch4"]
    assert {k: str(id3[k]) for k in ("TIT2", "TALB", "TPE1", "TPE2", "TCOM", "TCON")} == {
        "TIT2": "The Lantern Keeper", "TALB": "The Lantern Keeper", "TPE1": "Ann Author", "TPE2": "Ann Author",
        "TCOM": "castbook (voices: en-us, en-us+f3)", "TCON": "Audiobook"}
    assert str(id3["TDRC"]) == "2021-05-03"  # stored as TYER + TDAT in v2.3
    assert id3.getall("COMM")[0].text == ["A keeper, a storm, a light."]
    (apic,) = id3.getall("APIC")
    assert apic.data == cover and apic.mime == "image/jpeg" and apic.type == 3

    info = probe(book)
    assert [(c["start"], c["end"], c["tags"]["title"]) for c in info["chapters"]] == [
        (m.start_ms, m.end_ms, m.title) for m in marks]
    assert all(c["time_base"] == "1/1000" for c in info["chapters"])
    tags = info["format"]["tags"]
    assert (tags["title"], tags["artist"], tags["album_artist"], tags["genre"], tags["date"]) == (
        "The Lantern Keeper", "Ann Author", "Ann Author", "Audiobook", "2021-05-03")
    pics = [s for s in info["streams"] if s["disposition"]["attached_pic"]]
    assert len(pics) == 1 and (pics[0]["width"], pics[0]["height"]) == (1400, 1400)
    assert _audio_md5(book) == before  # the audio itself is untouched
    assert not list(book.parent.glob(".*part"))


def test_rewriting_replaces_chapters_and_cover(book):
    write_mp3_chapters(book, chapter_marks(TITLES, [500, 1000, 700, 800]), TAGS, generated_cover("A", "B"))
    write_mp3_chapters(book, chapter_marks(["Only"], [3000]), {"title": "New", "date": "May 1999"}, None)
    id3 = ID3(book)
    assert [c.sub_frames["TIT2"].text[0] for c in id3.getall("CHAP")] == ["Only"]
    assert id3.getall("APIC") == [] and id3.getall("COMM") == []
    assert str(id3["TIT2"]) == "New" and str(id3["TCON"]) == "Audiobook" and str(id3["TDRC"]) == "1999"
    assert [c["tags"]["title"] for c in probe(book)["chapters"]] == ["Only"]


def test_more_than_255_chapters_nest_the_table_of_contents(tmp_path):
    book = _mp3(tmp_path / "long.mp3", seconds=1)
    titles = [f"Chapter {i} {'x' * (i % 7)}".strip() for i in range(300)]
    marks = chapter_marks(titles, [3] * 300)
    write_mp3_chapters(book, marks, {"title": "Long"}, None, atomic=False)
    id3 = ID3(book)
    tocs = {t.element_id: t for t in id3.getall("CTOC")}
    assert tocs["toc"].flags & CTOCFlags.TOP_LEVEL and tocs["toc"].child_element_ids == ["toc1", "toc2"]
    assert len(tocs["toc1"].child_element_ids) == 255 and len(tocs["toc2"].child_element_ids) == 45
    assert [c["tags"]["title"] for c in probe(book)["chapters"]] == titles


def test_bad_files_raise_encode_error_and_leave_nothing(tmp_path):
    text = tmp_path / "notes.mp3"
    text.write_text("not audio at all\n" * 50)
    with pytest.raises(EncodeError, match="notes.mp3"):
        write_mp3_chapters(text, chapter_marks(["A"], [1000]), {}, None)
    assert text.read_text().startswith("not audio") and not list(tmp_path.glob(".*part"))
    with pytest.raises(EncodeError, match="missing.mp3"):
        write_mp3_chapters(tmp_path / "missing.mp3", chapter_marks(["A"], [1000]), {}, None)
