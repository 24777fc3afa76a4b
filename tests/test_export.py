"""castbook export: a mixed folder with one corrupt work, the skip on rerun, the shared pool, and Ray."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from mutagen.mp4 import MP4
from typer.testing import CliRunner

from castbook import pipeline
from castbook.cli import app
from castbook.encode import duration_ms
from castbook.export import REPORT, discover

from .conftest import require_tools, write

runner = CliRunner()
GOOD = 4


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def _epub(path: Path, title: str, author: str, chapters: list[tuple[str, str]]) -> Path:
    """A minimal EPUB 3 (container, package, nav, one XHTML file per chapter), built by hand."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/container.xml",
                   '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:'
                   'container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/'
                   'oebps-package+xml"/></rootfiles></container>')
        items = "".join(f'<item id="c{i}" href="c{i}.xhtml" media-type="application/xhtml+xml"/>'
                        for i in range(len(chapters)))
        spine = "".join(f'<itemref idref="c{i}"/>' for i in range(len(chapters)))
        z.writestr("OEBPS/content.opf",
                   '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" '
                   'unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
                   f'<dc:identifier id="id">castbook-export-test</dc:identifier><dc:title>{title}</dc:title>'
                   f'<dc:creator>{author}</dc:creator><dc:language>en</dc:language></metadata><manifest>'
                   f'<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>{items}'
                   f'</manifest><spine>{spine}</spine></package>')
        links = "".join(f'<li><a href="c{i}.xhtml">{t}</a></li>' for i, (t, _) in enumerate(chapters))
        z.writestr("OEBPS/nav.xhtml", '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml" '
                   'xmlns:epub="http://www.idpf.org/2007/ops"><body><nav epub:type="toc"><ol>'
                   f'{links}</ol></nav></body></html>')
        for i, (t, body) in enumerate(chapters):
            z.writestr(f"OEBPS/c{i}.xhtml", '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml">'
                       f'<head><title>{t}</title></head><body><h2>{t}</h2>{body}</body></html>')
    return path


def _library_sources(root: Path) -> Path:
    """Five tiny original works of four shapes, one of them a corrupt EPUB, plus a per-work cast."""
    works = root / "works"
    write(works / "kettle.txt", "“Is anyone awake?”\n\nThe kettle sang twice before Juno took it off the flame.\n\n"
          "“Tea or nothing,” said Juno.\n")
    write(works / "kettle.voices.yaml", "narrator:\n  voice: en-029\n")
    write(works / "ao3" / "rain-ledger.txt", "Work Header\n\nRain Ledger\nby inkmoth\n\nChapter Text\n\n"
          "Rain kept its own ledger on the roof.\n\n“Count with me,” said Ada.\n")
    write(works / "ao3" / "moss.html", "<!DOCTYPE html><html><head><title>Moss Letters</title></head><body>"
          "<h1>Moss Letters</h1><p>The moss grew letters overnight.</p><p>“Read them,” said Bram.</p>"
          "</body></html>")
    _epub(works / "salt-lamps.epub", "Salt Lamps", "Oriel Fane",
          [("Chapter 1", "<p>The lamps were filled with sea water.</p>"),
           ("Chapter 2", "<p>“They burn blue,” said Tamsin.</p>")])
    (works / "ao3" / "torn.epub").write_bytes(b"PK\x03\x04 this archive was cut short in the download")
    write(root / "global.yaml", "narrator:\n  voice: en-gb-x-rp\n")
    return works


def _voices_used(m4b: Path) -> list[str]:
    composer = MP4(m4b).tags["\xa9wrt"][0]
    return composer.split("voices: ", 1)[1].rstrip(")").split(", ")


@pytest.fixture(scope="module")
def first_export(tmp_path_factory):
    """The first export of the mixed folder with the real engine and ffmpeg, timed."""
    require_tools()
    root = tmp_path_factory.mktemp("export")
    works = _library_sources(root)
    lib, cache = root / "library", root / "cache"
    args = ("export", works, "-o", lib, "--cache", cache, "--voices", root / "global.yaml", "--jobs", 2)
    t0 = time.perf_counter()
    res = run(*args)
    seconds = time.perf_counter() - t0
    return root, works, lib, args, res, seconds


