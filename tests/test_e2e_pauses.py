"""Pauses by structure, measured on the finished audiobook: paragraph, scene break, chapter (real engine)."""

from __future__ import annotations

import array
import subprocess

import pytest
from typer.testing import CliRunner

from castbook.cli import app
from castbook.encode import duration_ms, probe

from .conftest import require_tools, write

pytestmark = pytest.mark.e2e

# Short sentences without commas: espeak-ng adds no pause of its own inside them.
STORY = """The Quiet Pier

Chapter One

The tide came in slowly.

Gulls walked along the rail.

* * *

Night fell over the harbour.

Chapter Two

Morning brought the boats home.
"""

PAUSES = {"paragraph": 700, "scene": 2100, "chapter": 900, "end": 1300}


def _silences(path, floor_db=-45.0, min_ms=300):
    """(start_ms, length_ms) of every stretch quieter than floor_db, from the decoded audio."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-ar", "22050", "-"],
                         capture_output=True, check=True).stdout
    pcm = array.array("h")
    pcm.frombytes(raw)
    limit = 32768 * 10 ** (floor_db / 20)
    step = 22  # 1 ms
    quiet, found, start = False, [], 0
    for i in range(0, len(pcm), step):
        loud = max(abs(v) for v in pcm[i:i + step]) > limit
        if not loud and not quiet:
            quiet, start = True, i
        elif loud and quiet:
            quiet = False
            if (i - start) * 1000 // 22050 >= min_ms:
                found.append((start * 1000 // 22050, (i - start) * 1000 // 22050))
    if quiet:
        found.append((start * 1000 // 22050, (len(pcm) - start) * 1000 // 22050))
    return found


def test_measured_pauses_match_the_config(tmp_path):
    require_tools()
    work = write(tmp_path / "quiet-pier.txt", STORY)
    voices = write(tmp_path / "v.yaml", "reading:\n  title_card: ''\npauses:\n"
                   + "".join(f"  {k}: {v}\n" for k, v in PAUSES.items()))
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["render", str(work), "-o", str(out), "--voices", str(voices),
                                   "--cache", str(tmp_path / "cache")])
    assert res.exit_code == 0, res.output
    book = next(out.glob("*.m4b"))
    chapters = probe(book)["chapters"]
    assert [c["tags"]["title"] for c in chapters] == ["Chapter One", "Chapter Two"]
    gaps = _silences(book)
    lengths = [g[1] for g in gaps]
    print("silences (start, ms):", gaps)
    # heading -> paragraph, paragraph -> paragraph, scene break, chapter end + next heading, heading -> paragraph
    expected = [PAUSES["chapter"], PAUSES["paragraph"], PAUSES["scene"], PAUSES["end"], PAUSES["chapter"]]
    assert len(lengths) == len(expected) + 1  # and the closing silence of the book
    for got, want in zip(lengths, expected):
        assert abs(got - want) <= 50, (lengths, expected)
    assert abs(lengths[-1] - PAUSES["end"]) <= 50
    # the silence between the chapters straddles the chapter mark, which sits where chapter two's file begins
    first = sorted(out.glob("01 - *.m4a"))[0]
    boundary = duration_ms(first)
    assert abs(float(chapters[1]["start_time"]) * 1000 - boundary) <= 50
    start, length = gaps[3]
    assert start < boundary <= start + length + 50
