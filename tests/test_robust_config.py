"""Robustness: broken voices.yaml files, and hostile titles that must not escape into paths or metadata."""

from __future__ import annotations

import html
import json
import os
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from castbook.cli import app
from castbook.encode import probe

from .conftest import require_tools

runner = CliRunner()
WORK = ("Chapter 1\n\nThe lamp burned low. \u201cKeep it lit,\u201d said Mara.\n\n"
        "Chapter 2\n\nEli watched the water. \u201cThe boats are late,\u201d said Eli.\n")


def cli(*args):
    return runner.invoke(app, [str(a) for a in args])


def one_line_error(res, *needles: str) -> str:
    assert res.exit_code == 1, res.output
    err = res.stderr.strip()
    assert err.startswith("error:") and "\n" not in err, err
    assert "Traceback" not in res.output and "internal error" not in err, err
    for n in needles:
        assert n in err, err
    return err


def _laughs() -> str:
    rows = ['lexicon:\n  a: &a "lol"\ncharacters:\n']
    for depth, name in enumerate("BCDEFGHI"):
        prev = "a" if depth == 0 else "BCDEFGHI"[depth - 1].lower()
        rows.append(f"  {name}x:\n    voice: en-us\n    aliases: &{name.lower()} [{', '.join(['*' + prev] * 9)}]\n")
    return "".join(rows)


BAD_CONFIGS = {
    "syntax": ("narrator: [\n  voice: en-us\n", ["YAML syntax error"]),
    "tab": ("narrator:\n\tvoice: en-us\n", [":2:", "YAML syntax error"]),
    "unknown-key": ("narrator:\n  voise: en-us\n", [":2:", "narrator.voise", "did you mean 'voice'"]),
    "unknown-top": ("narator:\n  voice: en-us\n", [":1:", "narator", "narrator"]),
    "wrong-type": ("narrator:\n  rate: fast\n", [":2:", "narrator.rate", "whole number"]),
    "out-of-range": ("pauses:\n  scene: -5\n", ["pauses.scene", "range"]),
    "list-not-map": ("characters: [Mara, Eli]\n", ["characters", "mapping"]),
    "top-list": ("- narrator\n- default\n", ["mapping"]),
    "voice-number": ("characters:\n  Mara:\n    voice: 42\n", [":3:", "characters.Mara.voice", "text"]),
    "no-voice": ("characters:\n  Mara:\n    pitch: 40\n", ["characters.Mara", "needs a voice"]),
    "duplicate-alias": ("characters:\n  Mara:\n    voice: en-us\n    aliases: [Quill]\n"
                        "  Eli:\n    voice: en-gb\n    aliases: [quill]\n", ["quill", "Mara", "one character"]),
    "duplicate-key": ("characters:\n  Mara: en-us\n  Mara: en-gb\n", [":3:", "characters.Mara", "twice"]),
    "python-object": ('narrator: !!python/object/apply:os.system ["touch PWNED"]\n', ["tag not allowed"]),
    "python-name": ("narrator:\n  voice: !!python/name:os.system\n", ["tag not allowed"]),
    "custom-tag": ("narrator: !Voice {voice: en-us}\n", ["tag not allowed"]),
    "alias-bomb": (_laughs(), ["aliases", "list of names"]),
    "format-attack": ('reading:\n  title_card: "{title.__class__.__mro__}"\n', ["reading.title_card", "{title}"]),
    "format-width": ('reading:\n  title_card: "{title:>999999999}"\n', ["reading.title_card"]),
    "bad-engine": ("narrator:\n  engine: festival\n", ["narrator.engine", "festival"]),
    "overrides-map": ("overrides: {starts_with: x}\n", ["overrides", "list"]),
    "huge-number": ("narrator:\n  rate: 1e400\n", ["narrator.rate"]),
}


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_bad_voices_file(in_tmp, case):
    text, needles = BAD_CONFIGS[case]
    work = in_tmp / "work.txt"
    work.write_text(WORK)
    voices = in_tmp / f"{case}.yaml"
    voices.write_text(text)
    t0 = time.monotonic()
    for command in ("segment", "render"):
        res = cli(command, work, "--voices", voices, *(["--engine", "fake"] if command == "render" else []))
        one_line_error(res, f"{case}.yaml", *needles)
    assert time.monotonic() - t0 < 20
    assert not (in_tmp / "PWNED").exists() and not (in_tmp / "out").exists()


def test_voices_file_not_utf8_directory_missing_fifo(in_tmp):
    work = in_tmp / "work.txt"
    work.write_text(WORK)
    latin = in_tmp / "latin.yaml"
    latin.write_bytes("characters:\n  Ren\xe9e: en-us\n".encode("latin-1"))
    one_line_error(cli("segment", work, "--voices", latin), "latin.yaml", "UTF-8")
    folder = in_tmp / "folder.yaml"
    folder.mkdir()
    one_line_error(cli("segment", work, "--voices", folder), "folder.yaml", "directory")
    one_line_error(cli("segment", work, "--voices", in_tmp / "gone.yaml"), "gone.yaml", "no such")
    fifo = in_tmp / "pipe.yaml"
    os.mkfifo(fifo)
    one_line_error(cli("segment", work, "--voices", fifo), "pipe.yaml")
    big = in_tmp / "big.yaml"
    big.write_text("lexicon:\n" + "".join(f"  w{i}: word{i}\n" for i in range(120_000)))
    one_line_error(cli("segment", work, "--voices", big), "big.yaml", "1 MB")