def test_good_works_exported_bad_one_reported(first_export):
    _, works, lib, _, res, _ = first_export
    assert res.exit_code == 1, res.output
    report = json.loads((lib / REPORT).read_text(encoding="utf-8"))
    assert report["counts"] == {"done": GOOD, "skipped": 0, "failed": 1}
    by_name = {Path(w["source"]).name: w for w in report["works"]}
    assert set(by_name) == {"kettle.txt", "rain-ledger.txt", "moss.html", "salt-lamps.epub", "torn.epub"}

    torn = by_name["torn.epub"]
    assert torn["status"] == "failed" and "\n" not in torn["error"]
    assert str(works / "ao3" / "torn.epub") in torn["error"] and "not a valid EPUB" in torn["error"]
    assert "failed   " + torn["error"] in res.output

    folders = {n: w["folder"] for n, w in by_name.items() if w["status"] == "done"}
    assert folders == {"kettle.txt": "Unknown Author/Kettle", "rain-ledger.txt": "inkmoth/Rain Ledger",
                       "moss.html": "Unknown Author/Moss Letters", "salt-lamps.epub": "Oriel Fane/Salt Lamps"}
    for w in by_name.values():
        if w["status"] != "done":
            continue
        files = [lib / p for p in w["outputs"]]
        chapters = [f for f in files if f.suffix == ".m4a"]
        assert len(chapters) == w["chapters"] and all(f.is_file() for f in files)
        assert [f.suffix for f in files].count(".m4b") == 1
        probed = sum(duration_ms(f) for f in chapters)
        assert w["duration_ms"] == pytest.approx(probed, abs=5) and probed > 1500
        assert w["seconds"] > 0 and w["error"] is None
    assert by_name["salt-lamps.epub"]["chapters"] == 2
    # the opening line of kettle.txt has no speaker; it is counted
    assert by_name["kettle.txt"]["unattributed"] >= 1 and by_name["kettle.txt"]["dialogue"] >= 2
    assert "no author stated" in " ".join(by_name["kettle.txt"]["warnings"])
    # the work's own cast goes over the global one, which goes over the defaults
    assert "en-029" in _voices_used(lib / folders["kettle.txt"] / "Kettle.m4b")
    salt = _voices_used(lib / folders["salt-lamps.epub"] / "Salt Lamps.m4b")
    assert "en-gb-x-rp" in salt and "en-029" not in salt
    assert not list(lib.rglob("*.part"))


def test_second_run_skips_everything_fast(first_export):
    _, works, lib, args, _, first_s = first_export
    stamps = {p: p.stat().st_mtime_ns for p in lib.rglob("*.m4*")}
    t0 = time.perf_counter()
    res = run(*args)
    second_s = time.perf_counter() - t0
    assert res.exit_code == 1, res.output  # the corrupt work still fails
    report = json.loads((lib / REPORT).read_text(encoding="utf-8"))
    assert report["counts"] == {"done": 0, "skipped": GOOD, "failed": 1}
    assert all(w["chapters"] and w["outputs"] for w in report["works"] if w["status"] == "skipped")
    assert {p: p.stat().st_mtime_ns for p in lib.rglob("*.m4*")} == stamps
    print(f"first export {first_s:.2f} s, second {second_s:.3f} s ({100 * second_s / first_s:.2f} %)")
    assert second_s < 0.05 * first_s and second_s < 1.0

    # a changed work is rendered again; the others stay skipped
    kettle = works / "kettle.txt"
    kettle.write_text(kettle.read_text(encoding="utf-8") + "\nThe cups stayed dry.\n", encoding="utf-8")
    res = run(*args)
    report = json.loads((lib / REPORT).read_text(encoding="utf-8"))
    status = {Path(w["source"]).name: w["status"] for w in report["works"]}
    assert status == {"kettle.txt": "done", "rain-ledger.txt": "skipped", "moss.html": "skipped",
                      "salt-lamps.epub": "skipped", "torn.epub": "failed"}


