"""CUE sheet and chapters.txt: read back, times within one CD frame (1/75 s), hostile titles tamed."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from castbook.markers import chapter_marks, chapters_txt, cue_sheet, cue_time

_FRAME_MS = 1000 / 75


def _read_cue(text: str) -> dict:
    """A small strict CUE reader: every line must be one of the commands we write."""
    sheet: dict = {"tracks": []}
    for line in text.splitlines():
        if m := re.fullmatch(r'(PERFORMER|TITLE) "([^"]*)"', line):
            sheet[m[1]] = m[2]
        elif m := re.fullmatch(r'FILE "([^"]*)" (MP3|MP4|WAVE|AIFF)', line):
            sheet["FILE"], sheet["type"] = m[1], m[2]
        elif m := re.fullmatch(r"  TRACK (\d{2,3}) AUDIO", line):
            sheet["tracks"].append({"number": int(m[1])})
        elif m := re.fullmatch(r'    (TITLE|PERFORMER) "([^"]*)"', line):
            sheet["tracks"][-1][m[1]] = m[2]
        elif m := re.fullmatch(r"    INDEX 01 (\d{2,}):([0-5]\d):(\d\d)", line):
            assert int(m[3]) < 75
            sheet["tracks"][-1]["start_ms"] = (int(m[1]) * 60 + int(m[2])) * 1000 + int(m[3]) * 1000 / 75
        else:
            raise AssertionError(f"unexpected CUE line {line!r}")
    return sheet


def test_cue_sheet_reads_back():
    marks = chapter_marks(["Prologue", 'The "Storm"\nPart 2', "Epilogue"], [61_234, 3_600_000, 1_000])
    sheet = _read_cue(cue_sheet(marks, "The Book.m4b", 'The "Book"', "Ann Author"))
    assert sheet["FILE"] == "The Book.m4b" and sheet["type"] == "MP4"
    assert sheet["TITLE"] == "The 'Book'" and sheet["PERFORMER"] == "Ann Author"
    assert [t["number"] for t in sheet["tracks"]] == [1, 2, 3]
    assert [t["TITLE"] for t in sheet["tracks"]] == ["Prologue", "The 'Storm' Part 2", "Epilogue"]
    assert [round(t["start_ms"]) for t in sheet["tracks"]] == [0, 61240, 3661240]


def test_cue_file_type_follows_the_suffix_unless_given():
    marks = chapter_marks(["A"], [1000])
    assert '"a.mp3" MP3' in cue_sheet(marks, "a.mp3", "T", "P")
    assert '"a.wav" WAVE' in cue_sheet(marks, "a.wav", "T", "P")
    assert '"a.opus" WAVE' in cue_sheet(marks, "a.opus", "T", "P")
    assert '"a.m4b" MP3' in cue_sheet(marks, "a.m4b", "T", "P", "MP3")
    assert "PERFORMER" not in cue_sheet(marks, "a.mp3", "T", "")


def test_cue_time_frames():
    assert cue_time(0) == "00:00:00"
    assert cue_time(13) == "00:00:01"  # 0.975 frame rounds up
    assert cue_time(59_999) == "01:00:00"  # 74.925 frames rounds to the next second
    assert cue_time(6_000_000) == "100:00:00"


def test_chapters_txt_is_the_mp4chaps_simple_format():
    marks = chapter_marks(["Prologue", "Two\n\tlines  here", "Three"], [1_500, 3_599_000, 10])
    assert chapters_txt(marks) == ("00:00:00.000 Prologue\n"
                                   "00:00:01.500 Two lines here\n"
                                   "01:00:00.500 Three\n")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=30), st.integers(1, 5_000_000)), min_size=1, max_size=120))
def test_any_marks_round_trip(chapters):
    marks = chapter_marks([t for t, _ in chapters], [d for _, d in chapters])
    sheet = _read_cue(cue_sheet(marks, 'x"y\n.mp3', "T\r\n", 'P"'))
    assert len(sheet["tracks"]) == len(marks)
    for track, mark in zip(sheet["tracks"], marks):
        assert abs(track["start_ms"] - mark.start_ms) <= _FRAME_MS / 2 + 1e-6  # float error on hour-long times
    starts = [t["start_ms"] for t in sheet["tracks"]]
    assert starts == sorted(starts)
    lines = chapters_txt(marks).splitlines()
    assert len(lines) == len(marks)
    for line, mark in zip(lines, marks):
        h, m, s = re.match(r"(\d\d):(\d\d):(\d\d\.\d{3})( |$)", line).group(1, 2, 3)
        assert round((int(h) * 3600 + int(m) * 60 + float(s)) * 1000) == mark.start_ms