def test_voices_file_without_read_permission(in_tmp):
    work = in_tmp / "work.txt"
    work.write_text(WORK)
    locked = in_tmp / "locked.yaml"
    locked.write_text("narrator:\n  voice: en-us\n")
    if os.geteuid() == 0:
        pytest.skip("root reads files without read permission")
    locked.chmod(0)
    one_line_error(cli("segment", work, "--voices", locked), "locked.yaml", "permission")


def test_work_voices_file_beside_the_work_is_checked_too(in_tmp):
    work = in_tmp / "work.txt"
    work.write_text(WORK)
    (in_tmp / "work.voices.yaml").write_text("characters:\n  Mara:\n    voice: [en-us]\n")
    one_line_error(cli("inspect", work), "work.voices.yaml", "characters.Mara.voice")


def test_unknown_voice_is_caught_before_rendering(in_tmp):
    require_tools()
    work = in_tmp / "work.txt"
    work.write_text(WORK)
    voices = in_tmp / "voices.yaml"
    voices.write_text("narrator:\n  voice: en-us\ncharacters:\n  Mara:\n    voice: en-uss+f3\n")
    err = one_line_error(cli("render", work, "-o", in_tmp / "out"), "voices.yaml:5", "characters.Mara.voice",
                         "en-uss+f3", "en-us")
    assert "nearest" in err
    assert not (in_tmp / "out").exists()


# ---------------------------------------------------------------- hostile titles

HOSTILE_CHAPTERS = [
    "../../../../tmp/escaped",
    "..\\..\\windows\\system32",
    "CON",
    "nul.txt",
    "x=1;y#2\\z [CHAPTER] title=evil",
    "$(touch PWNED) `touch PWNED` | rm -rf ~ & 'q' \"qq\" *?<>:",
    "Dark[/bold] [red]markup",
    "A long way down " * 7,
]
WORK_TITLE = "My/Book: ..\\=;#\n[CHAPTER]\ntitle=evil $(touch PWNED)\x00 `id` " + "\u03a9" * 200


def test_hostile_titles_stay_in_the_folder_and_tags_are_exact(in_tmp):
    require_tools()
    body = "".join(f"<h2>{html.escape(t)}</h2><p>The lamp burned low on night {i}.</p>"
                   for i, t in enumerate(HOSTILE_CHAPTERS, 1))
    page = in_tmp / "hostile.html"
    page.write_text(f"<html><head><title>{html.escape(WORK_TITLE)}</title></head><body>{body}</body></html>",
                    encoding="utf-8")
    out = in_tmp / "book"
    res = runner.invoke(app, ["render", str(page), "-o", str(out), "--engine", "fake",
                              "--cache", str(in_tmp / "cache"), "--jobs", "2"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    inside = out.resolve()
    made = [p for p in in_tmp.rglob("*") if p.is_file() and "cache" not in p.parts]
    assert all(p.resolve().is_relative_to(inside) or p.parent == in_tmp for p in made), made
    assert not (in_tmp / "PWNED").exists() and not Path("/tmp/escaped.m4a").exists()
    chapters = sorted(out.rglob("*.m4a"))
    assert len(chapters) == len(HOSTILE_CHAPTERS)
    for p in chapters:
        name = p.name
        assert "/" not in name and "\\" not in name and "\x00" not in name and "\n" not in name
        assert len(name.encode()) <= 255 and not name.startswith(".")
        stem = name.split(" - ", 1)[1].rsplit(".", 1)[0]
        assert stem.split(".")[0].upper() not in {"CON", "NUL", "PRN", "AUX"}
    [book] = out.rglob("*.m4b")
    assert book.resolve().is_relative_to(inside) and len(book.name.encode()) <= 255
    assert "/" not in book.name and "\n" not in book.name and "\x00" not in book.name
    info = probe(book)
    assert info["format"]["tags"]["title"] == WORK_TITLE.replace("\x00", "")
    titles = [c["tags"]["title"] for c in info["chapters"]]
    # castbook tidies headings for the listener (CON -> Con, trailing space); the others arrive as written
    shown = [c["title"] for c in json.loads(cli("inspect", page, "--json").stdout)["chapters"]]
    assert titles == shown
    assert [t for i, t in enumerate(titles) if i not in (2, 7)] == [
        t for i, t in enumerate(HOSTILE_CHAPTERS) if i not in (2, 7)]
    assert titles[2] == "Con" and titles[7] == HOSTILE_CHAPTERS[7].strip()
    for p, title in zip(chapters, titles):  # each chapter file carries its own title as its tag
        assert probe(p)["format"]["tags"]["title"] == title
    assert "[/bold]" in res.stdout or "markup" in res.stdout


def test_title_with_nul_and_newline_from_a_text_file(in_tmp):
    require_tools()
    work = in_tmp / "nul-title.txt"
    work.write_bytes(b"Title: The Keeper\x00s Lamp; part=1 #2\n\nChapter 1: Dark\x00ness = night; #1\n\n"
                     b"The lamp burned low.\n\nChapter 2: Dawn\n\nThe sea was calm.\n")
    out = in_tmp / "out"
    res = cli("render", work, "-o", out, "--engine", "fake", "--cache", in_tmp / "cache")
    assert res.exit_code == 0, res.output
    [book] = out.rglob("*.m4b")
    info = probe(book)
    assert info["format"]["tags"]["title"] == "The Keepers Lamp; part=1 #2"
    assert [c["tags"]["title"] for c in info["chapters"]] == ["Chapter 1: Darkness = night; #1", "Chapter 2: Dawn"]
