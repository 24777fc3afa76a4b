"""HTML works: AO3's HTML download (preface, chapters, notes, afterword) and ordinary HTML pages -> Work."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import warnings

from bs4 import BeautifulSoup, Comment, NavigableString, Tag, XMLParsedAsHTMLWarning

from castbook.chapters import boilerplate_label, split_chapters, tidy_title
from castbook.errors import SourceError
from castbook.model import SCENE_BREAK, Chapter, Skipped, Work
from castbook.sources import clean
from castbook.sources.meta import Meta, attach_work_notes, tagged_people

log = logging.getLogger(__name__)

_BLOCK_TAGS = frozenset("p div h1 h2 h3 h4 h5 h6 li blockquote section article pre tr dd dt figure center "
                        "header footer aside main nav ul ol table dl hr br".split())
_ITALIC_TAGS = frozenset(("em", "i"))
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math", "head")
_NOTE_LABELS = re.compile(r"(?:chapter\s+)?(?:end\s+)?(?:notes?|summary)\s*:?", re.I)


@dataclass(frozen=True, slots=True)
class Block:
    """One block of text from an HTML document, with where it sits."""

    kind: str
    """"text", "heading", "note" (inside AO3 notes/summary), "break" (<hr>) or "anchor" (an element id)."""
    text: str
    italics: tuple[str, ...] = ()
    """The words of each <em>/<i> stretch of two or more words (a thought, a typed message), for the attribution."""


def parse_html(text: str) -> BeautifulSoup:
    """Parse HTML with lxml (no DTDs, no network), dropping scripts, styles and comments."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)  # XHTML from EPUBs is read as HTML on purpose
        soup = BeautifulSoup(text, "lxml")
    for tag in soup.find_all(_DROP_TAGS):
        if tag.name != "head":
            tag.decompose()
    for c in soup.find_all(string=lambda s: isinstance(s, Comment)):
        c.extract()
    return soup


def _in_note(tag: Tag) -> bool:
    classes = tag.get("class") or []
    ident = tag.get("id") or ""
    return (ident.startswith("endnotes") or ident in ("summary", "notes") or "endnote-link" in classes
            or "meta" in classes or "notes" in classes or "summary" in classes)


def walk_blocks(root: Tag, *, with_anchors: bool = False) -> list[Block]:
    """Flatten an element into text blocks in reading order (block tags and <br> end a block)."""
    out: list[Block] = []
    buf: list[str] = []
    italics: list[str] = []
    state = {"kind": "text"}

    def flush() -> None:
        text = "".join(buf).strip()
        buf.clear()
        if text:
            out.append(Block(state["kind"], " ".join(text.split()), tuple(italics)))
        italics.clear()

    def visit(node: Tag, note: bool) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, Comment):
                    buf.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if with_anchors and child.get("id"):
                flush()
                out.append(Block("anchor", child["id"]))
            if name == "hr":
                flush()
                out.append(Block("break", ""))
                continue
            if name == "br":
                flush()
                continue
            child_note = note or _in_note(child)
            if name in _BLOCK_TAGS:
                flush()
                prev = state["kind"]
                state["kind"] = "heading" if name in ("h1", "h2", "h3") else "note" if child_note else "text"
                visit(child, child_note)
                flush()
                state["kind"] = prev
            elif name in _ITALIC_TAGS:
                start, blocks = len(buf), len(out)
                visit(child, child_note)
                inner = " ".join("".join(buf[start:]).split()) if len(out) == blocks else ""
                if " " in inner:
                    italics.append(inner)
            else:
                visit(child, child_note)

    visit(root, _in_note(root))
    flush()
    return out


def chapter_parts(blocks: list[Block]) -> tuple[list[str], list[str], list[str], list[Skipped]]:
    """(story paragraphs, notes before, notes after, skipped) from one chapter's blocks."""
    paras: list[str] = []
    before: list[str] = []
    after: list[str] = []
    skipped: list[Skipped] = []
    for b in blocks:
        if b.kind == "anchor":
            continue
        if b.kind == "heading" and not paras:
            continue  # the chapter's own heading: its title is known already
        if b.kind == "break":
            if paras:
                paras.append(SCENE_BREAK)
            continue
        label = boilerplate_label(b.text)
        if label:
            skipped.append(Skipped(label, "site boilerplate", b.text[:80]))
            continue
        if b.kind == "note":
            if _NOTE_LABELS.fullmatch(b.text):
                continue
            note = clean.clean_paragraph(b.text)
            if note:
                (after if any(p != SCENE_BREAK for p in paras) else before).append(note)
            continue
        for piece in clean.split_glued_paragraphs(b.text):
            p = clean.clean_paragraph(piece)
            if p and b.italics:
                p = clean.with_italics(p, b.italics)
            if p:
                paras.append(SCENE_BREAK if clean.is_scene_break(p) else p)
    while paras and paras[-1] == SCENE_BREAK:
        paras.pop()
    out: list[str] = []
    for p in paras:
        if not (p == SCENE_BREAK and out and out[-1] == SCENE_BREAK):
            out.append(p)
    return out, before, after, skipped


