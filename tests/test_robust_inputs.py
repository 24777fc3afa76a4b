"""Robustness: bad, huge and hostile input files through the real CLI (issue 10).

Every bad file ends as one `error:` line naming the file, a non-zero exit and no traceback; odd but
readable files are read without losing a word. Fixtures are generated in tmp_path.
"""

from __future__ import annotations

import io
import json
import random
import re
import time
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from castbook.cli import app
from castbook.segment import segment_work
from castbook.sources import load_work

runner = CliRunner()

STORY = ("The lamp burned low over the harbour. Mara climbed the stair and looked out at the grey water.\n\n"
         "\u201cKeep it lit,\u201d said Mara. \u201cThe boats are late tonight.\u201d\n\n"
         "Eli set down the oil can and nodded. \u201cI will wait with you,\u201d he said.\n\n")


def cli(*args):
    return runner.invoke(app, [str(a) for a in args])


def assert_clean_error(res, name: str) -> str:
    """Non-zero exit, one `error:` line on stderr naming the file, no traceback."""
    assert res.exit_code not in (0, None), res.output
    err = res.stderr.strip()
    assert err.startswith("error:") and "\n" not in err, err
    assert "Traceback" not in res.output and "internal error" not in err, err
    assert name in err, err
    return err


def segments_json(res) -> list[dict]:
    assert res.exit_code == 0, res.output
    return [json.loads(line) for line in res.stdout.splitlines()]


def words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.casefold()))


# ---------------------------------------------------------------- files that hold no story


