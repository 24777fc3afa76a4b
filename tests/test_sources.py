"""load_work: shapes detected from content, metadata kept out of the reading, encodings, clear errors."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest
from ebooklib import epub

from castbook.errors import SourceError
from castbook.model import SCENE_BREAK
from castbook.segment import segment_work
from castbook.sources import load_work
from castbook.sources.html import chapter_parts, parse_html, walk_blocks

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
WORKS = Path(__file__).resolve().parent / "data" / "works"


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def story(work) -> str:
    return "\n".join(p for c in work.chapters for p in c.paragraphs)


# --- text shapes -------------------------------------------------------------------------------


def test_ao3_short_form(tmp_path: Path) -> None:
    path = write(tmp_path, "w.txt", "Work Header\n\nThe Lantern Keeper\n\nChapter Text\n\n“Is the lamp lit?” Mara asked."
                 "\n\nShe climbed.\n\n\n\nLater, the sea.\n\nChapter Text\n\nMorning came.\n")
    work = load_work(path)
    assert work.format == "ao3-txt"
    assert work.title == "The Lantern Keeper"
    assert [c.title for c in work.chapters] == ["Chapter 1", "Chapter 2"]
    assert work.chapters[0].paragraphs == ("“Is the lamp lit?” Mara asked.", "She climbed.", SCENE_BREAK,
                                           "Later, the sea.")


def test_ao3_full_form() -> None:
    work = load_work(WORKS / "ao3_full.txt")
    assert (work.title, work.author, work.format) == ("The Tide Clock", "saltmarsh", "ao3-txt")
    assert work.fandom == ("Original Work",)
    assert "Clockmakers" in work.tags
    assert work.summary == "A clock that runs on tides, and the girl who winds it."
    assert [c.title for c in work.chapters] == ["Chapter 1", "Chapter 2: High Water"]
    first = work.chapters[0]
    assert first.paragraphs[0].startswith("The clock struck low tide.")
    assert first.notes_before == ("I have never seen the sea.",)
    assert work.chapters[1].notes_after == ("Thank you all for the kind words!",)
    text = story(work)
    for junk in ("Posted originally", "Rating", "Teen And Up", "Published", "See the end", "Please drop by",
                 "saltmarsh", "{", "Preface", "Afterword", "End Notes"):
        assert junk not in text
    assert "low tide. Wren looked" in text and "asked. Nobody" in text  # glued sentences repaired


def test_ao3_full_form_one_line_chapter_paragraphs_recovered(tmp_path: Path) -> None:
    body = "".join(f"Sentence {i} of the night was long.“Line {i}?” she asked." for i in range(200))
    src = (WORKS / "ao3_full.txt").read_text(encoding="utf-8")
    path = write(tmp_path, "big.txt", src.replace("The water rose all night.", body))
    work = load_work(path)
    assert len(work.chapters[1].paragraphs) > 100
    assert all(len(p) < 5000 for p in work.chapters[1].paragraphs)


def test_wattpad_copy() -> None:
    work = load_work(WORKS / "wattpad.txt")
    assert work.format == "wattpad"
    assert [c.title for c in work.chapters] == ["Prologue", "Chapter One", "The Quiet Part"]
    assert work.chapters[0].paragraphs[0] == "1979"
    text = story(work)
    assert "Where stories live" not in text and "4.2K" not in text and "LAST TRAIN" not in text
    assert work.title == "Last Train North"
    assert any(s.what == "Wattpad reader counts" for s in work.skipped)


def test_plain_prose_no_headings_is_one_chapter(tmp_path: Path) -> None:
    path = write(tmp_path, "quiet_harbour.txt", "Leave the nets, Tom.\n\nHe left them.\n\n\n\nNight fell.\n")
    work = load_work(path)
    assert work.title == "Quiet Harbour" and work.author is None
    assert [c.title for c in work.chapters] == ["Quiet Harbour"]
    assert work.chapters[0].paragraphs == ("Leave the nets, Tom.", "He left them.", SCENE_BREAK, "Night fell.")


@pytest.mark.skipif(not SEEDS.exists(), reason="seeds not present")
@pytest.mark.parametrize(("name", "titles"), [
    ("the-lantern-keeper.txt", ["Chapter 1", "Chapter 2", "Chapter 3"]),
    ("paper-cranes.txt", ["Prologue", "Chapter One", "Chapter Two"]),
    ("the-orchard-wall.txt", ["The Orchard Wall"]),
])
def test_seeds(name: str, titles: list[str]) -> None:
    work = load_work(SEEDS / name)
    assert [c.title for c in work.chapters] == titles
    text = story(work)
    assert "Where stories live" not in text and "Work Header" not in text and "2.4K" not in text


# --- encodings ---------------------------------------------------------------------------------

_SAMPLE = "Chapter 1\n\n“Café?” asked Zoë. ‘Fraid not.\n\nChapter 2\n\nNaïve—always.\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path, "enc.txt", _SAMPLE.encode(encoding))
    work = load_work(path)
    assert work.chapters[0].paragraphs == ("“Café?” asked Zoë. ‘Fraid not.",)
    assert work.chapters[1].paragraphs == ("Naïve—always.",)


def test_latin1_and_mojibake(tmp_path: Path) -> None:
    assert load_work(write(tmp_path, "l.txt", "Une fête à Noël.\n".encode("latin-1"))).chapters[0].paragraphs == (
        "Une fête à Noël.",)
    garbled = "Café, naïve, déjà.".encode("utf-8").decode("cp1252")
    assert load_work(write(tmp_path, "m.txt", garbled)).chapters[0].paragraphs == ("Café, naïve, déjà.",)


def test_nbsp_and_zero_width(tmp_path: Path) -> None:
    work = load_work(write(tmp_path, "z.txt", "She\u00a0waited\u200b\u200b for\u2009the\ufeff bell.\n"))
    assert work.chapters[0].paragraphs == ("She waited for the bell.",)


# --- HTML --------------------------------------------------------------------------------------


def test_ao3_html_download() -> None:
    work = load_work(WORKS / "ao3_download.html")
    assert (work.title, work.author, work.format) == ("The Salt Road", "fernhollow", "ao3-html")
    assert work.fandom == ("Original Work",) and "Road Trip" in work.tags
    assert work.characters == ("Ada", "Tomas")  # the people of the `Ada/Tomas` relationship tag
    assert work.summary == "Two couriers, one cart, and a road made of salt."
    assert (work.language, work.published) == ("English", "2021-06-14")
    one, two = work.chapters
    assert one.title == "Chapter 1: The White Mile" and two.title == "Chapter 2"
    assert one.paragraphs[0] == "The cart creaked over the crust."
    assert SCENE_BREAK in one.paragraphs
    assert one.notes_before == ("Written for a prompt about deserts.", "This one is short.")
    assert one.notes_after == ("Thanks for reading this far!",)
    assert two.paragraphs == ("Morning found them at the well.",)
    assert two.notes_after == ("The salt road is made up.",)
    assert "never read" not in story(work) and "Please drop" not in story(work)


def test_plain_html_with_headings(tmp_path: Path) -> None:
    html = ("<html><head><title>Two Rooms</title></head><body><h1>Two Rooms</h1><h2>Chapter 1</h2>"
            "<p>The first room was <em>cold</em>.</p><hr/><p>Then warm.</p><h2>Chapter 2</h2><p>The second.</p>"
            "</body></html>")
    work = load_work(write(tmp_path, "rooms.html", html))
    assert work.title == "Two Rooms"
    assert [c.title for c in work.chapters] == ["Chapter 1", "Chapter 2"]
    assert work.chapters[0].paragraphs == ("The first room was cold.", SCENE_BREAK, "Then warm.")


def test_italic_thoughts_kept_for_attribution(tmp_path: Path) -> None:
    """Text files and HTML alike: the words of an italic thought are read as written, and kept aside so the
    attribution knows the name inside it is nobody on stage."""
    body = ["“You missed a bit,” Tobias said.", "“I didn't miss anything,” Wren said, and kept sweeping.",
            "“There,” Adaeze said from the wheel. “By the bucket.”", "“Both of you can sweep, then.”",
            "“Not my turn.”", "{Marguerite would have backed me up,} Wren thought. {Marguerite always backed me up.}",
            "“Where is she, anyway?”", "“Dentist,” Tobias said. “Back at four.”"]
    html = "<html><body><h2>Chapter 1</h2>" + "".join(
        "<p>" + b.replace("{", "<em>").replace("}", "</em>") + "</p>" for b in body) + "</body></html>"
    text = "Chapter 1\n\n" + "\n\n".join(b.replace("{", "*").replace("}", "*") for b in body) + "\n"
    for name, content in (("kiln.html", html), ("kiln.txt", text)):
        work = load_work(write(tmp_path, name, content))
        thought = work.chapters[0].paragraphs[5]
        assert thought == "Marguerite would have backed me up, Wren thought. Marguerite always backed me up."
        assert thought.italics == ("Marguerite would have backed me up,", "Marguerite always backed me up.")
        lines = [(s.speaker, s.text) for s in segment_work(work.chapters).segments if s.kind == "dialogue"]
        assert lines[6] == ("Wren", "Where is she, anyway?")
    paragraphs = chapter_parts(walk_blocks(parse_html(html).body))[0]  # AO3 downloads and EPUB chapters
    assert paragraphs[5].italics == ("Marguerite would have backed me up,", "Marguerite always backed me up.")


# --- EPUB --------------------------------------------------------------------------------------


def _epub(path: Path, chapters: list[tuple[str, str]], *, title: str = "Glass Harbour", split_first: bool = False,
          extra_front: bool = True) -> Path:
    book = epub.EpubBook()
    book.set_identifier("castbook-test")
    book.set_title(title)
    book.set_language("en")
    book.add_author("Ione Vale")
    items, links = [], []
    if extra_front:
        cover = epub.EpubHtml(title="Title Page", file_name="title.xhtml", content="<h1>Glass Harbour</h1><p>Ione Vale</p>")
        book.add_item(cover)
        items.append(cover)
        links.append(epub.Link("title.xhtml", "Title Page", "tp"))
    for n, (name, body) in enumerate(chapters, start=1):
        if split_first and n == 1:
            half = body.split("<!--split-->")
            a = epub.EpubHtml(title=name, file_name=f"c{n}a.xhtml", content=f"<h2>{name}</h2>{half[0]}")
            b = epub.EpubHtml(title=name, file_name=f"c{n}b.xhtml", content=half[1])
            book.add_item(a)
            book.add_item(b)
            items += [a, b]
            links.append(epub.Link(f"c{n}a.xhtml", name, f"c{n}"))
            continue
        item = epub.EpubHtml(title=name, file_name=f"c{n}.xhtml", content=f"<h2>{name}</h2>{body}")
        book.add_item(item)
        items.append(item)
        links.append(epub.Link(f"c{n}.xhtml", name, f"c{n}"))
    book.toc = links
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = items
    epub.write_epub(str(path), book)
    return path


def test_epub_chapters_from_toc_not_file_splits(tmp_path: Path) -> None:
    path = _epub(tmp_path / "g.epub", [
        ("Chapter 1: Low Light", "<p>The harbour was glass.</p><!--split--><p>It did not break.</p>"),
        ("Chapter 2", "<p>“Row,” said Ione.</p>"),
    ], split_first=True)
    work = load_work(path)
    assert (work.title, work.author, work.format) == ("Glass Harbour", "Ione Vale", "epub")
    assert [c.title for c in work.chapters] == ["Chapter 1: Low Light", "Chapter 2"]
    assert work.chapters[0].paragraphs == ("The harbour was glass.", "It did not break.")
    assert work.chapters[1].paragraphs == ("“Row,” said Ione.",)
    assert any(s.what == "Title Page" for s in work.skipped)


def test_ao3_epub(tmp_path: Path) -> None:
    html = (WORKS / "ao3_download.html").read_text(encoding="utf-8")
    preface = html[html.index('<div id="preface">'):html.index('<div id="chapters"')]
    chapters = html[html.index('<div id="chapters"'):html.index('<div id="afterword">')]
    afterword = html[html.index('<div id="afterword">'):html.index("</body>")]
    book = epub.EpubBook()
    book.set_identifier("ao3")
    book.set_title("The Salt Road")
    book.add_author("fernhollow")
    docs = [("Preface", "preface.xhtml", preface), ("Chapter 1: The White Mile", "ch1.xhtml", chapters),
            ("Afterword", "after.xhtml", afterword)]
    items = []
    for name, fname, content in docs:
        item = epub.EpubHtml(title=name, file_name=fname, content=content)
        book.add_item(item)
        items.append(item)
    book.toc = [epub.Link(f, n, f) for n, f, _ in docs]
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = items
    epub.write_epub(str(tmp_path / "salt.epub"), book)
    work = load_work(tmp_path / "salt.epub")
    assert work.title == "The Salt Road" and work.author == "fernhollow"
    assert work.summary == "Two couriers, one cart, and a road made of salt."
    text = story(work)
    assert text.startswith("The cart creaked over the crust.")
    assert "Posted originally" not in text and "Rating" not in text and "Please drop" not in text
    assert work.chapters[0].notes_before[0] == "Written for a prompt about deserts."
    assert work.chapters[-1].notes_after[-1] == "The salt road is made up."


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content", "message"), [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"  \n\n \t\n", "empty"),
    ("bin.txt", bytes(range(256)) * 20, "binary"),
    ("book.epub", b"this is not a zip at all", "not a zip"),
    ("cut.html", b"<!DOCTYPE html><html><head><title>x</title></head><body><p>The story beg", "truncated"),
    ("zip.epub", None, "EPUB"),
    ("notes.txt", b"* * *\n\n~*~\n", "no story text"),
])
def test_unreadable_files_give_one_line_errors(tmp_path: Path, name: str, content: bytes | None,
                                               message: str) -> None:
    path = tmp_path / name
    if content is None:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("hello.txt", "not an epub")
    else:
        path.write_bytes(content)
    with pytest.raises(SourceError) as err:
        load_work(path)
    text = str(err.value)
    assert message in text and str(path) in text and "\n" not in text


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        load_work(tmp_path / "nope.txt")
    with pytest.raises(SourceError, match="directory"):
        load_work(tmp_path)


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.epub"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/epub+zip")
        zf.writestr("META-INF/container.xml", "<container/>")
        zf.writestr("big.xhtml", b"\0" * (210 * 1024 * 1024))
    with pytest.raises(SourceError, match="200 MB"):
        load_work(path)


def test_long_single_line_chapter_is_fast(tmp_path: Path) -> None:
    sentence = "The keeper climbed the stair and counted every step.“Again?” asked Eli. "
    path = write(tmp_path, "long.txt", "Chapter 1\n\n" + sentence * (200_000 // len(sentence)) + "\n")
    t0 = time.perf_counter()
    work = load_work(path)
    assert time.perf_counter() - t0 < 2.0
    assert len(work.chapters) == 1 and len(work.chapters[0].paragraphs) > 100
