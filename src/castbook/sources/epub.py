"""EPUB works (AO3's EPUB download and ordinary EPUBs): chapters from the table of contents -> Work."""

from __future__ import annotations

import io
import logging
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from castbook.errors import SourceError
from castbook.model import SCENE_BREAK, Chapter, Skipped, Work
from castbook.sources.html import Block, ao3_metadata, chapter_parts, parse_html, walk_blocks
from castbook.sources.meta import attach_work_notes

log = logging.getLogger(__name__)

_MAX_TOTAL = 200 * 1024 * 1024
_MAX_MEMBER = 50 * 1024 * 1024
_MAX_MEMBERS = 20_000
_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True)
_NS = {"c": "urn:oasis:names:tc:opendocument:xmlns:container", "opf": "http://www.idpf.org/2007/opf",
       "dc": "http://purl.org/dc/elements/1.1/", "ncx": "http://www.daisy.org/z3986/2005/ncx/",
       "x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
_SKIP_TOC = re.compile(r"(?:cover|title\s*page|copyright|(?:table of )?contents|toc|about the (?:author|publisher)"
                       r"|also by.*|index|colophon|imprint|acknowledge?ments?)\.?", re.I)
_SKIP_AO3 = re.compile(r"preface|afterword", re.I)


@dataclass(frozen=True, slots=True)
class _TocEntry:
    title: str
    href: str
    fragment: str | None


class _Book:
    """A guarded view of the zip: sizes checked before anything is read."""

    def __init__(self, path: Path, data: bytes) -> None:
        self.path = path
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as exc:
            raise SourceError(f"{path}: not a valid EPUB (broken zip archive); download it again") from exc
        infos = self.zip.infolist()
        if len(infos) > _MAX_MEMBERS or sum(i.file_size for i in infos) > _MAX_TOTAL:
            raise SourceError(f"{path}: the EPUB unpacks to more than 200 MB; refusing to read it")
        self.names = {i.filename for i in infos}

    def read(self, name: str) -> bytes:
        try:
            info = self.zip.getinfo(name)
        except KeyError as exc:
            raise SourceError(f"{self.path}: the EPUB lacks {name}; it is damaged, download it again") from exc
        if info.file_size > _MAX_MEMBER:
            raise SourceError(f"{self.path}: {name} in the EPUB is larger than 50 MB; refusing to read it")
        try:
            with self.zip.open(info) as fh:
                data = fh.read(_MAX_MEMBER + 1)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise SourceError(f"{self.path}: the EPUB is damaged ({exc}); download it again") from exc
        if len(data) > _MAX_MEMBER:
            raise SourceError(f"{self.path}: {name} in the EPUB is larger than 50 MB; refusing to read it")
        return data

    def xml(self, name: str) -> etree._Element:
        root = etree.fromstring(self.read(name), _XML)
        if root is None:
            raise SourceError(f"{self.path}: {name} in the EPUB is not readable XML; download it again")
        return root


def load_epub(path: Path, data: bytes) -> Work:
    """Build a Work from an EPUB: metadata from the OPF, chapters from the nav/NCX table of contents."""
    book = _Book(path, data)
    if "META-INF/container.xml" not in book.names:
        raise SourceError(f"{path}: not an EPUB (no META-INF/container.xml); give an .epub file")
    container = book.xml("META-INF/container.xml")
    rootfile = container.find(".//c:rootfile", _NS)
    if rootfile is None or not rootfile.get("full-path"):
        raise SourceError(f"{path}: the EPUB names no package file; it is damaged, download it again")
    opf_path = rootfile.get("full-path")
    opf = book.xml(opf_path)
    base = posixpath.dirname(opf_path)

    def resolve(href: str, rel_to: str = base) -> str:
        return posixpath.normpath(posixpath.join(rel_to, unquote(href.split("#")[0])))

    manifest = {item.get("id"): item for item in opf.iterfind(".//opf:manifest/opf:item", _NS)}
    spine = [resolve(manifest[ref.get("idref")].get("href")) for ref in opf.iterfind(".//opf:spine/opf:itemref", _NS)
             if ref.get("idref") in manifest and manifest[ref.get("idref")].get("href")]
    spine = [s for s in spine if s in book.names]
    if not spine:
        raise SourceError(f"{path}: the EPUB has no readable content documents; download it again")

    md = opf.find(".//opf:metadata", _NS)
    text_of = lambda tag: [" ".join((e.text or "").split()) for e in md.iterfind(f"dc:{tag}", _NS)] if md is not None else []  # noqa: E731
    title = next(iter(t for t in text_of("title") if t), None)
    author = ", ".join(t for t in text_of("creator") if t) or None
    language = next(iter(text_of("language")), None)
    published = next(iter(text_of("date")), None)
    subjects = tuple(t for t in text_of("subject") if t)
    description = next(iter(t for t in text_of("description") if t), None)
    cover = _cover(book, opf, manifest, resolve)

    toc = _toc(book, opf, manifest, resolve)
    docs: dict[str, list[Block]] = {}
    soups = {}
    for name in spine:
        soup = parse_html(book.read(name).decode("utf-8", errors="replace"))
        soups[name] = soup
        docs[name] = walk_blocks(soup.body or soup, with_anchors=True)

    skipped: list[Skipped] = []
    ao3 = any(s.find(id="preface") is not None and s.find(class_="byline") is not None for s in soups.values())
    if ao3:  # AO3's preface and afterword documents are metadata and notes, read below, never story
        for name, soup in soups.items():
            if soup.find(id="preface") is not None or soup.find(id="afterword") is not None:
                docs[name] = [b for b in docs[name] if b.kind == "anchor"]
    notes_before: tuple[str, ...] = ()
    notes_after: tuple[str, ...] = ()
    fandom: tuple[str, ...] = ()
    tags = subjects
    characters: tuple[str, ...] = ()
    summary = _plain(description)
    if ao3:
        pre = next(s for s in soups.values() if s.find(id="preface") is not None and s.find(class_="byline"))
        meta = ao3_metadata(pre)
        aft = next((s for s in soups.values() if s.find(id="afterword") is not None), None)
        if aft is not None:
            meta.end_notes = ao3_metadata(aft).end_notes
        title, author = meta.title or title, meta.author or author
        fandom, tags = meta.fandom or fandom, meta.tags or tags
        characters = meta.characters
        summary = meta.summary or summary
        notes_before, notes_after = meta.notes, meta.end_notes
        skipped.append(Skipped("AO3 preface", "metadata", (title or "")[:80]))

    chapters = _split_by_toc(spine, docs, toc, title or path.stem, skipped, ao3)
    chapters = attach_work_notes(chapters, notes_before, notes_after)
    return Work(path, title, author, chapters, "epub", summary, fandom, tags, language, published, cover,
                tuple(skipped), characters)


def _plain(html_text: str | None) -> str | None:
    if not html_text:
        return None
    if "<" in html_text:
        html_text = parse_html(html_text).get_text(" ", strip=True)
    return " ".join(html_text.split()) or None


def _cover(book: _Book, opf: etree._Element, manifest: dict, resolve) -> bytes | None:
    item = next((i for i in manifest.values() if "cover-image" in (i.get("properties") or "")), None)
    if item is None:
        meta = opf.find(".//opf:meta[@name='cover']", _NS)
        item = manifest.get(meta.get("content")) if meta is not None else None
    if item is None or not (item.get("media-type") or "").startswith("image/"):
        return None
    name = resolve(item.get("href"))
    return book.read(name) if name in book.names else None


def _toc(book: _Book, opf: etree._Element, manifest: dict, resolve) -> list[_TocEntry]:
    """Table-of-contents entries in order, nested entries flattened: EPUB 3 nav first, else the NCX."""
    nav = next((i for i in manifest.values() if "nav" in (i.get("properties") or "").split()), None)
    entries: list[_TocEntry] = []
    if nav is not None:
        nav_path = resolve(nav.get("href"))
        if nav_path in book.names:
            soup = parse_html(book.read(nav_path).decode("utf-8", errors="replace"))
            navs = soup.find_all("nav")
            toc_nav = next((n for n in navs if "toc" in (n.get("epub:type") or n.get("type") or "")), None)
            toc_nav = toc_nav or (navs[0] if navs else None)
            for a in toc_nav.find_all("a") if toc_nav else []:
                href = a.get("href")
                if href:
                    entries.append(_entry(a.get_text(" ", strip=True), href, posixpath.dirname(nav_path), resolve))
    if not entries:
        spine = opf.find(".//opf:spine", _NS)
        ncx_id = spine.get("toc") if spine is not None else None
        ncx = manifest.get(ncx_id) or next(
            (i for i in manifest.values() if i.get("media-type") == "application/x-dtbncx+xml"), None)
        if ncx is not None and resolve(ncx.get("href")) in book.names:
            ncx_path = resolve(ncx.get("href"))
            root = book.xml(ncx_path)
            for point in root.iter("{%s}navPoint" % _NS["ncx"]):
                label = point.find("ncx:navLabel/ncx:text", _NS)
                content = point.find("ncx:content", _NS)
                if content is not None and content.get("src"):
                    entries.append(_entry(" ".join((label.text or "").split()) if label is not None else "",
                                          content.get("src"), posixpath.dirname(ncx_path), resolve))
    return entries


def _entry(title: str, href: str, rel_to: str, resolve) -> _TocEntry:
    fragment = unquote(href.split("#", 1)[1]) if "#" in href else None
    return _TocEntry(title, resolve(href, rel_to), fragment)


def _split_by_toc(spine: list[str], docs: dict[str, list[Block]], toc: list[_TocEntry], fallback: str,
                  skipped: list[Skipped], ao3: bool = False) -> tuple[Chapter, ...]:
    """Cut the spine's block stream at each TOC target; fall back to one chapter per spine document."""
    stream: list[Block] = []
    starts: dict[tuple[str, str | None], int] = {}
    for name in spine:
        starts[(name, None)] = len(stream)
        for b in docs[name]:
            if b.kind == "anchor":
                starts.setdefault((name, b.text), len(stream))
            else:
                stream.append(b)
    marks: list[tuple[int, str]] = []
    for e in toc:
        pos = starts.get((e.href, e.fragment), starts.get((e.href, None)))
        if pos is not None and (not marks or pos > marks[-1][0]):
            marks.append((pos, e.title))
        elif pos is not None and marks and pos == marks[-1][0]:
            marks[-1] = (pos, e.title)  # a part and its first chapter point at one place: the deeper entry names it
    if not marks:
        marks = [(starts[(name, None)], "") for name in spine]
    if marks[0][0] > 0:
        marks.insert(0, (0, ""))
    pieces = []
    for k, (pos, title) in enumerate(marks):
        end = marks[k + 1][0] if k + 1 < len(marks) else len(stream)
        pieces.append((title, stream[pos:end]))
    chapters: list[Chapter] = []
    carry: list[str] = []
    for title, blocks in pieces:
        if title and (_SKIP_TOC.fullmatch(title.strip()) or ao3 and _SKIP_AO3.fullmatch(title.strip())):
            skipped.append(Skipped(title, "front or back matter", " ".join(b.text for b in blocks[:3])[:80]))
            continue
        # the chapter's own heading repeats its TOC title: drop it from the text
        if blocks and blocks[0].kind == "heading" and (not title or _same(blocks[0].text, title)):
            title = title or blocks[0].text
            blocks = blocks[1:]
        paras, before, after, skip = chapter_parts(blocks)
        skipped.extend(skip)
        if not any(p != SCENE_BREAK for p in paras):
            if paras or before or after:
                carry.extend(before + after)
            if blocks:
                skipped.append(Skipped(title or "untitled section", "no story text", blocks[0].text[:80]))
            continue
        index = len(chapters) + 1
        chapters.append(Chapter(index, title or f"Chapter {index}", tuple(paras), tuple(carry + before),
                                tuple(after)))
        carry = []
    if len(chapters) == 1 and chapters[0].title == "Chapter 1":
        c = chapters[0]
        chapters[0] = Chapter(1, fallback, c.paragraphs, c.notes_before, c.notes_after)
    return tuple(chapters)


def _same(a: str, b: str) -> bool:
    norm = lambda s: re.sub(r"\W+", " ", s).strip().lower()  # noqa: E731
    return norm(a) == norm(b) or norm(a).startswith(norm(b)) or norm(b).startswith(norm(a))