def test_discover_folders_list_files_and_missing_paths(tmp_path):
    a = write(tmp_path / "lib" / "a.txt", "A story about a lamp.\n")
    b = write(tmp_path / "lib" / "deep" / "b.HTML", "<p>Another.</p>\n")
    write(tmp_path / "lib" / "notes.md", "not a work type searched in folders\n")
    write(tmp_path / "lib" / ".hidden" / "c.txt", "hidden\n")
    write(tmp_path / "lib" / "a.voices.yaml", "narrator: {voice: en-us}\n")
    e = _epub(tmp_path / "e.epub", "E", "F", [("One", "<p>x</p>")])
    listing = write(tmp_path / "queue.txt", f"# my queue\n\n{e.name}\nlib\n{tmp_path / 'gone.txt'}\n")
    found = discover([listing, a, tmp_path / "missing-folder"])
    assert [s.path for s in found] == [e, a, b, tmp_path / "gone.txt", tmp_path / "missing-folder"]
    assert [s.problem is None for s in found] == [True, True, True, False, False]
    assert "no such file" in found[3].problem
    # a story is never taken for a list, even when a line of it names a file
    story = write(tmp_path / "story.txt", f"{e.name}\nwas the name carved on the door, " + "and on the gate, " * 30
                  + "in letters too long for any file name.\n")
    assert [s.path for s in discover([story])] == [story]


