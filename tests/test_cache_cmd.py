"""`castbook cache info|clear` on a cache folder laid out as the renderer lays it out."""

from __future__ import annotations

import os
import time

from typer.testing import CliRunner

from castbook.cli import app


def _cache(tmp_path):
    root = tmp_path / "cache"
    files = {}
    for i, age_days in enumerate([0, 2, 40, 90]):
        path = root / f"{i:02d}" / f"{i:02d}abc.wav"
        path.parent.mkdir(parents=True)
        path.write_bytes(b"\0" * 44100)
        old = time.time() - age_days * 86400
        os.utime(path, (old, old))
        files[age_days] = path
    return root, files


def test_info_counts_files_and_size(tmp_path):
    root, _ = _cache(tmp_path)
    res = CliRunner().invoke(app, ["cache", "info", "--cache", str(root)])
    assert res.exit_code == 0, res.output
    assert "4 files" in res.output and "172.3 KB" in res.output


def test_clear_older_than_keeps_recent_lines(tmp_path):
    root, files = _cache(tmp_path)
    res = CliRunner().invoke(app, ["cache", "clear", "--cache", str(root), "--older-than", "30"])
    assert res.exit_code == 0, res.output
    assert "removed 2 files" in res.output
    assert files[0].exists() and files[2].exists() and not files[40].exists() and not files[90].exists()
    assert not files[40].parent.exists()  # emptied sub-folders go too


def test_clear_all_and_not_a_folder(tmp_path):
    root, files = _cache(tmp_path)
    res = CliRunner().invoke(app, ["cache", "clear", "--cache", str(root)])
    assert res.exit_code == 0 and not any(p.exists() for p in files.values())
    bogus = tmp_path / "file.txt"
    bogus.write_text("x")
    res = CliRunner().invoke(app, ["cache", "info", "--cache", str(bogus)])
    assert res.exit_code == 1 and "not a folder" in res.output and "Traceback" not in res.output


def test_a_cache_hit_marks_the_line_as_used(tmp_path):
    from castbook.casting import Line
    from castbook.engines.fake import FakeEngine
    from castbook.model import Break, Voice
    from castbook.synthesize import SegmentCache, synthesize

    cache, eng = SegmentCache(tmp_path / "c"), FakeEngine()
    line = Line(chapter=1, kind="narration", text="Old words.", speech="Old words.", voice=Voice(), role="narrator",
                break_before=Break.PARAGRAPH)
    (first,) = synthesize([line], lambda _n: eng, lambda _n: eng.version(), cache)
    old = time.time() - 60 * 86400
    os.utime(first.wav_path, (old, old))
    synthesize([line], lambda _n: eng, lambda _n: eng.version(), cache)
    assert first.wav_path.stat().st_mtime > time.time() - 600


def test_clear_max_size_drops_least_recently_used_first(tmp_path):
    from castbook.commands.cache import parse_size

    assert parse_size("500M") == 500 * 1024**2 and parse_size("2G") == 2 * 1024**3
    assert parse_size("1.5gb") == int(1.5 * 1024**3) and parse_size("800KiB") == 800 * 1024
    assert parse_size("4096") == 4096 and parse_size(" 10 k ") == 10240
    root, files = _cache(tmp_path)  # four lines of 44100 bytes, last used 0, 2, 40 and 90 days ago
    res = CliRunner().invoke(app, ["cache", "clear", "--cache", str(root), "--max-size", "100K"])
    assert res.exit_code == 0, res.output
    assert "removed 2 files" in res.output and "86.1 KB left" in res.output
    assert files[0].exists() and files[2].exists() and not files[40].exists() and not files[90].exists()
    res = CliRunner().invoke(app, ["cache", "clear", "--cache", str(root), "--max-size", "1M"])
    assert res.exit_code == 0 and "removed 0 files" in res.output and files[2].exists()
    res = CliRunner().invoke(app, ["cache", "clear", "--cache", str(root), "--max-size", "50K"])
    assert res.exit_code == 0 and files[0].exists() and not files[2].exists()
    for bad in ("12 parsecs", "-5M", "G", ""):
        res = CliRunner().invoke(app, ["cache", "clear", "--cache", str(root), "--max-size", bad])
        assert res.exit_code == 1 and "--max-size" in res.output and "e.g. 500M" in res.output, bad
        assert len(res.output.strip().splitlines()) == 1 and "Traceback" not in res.output
    assert files[0].exists()  # a bad size deletes nothing
