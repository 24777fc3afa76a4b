"""castbook export: a work whose title or author changed moves, and its previous export's files are removed."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from castbook.cli import app
from castbook.export import REPORT

from .conftest import write

runner = CliRunner()
BODY = "Chapter 1\n\nThe ledger lay open on the roof.\n\nChapter 2\n\n“Count with me,” said Ada.\n"


def _export(works, lib, cache):
    res = runner.invoke(app, [str(a) for a in ("export", works, "-o", lib, "--cache", cache, "--engine", "fake",
                                                "--jobs", 2, "--no-m4b")], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    report = json.loads((lib / REPORT).read_text(encoding="utf-8"))
    return res.stdout, {w["source"].rsplit("/", 1)[-1]: w for w in report["works"]}


def _files(folder):
    return sorted(p.name for p in folder.iterdir())


def test_renamed_work_removes_its_old_files_and_keeps_the_users(tmp_path):
    works, lib, cache = tmp_path / "works", tmp_path / "lib", tmp_path / "cache"
    write(works / "ledger.txt", "Work Header\n\nRain Ledger\nby inkmoth\n\nChapter Text\n\n" + BODY)
    write(works / "kettle.txt", BODY.replace("ledger", "kettle"))
    _, first = _export(works, lib, cache)
    old_ledger, old_kettle = lib / "inkmoth" / "Rain Ledger", lib / "Unknown Author" / "Kettle"
    assert first["ledger.txt"]["folder"] == "inkmoth/Rain Ledger" and len(_files(old_ledger)) > 2
    assert first["kettle.txt"]["folder"] == "Unknown Author/Kettle" and old_kettle.is_dir()
    write(old_ledger / "my notes.txt", "the user's own file\n")

    # A new title, and an author for the work that had none.
    write(works / "ledger.txt", "Work Header\n\nRain Book\nby inkmoth\n\nChapter Text\n\n" + BODY)
    write(works / "kettle.txt", "Work Header\n\nKettle\nby juno\n\nChapter Text\n\n" + BODY.replace("ledger", "kettle"))
    out, second = _export(works, lib, cache)
    ledger, kettle = second["ledger.txt"], second["kettle.txt"]
    assert ledger["folder"] == "inkmoth/Rain Book" and kettle["folder"] == "juno/Kettle"
    assert (lib / ledger["outputs"][0]).is_file() and (lib / kettle["outputs"][0]).is_file()

    # Every file the first export listed is gone; the user's file and so its folder stay.
    assert sorted(ledger["removed"]) == sorted(first["ledger.txt"]["outputs"])
    assert _files(old_ledger) == ["my notes.txt"]
    assert sorted(kettle["removed"]) == sorted(first["kettle.txt"]["outputs"])
    assert not (lib / "Unknown Author").exists()  # emptied, so removed with its author folder
    assert not any("left in place" in w for w in ledger["warnings"] + kettle["warnings"])
    assert "removed the previous export" in out and "inkmoth/Rain Ledger" in out

    # Nothing moves on the next run: nothing is removed again.
    _, third = _export(works, lib, cache)
    assert third["ledger.txt"]["status"] == "skipped" and third["ledger.txt"]["removed"] == []