def test_pool_is_shared_and_bounded_across_works(tmp_path, monkeypatch):
    works = tmp_path / "works"
    for n in range(5):
        write(works / f"w{n}.txt", f"Chapter 1\n\nThe {n} bells rang.\n\nChapter 2\n\n“Again,” said Oda.\n")
    lock, running, peak = threading.Lock(), [0], [0]
    real = pipeline.render_chapter

    def counted(*args, **kwargs):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            time.sleep(0.05)  # long enough for other works' chapters to overlap if the pool allowed it
            return real(*args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(pipeline, "render_chapter", counted)
    res = run("export", works, "-o", tmp_path / "lib", "--cache", tmp_path / "cache", "--engine", "fake",
              "--jobs", 2, "--no-m4b")
    assert res.exit_code == 0, res.output
    report = json.loads((tmp_path / "lib" / REPORT).read_text(encoding="utf-8"))
    assert report["counts"]["done"] == 5 and all(w["chapters"] == 2 for w in report["works"])
    assert peak[0] == 2


def test_same_line_spoken_by_two_works_at_once(tmp_path):
    """Two chapter jobs that need the same uncached line both get a complete file (engines write `<wav>.part`)."""
    from castbook.casting import narrator_line
    from castbook.config import load_config
    from castbook.engines.fake import FakeEngine
    from castbook.model import Break
    from castbook.synthesize import SegmentCache, iter_synthesize

    line = narrator_line(1, "narration", "The same words in two works.", load_config(), Break.PARAGRAPH)
    gate = threading.Barrier(2)

    class Interleaved(FakeEngine):
        """Writes `<wav>.part` then renames it, as the real engines do, with both jobs in step."""

        def render(self, text, voice, wav_path):
            scratch = wav_path.with_name(f"scratch-{threading.get_ident()}")
            ms = super().render(text, voice, scratch)
            part = wav_path.with_name(wav_path.name + ".part")
            gate.wait(timeout=10)
            part.write_bytes(scratch.read_bytes())
            scratch.unlink()
            gate.wait(timeout=10)  # both have written their part file before either renames it
            os.replace(part, wav_path)
            return ms

    cache = SegmentCache(tmp_path / "cache")
    got, errors = [], []

    def job():
        try:
            got.extend(iter_synthesize([line], lambda _: Interleaved(), lambda _: "1", cache))
        except Exception as exc:  # noqa: BLE001 - the assertion below shows it
            errors.append(exc)

    threads = [threading.Thread(target=job) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(got) == 2
    assert got[0].wav_path == got[1].wav_path and duration_ms(got[0].wav_path) > 500
    assert [p.name for p in (tmp_path / "cache").rglob("*")  if p.is_file()] == [got[0].wav_path.name]


def test_bad_cast_file_fails_that_work_only(tmp_path):
    write(tmp_path / "a.txt", "The bells rang.\n")
    write(tmp_path / "b.txt", "The gulls answered.\n")
    write(tmp_path / "b.voices.yaml", "narrator:\n  voise: en-us\n")
    res = run("export", tmp_path / "a.txt", tmp_path / "b.txt", "-o", tmp_path / "lib", "--cache", tmp_path / "cache",
              "--engine", "fake")
    assert res.exit_code == 1
    works = json.loads((tmp_path / "lib" / REPORT).read_text(encoding="utf-8"))["works"]
    assert [w["status"] for w in works] == ["done", "failed"]
    assert "b.voices.yaml:2" in works[1]["error"] and "did you mean 'voice'" in works[1]["error"]


def test_export_help_and_readme():
    from .conftest import ROOT

    res = run("export", "--help")
    assert res.exit_code == 0 and "Example" in res.output
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "castbook export" in readme and "--executor ray" in readme and "castbook-report.json" in readme


def test_ray_missing_is_one_line(tmp_path, monkeypatch):
    write(tmp_path / "w.txt", "The bells rang.\n")
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    res = runner.invoke(app, ["export", str(tmp_path / "w.txt"), "-o", str(tmp_path / "lib"), "--executor", "ray"])
    assert res.exit_code == 1
    assert "castbook[ray]" in res.output and "Traceback" not in res.output


def test_ray_executor_matches_local(first_export, tmp_path):
    """One small work exported by chapter tasks on a local Ray instance: the same files as a local export."""
    ray = pytest.importorskip("ray", reason="ray is in the test extra: pip install -e .[test]")
    root, works, _, _, _, _ = first_export
    common = (works / "salt-lamps.epub", "--voices", root / "global.yaml")
    t0 = time.perf_counter()
    res = run("export", *common, "-o", tmp_path / "local", "--cache", tmp_path / "local-cache", "--jobs", 2)
    local_s = time.perf_counter() - t0
    assert res.exit_code == 0, res.output
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        t0 = time.perf_counter()
        res = run("export", *common, "-o", tmp_path / "ray", "--cache", tmp_path / "ray-cache", "--executor", "ray")
        ray_s = time.perf_counter() - t0
    finally:
        ray.shutdown()
    assert res.exit_code == 0, res.output
    print(f"one work, fresh cache: local {local_s:.2f} s, ray {ray_s:.2f} s (after ray.init)")
    local_w, ray_w = (json.loads((tmp_path / d / REPORT).read_text(encoding="utf-8"))["works"][0]
                      for d in ("local", "ray"))
    assert ray_w["status"] == "done" and ray_w["chapters"] == local_w["chapters"] == 2
    assert ray_w["outputs"] == local_w["outputs"]
    assert list((tmp_path / "ray-cache").rglob("*.wav"))  # the Ray workers synthesized, into the cache given
    for rel in (r for r in local_w["outputs"] if r.endswith((".m4a", ".m4b", ".mp3"))):
        # espeak-ng's output varies by a few samples a line from run to run; an AAC frame is 23 ms
        local_ms = duration_ms(tmp_path / "local" / rel)
        assert abs(duration_ms(tmp_path / "ray" / rel) - local_ms) <= max(100, local_ms // 1000), rel
    # the state the driver recorded lets a local rerun skip the work
    res = run("export", *common, "-o", tmp_path / "ray", "--cache", tmp_path / "ray-cache")
    assert res.exit_code == 0 and "skipped" in res.output