def _epub(members: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


CONTAINER = ('<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
             '<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
             '</rootfiles></container>')


def _opf(extra_head: str = "", title: str = "Harbour Lights") -> str:
    return (f'<?xml version="1.0"?>{extra_head}<package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
            f'<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{title}</dc:title>'
            '<dc:creator>A. Writer</dc:creator></metadata>'
            '<manifest><item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/></manifest>'
            '<spine><itemref idref="c1"/></spine></package>')


def _bomb(path: Path) -> None:
    """An EPUB whose one member inflates to 210 MB from a few hundred KB (written in 1 MB pieces)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/epub+zip")
        z.writestr("META-INF/container.xml", CONTAINER)
        z.writestr("OEBPS/content.opf", _opf())
        with z.open("OEBPS/c1.xhtml", "w", force_zip64=True) as fh:
            block = b" " * (1 << 20)
            for _ in range(210):
                fh.write(block)


BAD_FILES = {
    "empty.txt": b"",
    "blank.txt": b"  \n\t\r\n   \n",
    "bom-only.txt": b"\xef\xbb\xbf\n\n",
    "noise.txt": random.Random(7).randbytes(6000),
    "picture.txt": b"\x89PNG\r\n\x1a\n" + random.Random(8).randbytes(3000),
    "notzip.epub": b"this was saved as .epub but it is only words",
    "truncated.epub": _epub({"mimetype": "application/epub+zip", "META-INF/container.xml": CONTAINER})[:60],
    "nocontainer.epub": _epub({"mimetype": "application/epub+zip", "a.txt": "hello"}),
    "nopackage.epub": _epub({"mimetype": "application/epub+zip", "META-INF/container.xml": CONTAINER}),
    "truncated.html": ("<html><head><title>Harbour</title></head><body><h2>Chapter 1</h2><p>"
                       + STORY.replace("\n\n", "</p><p>")).encode()[:-20],
    "scripts-only.html": b"<html><head><script>var story = 'not a story';</script></head><body>"
                         b"<script>document.write('hello there friend')</script></body></html>",
    "bad-utf16.txt": b"\xff\xfe" + "The lamp burned.".encode("utf-16-le") + b"\x00\xd8",
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_is_one_clean_error(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(BAD_FILES[name])
    for command in ("inspect", "segment"):
        assert_clean_error(cli(command, path), name)


def test_zip_bomb_epub_refused_quickly(tmp_path):
    path = tmp_path / "bomb.epub"
    _bomb(path)
    assert path.stat().st_size < 2_000_000
    t0 = time.monotonic()
    err = assert_clean_error(cli("inspect", path), "bomb.epub")
    assert time.monotonic() - t0 < 10
    assert "MB" in err


def test_directory_and_missing_file(tmp_path):
    folder = tmp_path / "a folder.txt"
    folder.mkdir()
    assert "directory" in assert_clean_error(cli("segment", folder), "a folder.txt")
    assert_clean_error(cli("render", folder, "--engine", "fake", "-o", tmp_path / "out"), "a folder.txt")
    assert "no such file" in assert_clean_error(cli("inspect", tmp_path / "gone.txt"), "gone.txt")
    assert not (tmp_path / "out").exists()


def test_unreadable_file(tmp_path):
    import os

    path = tmp_path / "locked.txt"
    path.write_text(STORY)
    if os.geteuid() == 0:  # root reads anything: a FIFO with no writer stands in for an unreadable file
        path.unlink()
        os.mkfifo(path)
        err = assert_clean_error(cli("inspect", path), "locked.txt")
    else:
        path.chmod(0)
        err = assert_clean_error(cli("inspect", path), "locked.txt")
    assert "error:" in err


# ---------------------------------------------------------------- odd but readable text


def test_mixed_encodings_are_repaired(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_bytes("Chapter 1\n\nThe caf\u00e9 was warm. ".encode("utf-8")
                     + "Na\u00efve Mara smiled at the cr\u00e8me.\n\n".encode("cp1252")
                     + b"\x93Stay,\x94 said Eli.\n")
    text = " ".join(s["text"] for s in segments_json(cli("segment", path, "--json")))
    assert "caf\u00e9" in text and "Na\u00efve" in text and "cr\u00e8me" in text
    assert "\u00c3" not in text and "\ufffd" not in text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-8-sig", "cp1252"])
def test_other_encodings(tmp_path, encoding):
    path = tmp_path / f"story-{encoding}.txt"
    path.write_bytes(("Chapter 1\n\n" + STORY.replace("\u201c", '"').replace("\u201d", '"')
                      + "The caf\u00e9 closed.\n").encode(encoding))
    rows = segments_json(cli("segment", path, "--json"))
    text = " ".join(r["text"] for r in rows)
    assert "caf\u00e9" in text and "harbour" in text
    assert any(r["kind"] == "dialogue" for r in rows)


def test_stray_nul_and_control_bytes_are_dropped(tmp_path):
    path = tmp_path / "nul.txt"
    path.write_bytes(b"Chapter 1: Dark\x00ness\n\nThe lamp\x00 burned\x1b low.\x07 Mara\x7f said hello.\n")
    rows = segments_json(cli("segment", path, "--json"))
    assert rows[0]["chapter_title"] == "Chapter 1: Darkness"
    text = " ".join(r["text"] for r in rows)
    assert text == "The lamp burned low. Mara said hello."


def test_unbalanced_quote_across_a_chapter(tmp_path):
    body = "\u201cThe tide turned early that night and nobody saw it come in. " * 400
    path = tmp_path / "open-quote.txt"
    path.write_text("Chapter 1\n\n" + body + "\n\nChapter 2\n\n" + STORY)
    rows = segments_json(cli("segment", path, "--json"))
    assert {r["chapter"] for r in rows} == {1, 2}
    assert max(len(r["text"]) for r in rows) <= 4000  # never one multi-minute segment
    spoken = words(" ".join(r["text"] for r in rows if r["chapter"] == 1))
    assert spoken == words(body)


def test_megabyte_single_line(tmp_path):
    rng = random.Random(3)
    vocab = "lamp sea keeper light rock wave storm night harbour rope".split()
    line = " ".join(rng.choice(vocab) for _ in range(190_000))  # ~1 MB, no sentence end at all
    path = tmp_path / "one-line.txt"
    path.write_text(line)
    assert path.stat().st_size > 1_000_000
    t0 = time.monotonic()
    rows = segments_json(cli("segment", path, "--json"))
    assert time.monotonic() - t0 < 30
    assert max(len(r["text"]) for r in rows) <= 4000
    assert words(" ".join(r["text"] for r in rows)) == words(line)


def test_ten_thousand_tiny_chapters(tmp_path):
    path = tmp_path / "tiny.txt"
    path.write_text("".join(f"Chapter {i}\n\nThe lamp was lit for night {i}.\n\n" for i in range(1, 10_001)))
    t0 = time.monotonic()
    res = cli("inspect", path, "--json")
    assert res.exit_code == 0, res.output
    assert time.monotonic() - t0 < 30
    chapters = json.loads(res.stdout)["chapters"]
    assert sum(c["words"] for c in chapters) >= 10_000 * 6
    assert len(chapters) >= 9_999


def test_chapter_with_no_words_renders(tmp_path):
    path = tmp_path / "quiet.txt"
    path.write_text("Chapter 1\n\nThe lamp burned.\n\nChapter 2\n\n...\n\n!!! ?? \u2014\n\nChapter 3\n\nThe sea rose.\n")
    out = tmp_path / "out"
    res = cli("render", path, "--engine", "fake", "-o", out, "--cache", tmp_path / "cache", "--jobs", "1")
    assert res.exit_code == 0, res.output
    assert len(list(out.glob("*.m4a"))) == 3 and len(list(out.glob("*.m4b"))) == 1
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")]


# ---------------------------------------------------------------- hostile HTML and EPUB


def test_html_scripts_and_external_entities_are_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("Zanzibarsecret")
    page = (f'<?xml version="1.0"?>\n<!DOCTYPE html [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
            '<html><head><title>Harbour</title><script>alert("Quetzalscript")</script>'
            '<style>p {color: red} .Vexstyle{}</style></head>'
            '<body onload="Onloadword()"><h2>Chapter 1</h2><p>The lamp &xxe; burned.</p>'
            '<script>document.write("Quetzalscript")</script><noscript>Noscriptword</noscript>'
            '<p>Mara <iframe src="file:///etc/passwd">Iframeword</iframe>waited.</p></body></html>')
    path = tmp_path / "xxe.html"
    path.write_text(page)
    res = cli("segment", path, "--json")
    text = " ".join(r["text"] for r in segments_json(res))
    for bad in ("Zanzibarsecret", "Quetzalscript", "Vexstyle", "Onloadword", "Noscriptword", "Iframeword", "root:"):
        assert bad not in text
    assert "lamp" in text and "waited" in text


def test_epub_with_external_entities_and_entity_expansion(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("Zanzibarsecret")
    laughs = ('<!DOCTYPE package [<!ENTITY a "lollollollollollollollollol">'
              + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("abcdefgh", "bcdefghi"))
              + f'<!ENTITY xxe SYSTEM "file://{secret}">]>')
    chapter = (f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY xxe SYSTEM "file://{secret}">]>'
               '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>c</title><script>var Quetzalscript;</script>'
               '</head><body><h1>Chapter 1</h1><p>The lamp &xxe; burned low.</p><p>Mara waited.</p></body></html>')
    path = tmp_path / "hostile.epub"
    path.write_bytes(_epub({"mimetype": "application/epub+zip", "META-INF/container.xml": CONTAINER,
                            "OEBPS/content.opf": _opf(laughs, title="Harbour &i; &xxe;"),
                            "OEBPS/c1.xhtml": chapter}))
    t0 = time.monotonic()
    res = cli("inspect", path, "--json")
    assert time.monotonic() - t0 < 20
    if res.exit_code == 0:
        data = json.loads(res.stdout)
        assert "Zanzibarsecret" not in res.stdout and "lollollol" not in res.stdout
        assert "Quetzalscript" not in res.stdout
        assert data["chapters"] and "lamp" in data["chapters"][0]["opening"]
    else:
        assert_clean_error(res, "hostile.epub")


# ---------------------------------------------------------------- a huge work


def _prose(n_bytes: int) -> str:
    """Original prose with dialogue and chapter headings, about n_bytes long (deterministic)."""
    rng = random.Random(11)
    names = ["Mara", "Eli", "Juno", "Tobias", "Wren", "Agnes"]
    verbs = ["climbed the stair", "trimmed the wick", "watched the water", "counted the boats", "mended the net"]
    lines = ["\u201cKeep it lit,\u201d said {a}.", "{a} {v} while {b} {w}.",
             "\u201cThe tide is turning,\u201d {a} told {b}. \u201cWe should go down.\u201d",
             "Rain drummed on the glass and the wind pulled at the shutters.", "{a} {v}."]
    parts, size, chapter = [], 0, 0
    while size < n_bytes:
        chapter += 1
        head = f"Chapter {chapter}\n\n"
        parts.append(head)
        size += len(head)
        for _ in range(120):
            a, b = rng.sample(names, 2)
            para = " ".join(rng.choice(lines).format(a=a, b=b, v=rng.choice(verbs), w=rng.choice(verbs))
                            for _ in range(3)) + "\n\n"
            parts.append(para)
            size += len(para.encode())
    return "".join(parts)


def test_ten_megabyte_work_loads_and_segments_whole(tmp_path):
    # Time is measured by `benchmarks/bench_load.py --mb 10`, not asserted here: a timed test fails on a
    # loaded machine. This one proves a 10 MB work goes through load and segmentation whole.
    path = tmp_path / "huge.txt"
    path.write_text(_prose(10_500_000))
    assert path.stat().st_size > 10_000_000
    work = load_work(path)
    segmented = segment_work(work.chapters)
    assert len(work.chapters) > 100
    assert sum(len(s.text) for s in segmented.segments) > 9_000_000
