"""The command line: views, and one-line errors with a non-zero exit for each error family."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from castbook.cli import app

from .conftest import ROOT, SEEDS, write

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_segment_json_lines_fields(in_tmp):
    res = run("segment", SEEDS / "the-lantern-keeper.txt", "--voices", ROOT / "voices.yaml", "--json")
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert {"chapter", "chapter_title", "index", "kind", "speaker", "voice", "text"} <= set(rows[0])
    assert rows[0]["chapter"] == 1 and rows[0]["chapter_title"] == "Chapter 1" and rows[0]["index"] == 0
    assert {r["kind"] for r in rows} == {"narration", "dialogue"}
    assert all(r["speaker"] is None for r in rows if r["kind"] == "narration")
    narr = {r["voice"] for r in rows if r["kind"] == "narration"}
    assert narr == {"en-us"}
    spoken = {r["voice"] for r in rows if r["kind"] == "dialogue" and r["speaker"]}
    assert len(spoken) >= 2 and "en-us" not in spoken
    for ch in {r["chapter"] for r in rows}:
        idx = [r["index"] for r in rows if r["chapter"] == ch]
        assert idx == list(range(len(idx)))


def test_segment_table(in_tmp):
    res = run("segment", SEEDS / "the-orchard-wall.txt")
    assert res.exit_code == 0, res.output
    assert "narration" in res.stdout and "dialogue" in res.stdout


def test_segment_dialogue_only_shows_how_sure(in_tmp):
    res = runner.invoke(app, ["segment", str(SEEDS / "the-orchard-wall.txt"), "--dialogue"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "dialogue" in res.stdout and "narration" not in res.stdout
    assert any(cue in res.stdout for cue in ("explicit", "anaphoric", "implicit"))


def test_inspect_json(in_tmp):
    res = run("inspect", SEEDS / "paper-cranes.txt", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["title"] == "Paper Cranes"
    assert [c["title"] for c in data["chapters"]] == ["Prologue", "Chapter One", "Chapter Two"]
    assert all(c["words"] > 50 and len(c["opening"].split()) == 20 for c in data["chapters"])
    names = {c["name"] for c in data["characters"]}
    assert any("Juno" in n for n in names)
    assert all({"name", "aliases", "lines"} <= set(c) for c in data["characters"])


def test_inspect_table(in_tmp):
    res = run("inspect", SEEDS / "the-lantern-keeper.txt")
    assert res.exit_code == 0, res.output
    assert "The Lantern Keeper" in res.stdout and "Chapter 3" in res.stdout


@pytest.mark.parametrize("case", ["missing", "empty", "directory", "bad_voices", "bad_yaml"])
def test_errors_are_one_line_and_non_zero(in_tmp, case):
    work = SEEDS / "the-orchard-wall.txt"
    args = ["inspect", work]
    if case == "missing":
        args = ["inspect", in_tmp / "nope.txt"]
    elif case == "empty":
        args = ["inspect", write(in_tmp / "empty.txt", "  \n\n")]
    elif case == "directory":
        args = ["render", in_tmp]
    elif case == "bad_voices":
        args = ["render", work, "--voices", write(in_tmp / "v.yaml", "narrator:\n  voise: en-us\n")]
    elif case == "bad_yaml":
        args = ["segment", work, "--voices", write(in_tmp / "v.yaml", "narrator: [\n")]
    res = run(*args)
    assert res.exit_code == 1, res.output
    out = res.output.strip()
    assert out.startswith("error:") and "\n" not in out and "Traceback" not in out
    if case == "bad_voices":
        assert "v.yaml:2" in out and "narrator.voise" in out and "did you mean 'voice'" in out


def test_every_command_has_help_and_is_in_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("render", "segment", "inspect"):
        res = run(name, "--help")
        assert res.exit_code == 0 and "Example" in res.output
        assert f"castbook {name}" in readme
