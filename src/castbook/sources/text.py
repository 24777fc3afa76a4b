"""Plain-text works: AO3 text exports (short and full form), Wattpad copies and plain prose -> Work."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from castbook.chapters import boilerplate_label, parse_heading, split_chapters, tidy_title
from castbook.model import Skipped, Work
from castbook.sources import clean
from castbook.sources.meta import Meta, attach_work_notes, tagged_people

log = logging.getLogger(__name__)

_POSTED = re.compile(r"\s*posted originally on the archive of our own", re.I)
_CSS = re.compile(r".*[.#\w-]+\s*\{[^}]*:[^}]*\}.*")
_COUNTS = re.compile(r"\d[\d.,]*[KkMm]?(?:\s+\d[\d.,]*[KkMm]?){1,2}")
_WATTPAD_FOOTER = re.compile(r"where stories live\.?\s*discover now", re.I)
_BY = re.compile(r"by\s+(\S.{0,60})", re.I)
_CREDIT = re.compile(r"(?:translated|illustrated|edited|adapted|with an introduction|introduction)\s+by\s+.{1,80}"
                     r"|a novel|an? (?:story|tale|romance|nightmare)(?:\s.{0,40})?|(?:in|a study in) \w+ (?:parts|books|volumes)",
                     re.I)
_META_KEYS = {
    "rating": "rating", "archive warning": "warnings", "archive warnings": "warnings", "category": "category",
    "categories": "category", "fandom": "fandom", "fandoms": "fandom", "relationship": "relationship",
    "relationships": "relationship", "character": "character", "characters": "character",
    "additional tags": "tags", "freeform": "tags", "language": "language", "series": "series", "stats": "stats",
    "collections": "collections", "summary": "summary", "notes": "notes", "author": "author", "authors": "author",
    "published": "published", "tags": "tags", "title": "title",
}
_GUTENBERG = re.compile(r"The Project Gutenberg E-?Book of (.{1,120}?),? by (.{1,80})", re.I)
_KEY_LINE = re.compile(r"\s*([A-Za-z][A-Za-z ]{1,20}):\s*(.*)")


def detect_shape(lines: list[str]) -> str:
    """Which text shape this is: "ao3-full", "ao3-short", "wattpad" or "plain"."""
    head = [s.strip() for s in lines[:60]]
    if any(_POSTED.match(s) for s in head) or (len(head) > 2 and "Preface" in head and any(
            _CSS.fullmatch(s) for s in head[:6] if len(s) < 100_000)):
        return "ao3-full"
    if any(s in ("Work Header", "Chapter Text") for s in (line.strip() for line in lines if len(line) < 40)):
        return "ao3-short"
    if any(_WATTPAD_FOOTER.search(line) for line in lines if len(line) < 2000):
        return "wattpad"
    if _counts_lines(lines):
        return "wattpad"
    return "plain"


def _counts_lines(lines: list[str]) -> list[int]:
    """Wattpad reader-count lines (`3.1K 240 88`) that sit just under a short heading line."""
    out = []
    for i, line in enumerate(lines):
        s = line.strip()
        if len(s) < 40 and _COUNTS.fullmatch(s):
            prev = _prev_nonblank(lines, i)
            if prev is not None and i - prev <= 3 and len(lines[prev].strip()) <= 80:
                out.append(i)
    return out


def _prev_nonblank(lines: list[str], i: int) -> int | None:
    j = i - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    return j if j >= 0 else None


def load_text(path: Path, text: str) -> Work:
    """Build a Work from decoded text, choosing the shape from the content."""
    lines = clean.fix_text(text).split("\n")
    shape = detect_shape(lines)
    log.debug("%s: text shape %s", path, shape)
    meta = Meta()
    forced: list[int] = []
    after_notes: list[str] = []
    fmt = {"ao3-full": "ao3-txt", "ao3-short": "ao3-txt"}.get(shape, shape)
    if shape == "ao3-full":
        lines, after_notes = _ao3_full(lines, meta)
    elif shape == "ao3-short":
        lines = _ao3_short(lines, meta)
    else:
        if shape == "wattpad":
            forced = _wattpad(lines, meta)
        lines = _title_page(lines, meta)
    single = meta.title or prettify(path.stem)
    chapters, skipped = split_chapters("\n".join(lines), forced_headings=forced, single_title=single)
    chapters = attach_work_notes(chapters, meta.notes, after_notes)
    return Work(
        source=path,
        title=meta.title,
        author=meta.author,
        chapters=chapters,
        format=fmt,
        summary=meta.summary,
        fandom=meta.fandom,
        tags=meta.tags,
        language=meta.language,
        published=meta.published,
        skipped=tuple(meta.skipped) + skipped,
        characters=meta.characters,
    )


def _notes_text(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        s = line.strip()
        if s and not boilerplate_label(s):
            p = clean.clean_paragraph(s)
            if p:
                out.append(p)
    return out


def prettify(stem: str) -> str:
    """A title from a file name: `the_lantern-keeper` -> `The Lantern Keeper`, `TheSignOfTheFour` kept."""
    words = stem.replace("_", " ").replace("-", " ").split()
    return " ".join(w if any(c.isupper() for c in w) else w.capitalize() for w in words) or stem


# --- AO3 full form -----------------------------------------------------------------------------


def _ao3_full(lines: list[str], meta: Meta) -> tuple[list[str], list[str]]:
    """Strip the header line, CSS, preface and afterword; fill meta. Returns (body lines, end notes)."""
    n = len(lines)
    first = next((i for i, s in enumerate(lines) if s.strip()), 0)
    header = lines[first].strip()
    parts = [p.strip() for p in header.split(" - ")] if len(header) < 400 else []
    preface = next((i for i in range(min(n, 80)) if lines[i].strip() == "Preface"), None)
    by = None
    start = (preface + 1) if preface is not None else first + 1
    for i in range(start, min(n, start + 400)):
        s = lines[i].strip()
        if _BY.fullmatch(s) and i > 0 and _prev_nonblank(lines, i) is not None:
            by = i
            break
        if parse_heading(s, standalone=False) and s.lower().startswith("chapter"):
            break
    if by is not None:
        meta.author = _BY.fullmatch(lines[by].strip()).group(1).strip()
        t = _prev_nonblank(lines, by)
        meta.title = lines[t].strip() if t is not None else None
        _parse_keys(lines[start:t if t is not None else by], meta)
        pos = by + 1
    else:
        _parse_keys(lines[start:start + 60], meta)
        pos = start
    if len(parts) >= 2:
        meta.title = meta.title or parts[0]
        meta.author = meta.author or parts[1]
        if not meta.fandom and len(parts) >= 3:
            meta.fandom = tuple(p.strip() for p in " - ".join(parts[2:]).split(","))
    meta.skipped.append(Skipped("AO3 preface", "metadata", " ".join(lines[first].split())[:80]))

    # the afterword (end notes, site boilerplate) is cut off first
    end = n
    for i in range(n - 1, pos - 1, -1):
        if lines[i].strip() == "Afterword":
            end = i
            break
    after: list[str] = []
    if end < n:
        tail = [s for s in lines[end + 1:] if s.strip()]
        in_notes = False
        for s in tail:
            st = s.strip()
            if st in ("End Notes", "Notes", "End Notes:"):
                in_notes = True
            elif st.startswith(("Works inspired by this one", "Inspired by")):
                in_notes = False
            elif boilerplate_label(st):
                meta.skipped.append(Skipped(boilerplate_label(st) or "", "site boilerplate", st[:80]))
            elif in_notes:
                after.append(st)
        after = _notes_text(after)
        meta.skipped.append(Skipped("AO3 afterword", "author notes / site boilerplate", " ".join(tail[:1])[:80]))

    body = lines[pos:end]
    has_headings = any(len(s) < 120 and (h := parse_heading(s, standalone=False)) and h.kind == "chapter"
                       for s in body)
    # work summary and beginning notes sit between the byline and the first chapter
    i = 0
    while i < len(body):
        s = body[i].strip()
        if not s:
            i += 1
            continue
        label = s.rstrip(":")
        if label in ("Summary", "Notes"):
            j = _section_end(body, i + 1, has_headings)
            content = _notes_text(body[i + 1:j])
            if label == "Summary":
                meta.summary = " ".join(content) or None
                meta.skipped.append(Skipped("summary", "metadata", (meta.summary or "")[:80]))
            else:
                meta.notes.extend(content)
            i = j
            continue
        if boilerplate_label(s):
            i += 1
            continue
        break
    return body[i:], after


def _section_end(body: list[str], i: int, has_headings: bool) -> int:
    """Where a preface Summary/Notes section stops: at the next label, pointer or chapter heading."""
    for j in range(i, min(len(body), i + 200)):
        s = body[j].strip()
        if s.rstrip(":") in ("Summary", "Notes") or (len(s) < 120 and parse_heading(s, standalone=False)):
            return j
        if boilerplate_label(s) == "note pointer":
            return j + 1
    if has_headings:
        return next((j for j in range(i, len(body)) if len(body[j]) < 120
                     and parse_heading(body[j], standalone=False)), len(body))
    # a one-chapter work: the section is its first paragraph (the story follows without a heading)
    j = i
    while j < len(body) and not body[j].strip():
        j += 1
    return j + 1


def _parse_keys(lines: list[str], meta: Meta) -> None:
    """AO3 `Key:` / value pairs (value on the same or following lines) into meta."""
    values: dict[str, list[str]] = {}
    key = None
    for line in lines:
        s = line.strip()
        if not s or boilerplate_label(s):
            continue
        m = _KEY_LINE.fullmatch(s)
        if m and m.group(1).strip().lower() in _META_KEYS:
            key = _META_KEYS[m.group(1).strip().lower()]
            if m.group(2):
                values.setdefault(key, []).append(m.group(2).strip())
            continue
        if key:
            values.setdefault(key, []).append(s)
    split = lambda k: tuple(t.strip() for v in values.get(k, []) for t in v.split(",") if t.strip())  # noqa: E731
    meta.fandom = split("fandom") or meta.fandom
    meta.tags = split("relationship") + split("character") + split("tags") or meta.tags
    meta.characters = tagged_people(split("character"), split("relationship")) or meta.characters
    meta.language = (values.get("language") or [meta.language])[0]
    for v in values.get("stats", []) + values.get("published", []):
        m = re.search(r"(?:Published:\s*)?(\d{4}-\d{2}-\d{2})", v)
        if m:
            meta.published = m.group(1)
            break
    if values.get("summary") and not meta.summary:
        meta.summary = " ".join(values["summary"])
    if values.get("author") and not meta.author:
        meta.author = values["author"][0]
    if values.get("title") and not meta.title:
        meta.title = values["title"][0]


# --- AO3 short form ----------------------------------------------------------------------------


def _ao3_short(lines: list[str], meta: Meta) -> list[str]:
    """Drop the `Work Header` block (title and metadata); the body starts at the first `Chapter Text`."""
    wh = next((i for i, s in enumerate(lines) if s.strip() == "Work Header"), None)
    if wh is None:
        return _title_page(lines, meta)
    ct = next((i for i in range(wh + 1, len(lines)) if lines[i].strip() == "Chapter Text"), None)
    header = lines[wh + 1:ct] if ct is not None else []
    if ct is None:  # no marker: the header is the title line only
        t = next((i for i in range(wh + 1, len(lines)) if lines[i].strip()), None)
        header = lines[wh + 1:t + 1] if t is not None else []
        ct = (t + 1) if t is not None else len(lines)
    plain = [s.strip() for s in header if s.strip()]
    for s in plain:
        if _BY.fullmatch(s) and not meta.author:
            meta.author = _BY.fullmatch(s).group(1).strip()
        elif not meta.title and not _KEY_LINE.fullmatch(s):
            meta.title = s
    _parse_keys(header, meta)
    if plain:
        meta.skipped.append(Skipped("work header", "metadata", " ".join(plain)[:80]))
    return lines[ct:]


# --- Wattpad -----------------------------------------------------------------------------------


def _wattpad(lines: list[str], meta: Meta) -> list[int]:
    """Blank out reader counts and the title+slogan footer; the line above each count line is a heading."""
    forced = []
    for i in _counts_lines(lines):
        prev = _prev_nonblank(lines, i)
        if prev is not None:
            forced.append(prev)
        meta.skipped.append(Skipped("Wattpad reader counts", "site boilerplate", lines[i].strip()))
        lines[i] = ""
    for i, line in enumerate(lines):
        m = _WATTPAD_FOOTER.search(line) if len(line) < 2000 else None
        if m:
            before = line[:m.start()].strip()
            if before and not meta.title:
                meta.title = tidy_title(before.split("|")[0]) or None
            meta.skipped.append(Skipped("Wattpad footer", "site boilerplate", line.strip()[:80]))
            lines[i] = ""
    return forced


# --- plain prose -------------------------------------------------------------------------------


def _title_page(lines: list[str], meta: Meta) -> list[str]:
    """Take a leading title / `by Author` / credits page out of the reading (it becomes metadata)."""
    idx = [i for i, s in enumerate(lines[:200]) if s.strip()][:8]
    if not idx:
        return lines
    first = lines[idx[0]].strip()
    if len(first) > 80 or parse_heading(first, standalone=True) or clean.is_scene_break(first):
        return lines
    m = _GUTENBERG.fullmatch(first)
    if m:
        meta.title, meta.author = m.group(1).strip(), m.group(2).strip()
        meta.skipped.append(Skipped("title page", "metadata", first))
        return [""] * (idx[0] + 1) + lines[idx[0] + 1:]
    keys = [_KEY_LINE.fullmatch(lines[i].strip()) for i in idx[:4]]
    if keys[0] and keys[0].group(1).lower() == "title":
        meta.title = keys[0].group(2).strip() or None
        last = idx[0]
        for m, i in zip(keys[1:], idx[1:4]):
            if m and m.group(1).lower() in ("author", "translator", "release date", "language"):
                meta.author = m.group(2).strip() if m.group(1).lower() == "author" else meta.author
                last = i
        meta.skipped.append(Skipped("title page", "metadata", first))
        return [""] * (last + 1) + lines[last + 1:]
    cut = None
    for k, i in enumerate(idx[1:6], start=1):
        s = lines[i].strip()
        if s.lower() == "by" and k + 1 < len(idx) and len(lines[idx[k + 1]].strip()) <= 60:
            meta.author = tidy_title(lines[idx[k + 1]].strip().strip("_*"))
            meta.title = tidy_title(" ".join(lines[j].strip() for j in idx[:k]))
            cut = idx[k + 1]
            break
        m = _BY.fullmatch(s.strip("_*"))
        if m and len(s) <= 60 and not s.endswith((".", "!", "?")) or (s.isupper() and s.lower().startswith("by")):
            meta.author = tidy_title((m.group(1) if m else s[2:]).strip())
            meta.title = tidy_title(" ".join(lines[j].strip() for j in idx[:k]))
            cut = i
            break
        if parse_heading(s, standalone=True):
            break
    if cut is None:
        # a lone ALL-CAPS title line right above the first heading (THE AWAKENING / I)
        nxt = lines[idx[1]].strip() if len(idx) > 1 else ""
        if (first.isupper() and len(first.split()) <= 10 and parse_heading(nxt, standalone=True)
                and first.lower().strip(".") not in ("chapter", "part", "book", "volume")):
            meta.title = tidy_title(first)
            meta.skipped.append(Skipped("title page", "metadata", first))
            return [""] * (idx[0] + 1) + lines[idx[0] + 1:]
        return lines
    # credits lines right after the byline
    j = cut + 1
    while j < len(lines) and (not lines[j].strip() or _CREDIT.fullmatch(lines[j].strip())):
        if lines[j].strip():
            cut = j
        j += 1
    page = " ".join(lines[i].strip() for i in range(cut + 1) if lines[i].strip())
    meta.skipped.append(Skipped("title page", "metadata", page[:80]))
    return [""] * (cut + 1) + lines[cut + 1:]