# --- AO3 metadata ------------------------------------------------------------------------------


def _labelled_quote(scope: Tag, label: str) -> Tag | None:
    """The <blockquote> that follows a `<p>Summary</p>`-style label inside scope."""
    for p in scope.find_all(["p", "h3", "h4", "div"]):
        if p.get_text(" ", strip=True).rstrip(":") == label:
            nxt = p.find_next_sibling()
            if nxt is not None and nxt.name == "blockquote":
                return nxt
    return None


def _quote_paragraphs(quote: Tag | None) -> tuple[str, ...]:
    if quote is None:
        return ()
    return tuple(p for b in walk_blocks(quote) if (p := clean.clean_paragraph(b.text)))


def ao3_metadata(soup: BeautifulSoup) -> Meta:
    """Title, author, fandom, tags, summary and notes from an AO3 preface (or the page's <title>/<meta>)."""
    meta = Meta()
    preface = soup.find(id="preface") or soup
    h1 = preface.find("h1")
    if h1:
        meta.title = h1.get_text(" ", strip=True) or None
    byline = preface.find(class_="byline")
    if byline:
        authors = [a.get_text(strip=True) for a in byline.find_all("a")] or [
            re.sub(r"^by\s+", "", byline.get_text(" ", strip=True))]
        meta.author = ", ".join(a for a in authors if a) or None
    if soup.title and soup.title.string:
        parts = [p.strip() for p in soup.title.get_text().split(" - ")]
        meta.title = meta.title or parts[0] or None
        if len(parts) >= 3 and not meta.author:
            meta.author = parts[1]
    for name in ("author", "dc.creator", "DC.creator"):
        tag = soup.find("meta", attrs={"name": name})
        if tag and tag.get("content") and not meta.author:
            meta.author = tag["content"].strip()
    values: dict[str, list[str]] = {}
    for dt in preface.find_all("dt"):
        dd = dt.find_next_sibling("dd")
        if dd is None:
            continue
        key = dt.get_text(" ", strip=True).rstrip(":").lower()
        links = [a.get_text(" ", strip=True) for a in dd.find_all("a")]
        values[key] = links or [dd.get_text(" ", strip=True)]
    meta.fandom = tuple(values.get("fandom", values.get("fandoms", [])))
    meta.tags = tuple(values.get("relationship", []) + values.get("relationships", []) + values.get("character", [])
                      + values.get("characters", []) + values.get("additional tags", []))
    meta.characters = tagged_people(values.get("character", []) + values.get("characters", []),
                                    values.get("relationship", []) + values.get("relationships", []))
    meta.language = (values.get("language") or [None])[0]
    stats = " ".join(values.get("stats", []))
    if m := re.search(r"Published:\s*(\d{4}-\d{2}-\d{2})", stats):
        meta.published = m.group(1)
    summary = _quote_paragraphs(_labelled_quote(preface, "Summary"))
    meta.summary = " ".join(summary) or None
    meta.notes = list(_quote_paragraphs(_labelled_quote(preface, "Notes")))
    after = soup.find(id="afterword")
    if after is not None:
        endnotes = after.find(id="endnotes") or after
        meta.end_notes = list(_quote_paragraphs(_labelled_quote(endnotes, "End Notes") or endnotes.find("blockquote")))
    return meta


def is_ao3(soup: BeautifulSoup) -> bool:
    """AO3's download layout: a #preface and a #chapters container, or the AO3 preface message."""
    return soup.find(id="chapters") is not None and (
        soup.find(id="preface") is not None or soup.find(class_="byline") is not None)


# --- loaders -----------------------------------------------------------------------------------


def load_html(path: Path, text: str) -> Work:
    """Build a Work from an HTML file (AO3 download or any page with headings)."""
    low_tail = text[-4096:].lower()
    if "<html" in text[:4096].lower() and "</html>" not in low_tail and "</body>" not in low_tail:
        raise SourceError(f"{path}: the HTML file is truncated (no closing </html>); download it again")
    try:
        soup = parse_html(text)
    except Exception as exc:  # lxml raises many types on broken input
        raise SourceError(f"{path}: cannot parse the HTML ({exc}); download it again") from exc
    if soup.body is None:
        raise SourceError(f"{path}: not an HTML document with a body; give the work's HTML download")
    if is_ao3(soup):
        return _load_ao3(path, soup)
    return _load_generic(path, soup)


def _load_ao3(path: Path, soup: BeautifulSoup) -> Work:
    meta = ao3_metadata(soup)
    skipped = [Skipped("AO3 preface", "metadata", (meta.title or "")[:80])]
    if meta.summary:
        skipped.append(Skipped("summary", "metadata", meta.summary[:80]))
    container = soup.find(id="chapters")
    chapters = ao3_chapters(container, meta.title or tidy_title(path.stem), skipped)
    chapters = attach_work_notes(chapters, meta.notes, meta.end_notes)
    if soup.find(id="afterword") is not None:
        skipped.append(Skipped("AO3 afterword", "site boilerplate", "Please drop by the archive ..."))
    return Work(path, meta.title, meta.author, chapters, "ao3-html", meta.summary, meta.fandom, meta.tags,
                meta.language, meta.published, None, tuple(skipped), meta.characters)


def ao3_chapters(container: Tag, work_title: str, skipped: list[Skipped]) -> tuple[Chapter, ...]:
    """Split AO3's #chapters container at its `h2.heading` chapter headings."""
    headings = [h for h in container.find_all("h2") if "heading" in (h.get("class") or [])
                or "toc-heading" not in (h.get("class") or [])]
    groups: list[tuple[str | None, list[Block]]] = []
    if not headings:
        groups.append((None, walk_blocks(container)))
    else:
        current: tuple[str | None, list[Block]] = (None, [])
        for child in container.children:
            if not isinstance(child, Tag):
                continue
            h = child if child.name == "h2" else child.find("h2")
            if h is not None and h in headings:
                if current[0] is not None or current[1]:
                    groups.append(current)
                current = (h.get_text(" ", strip=True), [])
                h.extract()
            current[1].extend(walk_blocks(child))
        groups.append(current)
    chapters: list[Chapter] = []
    carry: list[str] = []
    for title, blocks in groups:
        paras, before, after, skip = chapter_parts(blocks)
        skipped.extend(skip)
        if not any(p != SCENE_BREAK for p in paras):
            carry.extend(before + after)
            continue
        index = len(chapters) + 1
        name = tidy_title(title) if title else (work_title if len(groups) == 1 else f"Chapter {index}")
        chapters.append(Chapter(index, name, tuple(paras), tuple(carry + before), tuple(after)))
        carry = []
    return tuple(chapters)


def _asterisked(b: Block) -> str:
    """The block's text with its italic stretches between asterisks again, for the text splitter's cleaning to
    drop and keep aside (only where the marks will come off: not glued to a letter)."""
    text = b.text
    for span in b.italics:
        k = text.find(span)
        end = k + len(span)
        if k >= 0 and "*" not in span and (k == 0 or not (text[k - 1].isalnum() or text[k - 1] in "*_")) \
                and (end == len(text) or not (text[end].isalnum() or text[end] in "*_")):
            text = f"{text[:k]}*{span}*{text[end:]}"
    return text


def _load_generic(path: Path, soup: BeautifulSoup) -> Work:
    """Any other HTML: blocks become lines, <h1>-<h3> become chapter headings, then the text splitter runs."""
    blocks = walk_blocks(soup.body)
    lines: list[str] = []
    forced: list[int] = []
    for b in blocks:
        if b.kind == "break":
            lines.extend(["* * *", ""])
        elif b.kind == "heading" and len(b.text) <= 120:
            forced.append(len(lines))
            lines.extend([b.text, ""])
        elif b.text:
            lines.extend([_asterisked(b), ""])
    title = None
    if soup.title and soup.title.get_text(strip=True):
        title = soup.title.get_text(strip=True)
    elif forced:
        title = lines[forced[0]]
    author_tag = soup.find("meta", attrs={"name": "author"})
    author = author_tag.get("content").strip() if author_tag and author_tag.get("content") else None
    # the page title repeated as the first heading is not a chapter
    if forced and title and lines[forced[0]].strip() == title.strip() and len(forced) > 1:
        lines[forced[0]] = ""
        forced = forced[1:]
    chapters, skipped = split_chapters("\n".join(lines), forced_headings=forced, single_title=title)
    return Work(path, title, author, chapters, "html", skipped=skipped)
