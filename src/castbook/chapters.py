"""Pure chapter splitting: find headings in cleaned text, cut it into Chapters, keep notes and boilerplate out."""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from dataclasses import dataclass, field

from castbook.model import SCENE_BREAK, Chapter, Skipped
from castbook.sources import clean

log = logging.getLogger(__name__)

# --- numbers in headings -----------------------------------------------------------------------

_UNITS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen" \
         " seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_WORD_VALUES: dict[str, int] = {w: i for i, w in enumerate(_UNITS) if i}
for _t, _tw in enumerate(_TENS):
    _WORD_VALUES[_tw] = 20 + 10 * _t
    for _u in range(1, 10):
        _WORD_VALUES[f"{_tw}-{_UNITS[_u]}"] = _WORD_VALUES[f"{_tw} {_UNITS[_u]}"] = 20 + 10 * _t + _u
_WORD_VALUES["hundred"] = _WORD_VALUES["one hundred"] = 100
_WORDS_RE = "|".join(sorted((re.escape(w) for w in _WORD_VALUES), key=len, reverse=True))
_NUM = rf"(?:\d{{1,4}}|[IVXLCDMivxlcdm]{{1,9}}|{_WORDS_RE})"
_ROMAN = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_ORDINAL_WORDS = "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split()


def roman_value(text: str) -> int | None:
    """The value of a Roman numeral written all in capitals or all in lower case (`IV` -> 4), else None."""
    if not text or not (text.isupper() or text.islower()):
        return None
    up = text.upper()
    if not _ROMAN.fullmatch(up):
        return None
    vals = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for a, b in zip(up, up[1:] + " "):
        v = vals[a]
        total += -v if b != " " and vals[b] > v else v
    return total or None


def _number_label(num: str) -> str | None:
    """How a heading number is shown: digits and Roman numerals as digits, number words as written."""
    if num.isdigit():
        return str(int(num))
    if num.lower() in _WORD_VALUES:
        return "-".join(p.capitalize() for p in re.split(r"[- ]", num.lower())).replace("-", "-")
    value = roman_value(num)
    if value is not None and value <= 300:
        return str(value)
    return None


# --- headings ----------------------------------------------------------------------------------

_SMALL_WORDS = frozenset("a an and as at but by for from in into nor of on or the to with".split())


def tidy_title(title: str) -> str:
    """A heading's own title as a listener should hear it: stray marks trimmed, ALL CAPS made title case."""
    t = title.strip().strip("*#=~_|").strip()
    t = t.rstrip(".").strip() if not t.endswith("...") else t
    if sum(c.isalpha() for c in t) >= 2 and not any(c.islower() for c in t):
        words = t.lower().split(" ")
        t = " ".join(w if (i and w in _SMALL_WORDS) else w[:1].upper() + w[1:] for i, w in enumerate(words))
        t = re.sub(r"(?<=[\s(\"“-])([a-z])", lambda m: m.group(1).upper(), t) if "-" in t else t
    return t


@dataclass(frozen=True, slots=True)
class Heading:
    """A recognised heading line."""

    kind: str
    """"chapter", "group" (Part/Book/Volume), "marker" (AO3 `Chapter Text`) or "bare" (a lone numeral)."""
    title: str | None
    """Listener-facing title; None for unnumbered markers (numbered later by position)."""
    has_title: bool = False
    """True when the heading carried its own title (so a following subtitle line is not taken)."""


_CHAPTER = re.compile(rf"(?:chapter|chap\.?|ch\.)\s*(?P<num>{_NUM})(?!\w)(?P<rest>.*)", re.IGNORECASE)
_GROUP = re.compile(rf"(?P<word>part|book|volume|vol\.)\s+(?P<num>{_NUM}|the\s+[a-z]+)(?!\w)(?P<rest>.*)",
                    re.IGNORECASE)
_SPECIAL = re.compile(r"(?P<word>prologue|epilogue|interlude|prelude|foreword|introduction|afterword|coda"
                      r"|intermission|bonus chapter|extra chapter|special chapter|side story)(?!\w)(?P<rest>.*)",
                      re.IGNORECASE)
_BARE = re.compile(r"(?P<num>\d{1,3}|[IVXLCDM]{1,8})\.?")
_SEPARATORS = ":.-–—|~"


def _title_like(text: str) -> bool:
    """A short phrase that reads as a title, not as the start of a sentence."""
    t = text.strip()
    if not t or len(t) > 80 or len(t.split()) > 14 or t[-1] in ",;":
        return False
    caseless = t[0].isalpha() and t[0].lower() == t[0].upper()  # CJK, Arabic, Hebrew... titles have no capitals
    return t[0].isupper() or t[0].isdigit() or caseless or t[0] in "(\"“‘'["


def _rest_title(rest: str, standalone: bool) -> tuple[bool, str | None]:
    """Split what follows a heading's number: (is a heading, title or None)."""
    r = rest.strip()
    if not r or r in (".", ":", "-"):
        return True, None
    if r[0] in _SEPARATORS:
        title = r.lstrip(_SEPARATORS + " ")
        if not title:
            return True, None
        return (_title_like(title), title)
    if r[0] == "(" and r.endswith(")") and len(r) < 40:
        return True, r
    if standalone and _title_like(r) and not r.endswith((".", "!", "?")) or standalone and r[:1].isupper() \
            and len(r.split()) <= 8 and r.isupper():
        return True, r
    return False, None


def parse_heading(line: str, *, standalone: bool) -> Heading | None:
    """Recognise a heading line; `standalone` means it stands alone between blank lines (looser rules apply)."""
    s = line.strip()
    if not s or len(s) > 100:
        return None
    s = s.strip("#*=~_ ").strip() if s[0] in "#*=~_" else s
    if not s:
        return None
    if s.lower() in ("chapter text", "chapter text:"):
        return Heading("marker", None)
    if s[0] in "Cc" and (m := _CHAPTER.fullmatch(s)):
        label = _number_label(m["num"])
        ok, title = _rest_title(m["rest"], standalone)
        if label is None or not ok:
            return None
        return Heading("chapter", _join("Chapter", label, title), title is not None)
    if s[0] in "PpBbVv" and (m := _GROUP.fullmatch(s)):
        word = m["word"].capitalize().replace("Vol.", "Volume")
        num = m["num"]
        label = ("the " + num.split()[-1].capitalize()) if num.lower().startswith("the ") else _number_label(num)
        if num.lower().startswith("the ") and num.split()[-1].lower() not in _ORDINAL_WORDS + ["last", "final"]:
            return None
        ok, title = _rest_title(m["rest"], standalone)
        if label is None or not ok or not standalone and title is None and m["rest"].strip():
            return None
        return Heading("group", _join(word, label, title), title is not None)
    if (m := _SPECIAL.fullmatch(s)):
        word = m["word"].title()
        rest = m["rest"].strip()
        label = None
        if rest and (n := re.match(rf"({_NUM})(?!\w)", rest)):
            label = _number_label(n.group(1))
            if label is not None:
                rest = rest[n.end():]
        ok, title = _rest_title(rest, standalone)
        if not ok:
            return None
        return Heading("chapter", _join(word, label, title), title is not None)
    if standalone and (m := _BARE.fullmatch(s)):
        label = _number_label(m["num"])
        if label is not None and int(label) > 0:
            return Heading("bare", f"Chapter {label}")
    return None


def _join(word: str, label: str | None, title: str | None) -> str:
    head = f"{word} {label}" if label else word
    return f"{head}: {tidy_title(title)}" if title else head


def _subtitle_like(line: str) -> bool:
    """A line under a heading that names the chapter (`THE LIGHTHOUSE AT GULLSTONE POINT`)."""
    s = line.strip()
    if not s or len(s) > 70 or len(s.split()) > 12 or any(q in s for q in "\"“”‘’"):
        return False
    if s.isupper():
        return True
    return _title_like(s) and not s.endswith((".", "!", "?", ":", ","))


# --- boilerplate and notes ---------------------------------------------------------------------

_BOILERPLATE = (
    (re.compile(r"\(?\s*see the end of the (?:work|chapter) for (?:more )?notes\.?\s*\)?", re.I), "note pointer"),
    (re.compile(r"posted originally on the archive of our own.*", re.I), "AO3 preface"),
    (re.compile(r"please drop by the archive and comment.*", re.I), "AO3 afterword"),
    (re.compile(r".*where stories live\.?\s*discover now.*", re.I), "Wattpad footer"),
    (re.compile(r"work header", re.I), "export marker"),
)
_BEFORE_LABELS = re.compile(r"(?:chapter\s+)?(?:notes?|summary|author'?s'?\s+notes?|a/n)\s*:?", re.I)
_AFTER_LABELS = re.compile(r"(?:chapter\s+)?end\s+notes?\s*:?", re.I)
_AN_PREFIX = re.compile(r"(?:\(?\s*a/n|author'?s'?\s+notes?|\(?\s*an\s*:)\b", re.I)


def boilerplate_label(line: str) -> str | None:
    """The label of a line of site boilerplate (never read), or None."""
    s = line.strip()
    if not s or len(s) > 300:
        return None
    for pattern, label in _BOILERPLATE:
        if pattern.fullmatch(s):
            return label
    return None


# --- splitting ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Event:
    kind: str  # "heading", "para", "break", "before", "after", "pointer"
    text: str = ""
    heading: Heading | None = None


@dataclass(slots=True)
class _Draft:
    title: str | None
    kind: str  # "pre", "marker", "chapter", "bare", "group"
    paragraphs: list[str] = field(default_factory=list)
    before: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)


def _blocks(lines: list[str]) -> list[tuple[int, int, list[int]]]:
    """(blank lines before, first line index, line indices) for each run of non-blank lines."""
    out, cur, blanks = [], [], 0
    for i, line in enumerate(lines):
        if line.strip():
            cur.append(i)
        else:
            if cur:
                out.append((blanks, cur[0], cur))
                cur, blanks = [], 0
            blanks += 1
    if cur:
        out.append((blanks, cur[0], cur))
    return out


def _is_wrapped(lengths: list[int]) -> bool:
    """Hard-wrapped prose (Gutenberg): most lines sit just under one width of at most 100 characters."""
    if len(lengths) < 8:
        return False
    ordered = sorted(lengths)
    width = ordered[int(len(ordered) * 0.9)]
    if width > 100 or width < 30:
        return False
    near = sum(1 for n in lengths if n >= width - 20)
    return near >= 0.5 * len(lengths) and ordered[-1] <= 140


_LINE_END = re.compile(r"[.!?…\"”’)\]:;*~_—-]\s*$")


def _runs(lines: list[str]) -> list[str]:
    """Lines of an unwrapped block: each is a paragraph, except a line that stops mid-sentence joins the next."""
    out: list[str] = []
    joining = False
    for line in lines:
        s = line.strip()
        if joining and out:
            out[-1] = out[-1] + " " + s
        else:
            out.append(s)
        joining = len(s) >= 40 and not _LINE_END.search(s) and not clean.is_scene_break(s)
    return out


def _join_wrapped(lines: list[str]) -> str:
    # a line end is a space, even after `--` or `-`: we cannot tell a broken word from a dash
    return " ".join(line.strip() for line in lines)


def split_chapters(text: str, *, forced_headings: Collection[int] = (), single_title: str | None = None
                   ) -> tuple[tuple[Chapter, ...], tuple[Skipped, ...]]:
    """Cut cleaned text into chapters; `forced_headings` are line indices known to be headings (Wattpad).

    A text without headings is one chapter, titled `single_title` (the work's title) when given.
    Paragraphs: hard-wrapped prose is joined per blank-line block; otherwise every line is a paragraph.
    Returns the chapters (at least one if there is any text) and what was skipped.
    """
    lines = text.split("\n")
    blocks = _blocks(lines)
    nonblank = sum(len(b[2]) for b in blocks)
    lengths = [len(lines[i].strip()) for b in blocks for i in b[2]]
    wrapped = _is_wrapped(lengths)
    blocky = wrapped or (len(blocks) >= 3 and len(blocks) >= 0.04 * nonblank)
    gaps = [b[0] for b in blocks[1:]] or [1]
    typical = min(set(gaps), key=lambda g: (-gaps.count(g), g)) if len(gaps) < 5000 else sorted(gaps)[len(gaps) // 3]
    threshold = max(3, typical + 2) if blocky else 2
    forced = set(forced_headings)

    events: list[_Event] = []
    skipped: list[Skipped] = []

    def add_para(raw: str) -> None:
        s = raw.strip()
        if not s:
            return
        label = boilerplate_label(s)
        if label:
            events.append(_Event("pointer" if label == "note pointer" else "skip", s))
            skipped.append(Skipped(label, "site boilerplate", s[:80]))
        elif clean.is_scene_break(s):
            events.append(_Event("break"))
        elif len(s) <= 40 and _AFTER_LABELS.fullmatch(s):
            events.append(_Event("after", s))
        elif len(s) <= 40 and _BEFORE_LABELS.fullmatch(s):
            events.append(_Event("before", s))
        else:
            events.append(_Event("para", s))

    for blanks, first, idxs in blocks:
        if events and blanks >= threshold and events[-1].kind == "para":
            events.append(_Event("break"))
        # "CHAPTER" alone over its number (The Sun Also Rises)
        if len(idxs) >= 2 and lines[idxs[0]].strip().lower() == "chapter" and re.fullmatch(
                _NUM + r"\.?", lines[idxs[1]].strip()):
            merged = "Chapter " + lines[idxs[1]].strip()
            lines[idxs[1]] = merged
            idxs = idxs[1:]
        if not blocky:
            for j, i in enumerate(idxs):
                alone = len(idxs) == 1
                h = _forced(lines[i]) if i in forced else parse_heading(lines[i], standalone=alone)
                if h:
                    events.append(_Event("heading", lines[i].strip(), h))
                else:
                    add_para(lines[i])
            continue
        head_line = lines[idxs[0]]
        rest = idxs[1:]
        subtitle_ok = len(rest) <= 2 and all(_subtitle_like(lines[i]) for i in rest)
        if idxs[0] in forced:
            h = _forced(head_line)
        else:
            h = parse_heading(head_line, standalone=len(idxs) == 1 or subtitle_ok)
        if h is None:
            if wrapped:
                add_para(_join_wrapped([lines[i] for i in idxs]))
            else:
                for run in _runs([lines[i] for i in idxs]):
                    add_para(run)
            continue
        if rest and subtitle_ok and not h.has_title:
            sub = " ".join(lines[i].strip() for i in rest)
            h = Heading(h.kind, _with_subtitle(h, sub), True)
            rest = []
        events.append(_Event("heading", head_line.strip(), h))
        if rest:
            if wrapped:
                add_para(_join_wrapped([lines[i] for i in rest]))
            else:
                for run in _runs([lines[i] for i in rest]):
                    add_para(run)

    events = _settle_headings(events)
    chapters = _assemble(events, skipped)
    if single_title and len(chapters) == 1 and not any(e.kind == "heading" for e in events):
        c = chapters[0]
        chapters = (Chapter(c.index, single_title, c.paragraphs, c.notes_before, c.notes_after),)
    return chapters, tuple(skipped)


def _forced(line: str) -> Heading:
    h = parse_heading(line, standalone=True)
    if h and h.kind != "bare":
        return h
    return Heading("chapter", tidy_title(line) or None, True)


def _with_subtitle(h: Heading, sub: str) -> str | None:
    if h.title is None:
        return tidy_title(sub)
    return f"{h.title}: {tidy_title(sub)}"


def _settle_headings(events: list[_Event]) -> list[_Event]:
    """Undo unlikely headings: a lone numeral counts only in a series; a subtitle line after a numeral joins it."""
    bare = sum(1 for e in events if e.kind == "heading" and e.heading.kind == "bare")
    out: list[_Event] = []
    for k, e in enumerate(events):
        if e.kind == "heading" and e.heading.kind == "bare" and bare < 2:
            out.append(_Event("para", e.text))
            continue
        # a lone ALL-CAPS line right after a title-less heading is its title (`I` / `THE HAMILTONS`)
        if (e.kind == "para" and out and out[-1].kind == "heading" and not out[-1].heading.has_title
                and out[-1].heading.kind in ("bare", "chapter", "group") and e.text.isupper()
                and _subtitle_like(e.text) and k + 1 < len(events) and events[k + 1].kind in ("para", "break")):
            prev = out[-1]
            out[-1] = _Event("heading", prev.text, Heading(prev.heading.kind, _with_subtitle(prev.heading, e.text), True))
            continue
        out.append(e)
    return out


def _assemble(events: list[_Event], skipped: list[Skipped]) -> tuple[Chapter, ...]:
    drafts: list[_Draft] = [_Draft(None, "pre")]
    prefix: str | None = None
    mode = "story"  # "story", "before" (n paragraphs left), "after"
    before_left = 0
    for k, e in enumerate(events):
        cur = drafts[-1]
        if e.kind == "heading":
            h = e.heading
            nxt = next((x for x in events[k + 1:] if x.kind not in ("break", "skip")), None)
            if h.kind == "group" and nxt is not None and nxt.kind == "heading" and nxt.heading.kind != "group":
                prefix = h.title
                continue
            if h.kind == "group" and _front_matter_until_heading(events, k + 1):
                prefix = h.title  # a volume's own title page follows (`VOL. II.` / `London: Printed for ...`)
                mode = "front"
                continue
            title = h.title
            if prefix:
                title = f"{prefix}. {title or 'Chapter'}" if title else prefix
                prefix = None
            drafts.append(_Draft(title, "marker" if title is None else h.kind))
            mode = "story"
            continue
        if mode == "front":
            if e.kind == "para":
                skipped.append(Skipped("front matter", "title page", e.text[:80]))
            continue
        if e.kind == "pointer":
            if mode == "before":
                mode, before_left = "story", 0
            continue
        if e.kind == "skip":
            continue
        if e.kind == "before" and not _has_story(cur):
            mode = "before"
            before_left = _notes_extent(events, k)
            continue
        if e.kind in ("after", "before"):
            mode = "after"
            continue
        if e.kind == "break":
            if mode == "story":
                cur.paragraphs.append(SCENE_BREAK)
            continue
        for para in _paragraphs(e.text):
            if mode == "before":
                cur.before.append(para)
            elif mode == "after":
                cur.after.append(para)
            else:
                cur.paragraphs.append(para)
        if mode == "before":
            before_left -= 1
            if before_left <= 0:
                mode = "story"
    if drafts[0].kind == "pre" and len(drafts) > 1 and _is_front_matter(drafts[0].paragraphs):
        skipped.extend(Skipped("front matter", "title page", p[:80]) for p in drafts[0].paragraphs if p)
        drafts[0].paragraphs.clear()
    return _finish(drafts)


def _is_front_matter(paragraphs: list[str]) -> bool:
    """A few short lines with no dialogue: a title page, not story (`PERSUASION` / `by` / `Jane Austen`)."""
    texts = [p for p in paragraphs if p != SCENE_BREAK]
    words = sum(len(p.split()) for p in texts)
    sentences = sum(1 for p in texts if len(p.split()) >= 5 and p.rstrip("\"”’)").endswith((".", "!", "?")))
    return (0 < len(texts) <= 10 and words <= 60 and all(len(p.split()) <= 16 for p in texts) and sentences <= 1
            and not any(q in p for p in texts for q in "“”\""))


def _front_matter_until_heading(events: list[_Event], k: int) -> bool:
    paras = []
    for e in events[k:k + 14]:
        if e.kind == "heading":
            return bool(paras) and e.heading.kind != "group" and _is_front_matter(paras)
        if e.kind == "para":
            paras.append(e.text)
        elif e.kind not in ("break", "skip"):
            return False
    return False


def _notes_extent(events: list[_Event], k: int) -> int:
    """How many paragraphs a beginning-notes label covers: up to a `See the end...` pointer, else one."""
    count = 0
    for e in events[k + 1:k + 40]:
        if e.kind == "pointer":
            return max(count, 1)
        if e.kind in ("heading", "before", "after"):
            break
        if e.kind == "para":
            count += 1
    return 1


def _has_story(d: _Draft) -> bool:
    return any(p != SCENE_BREAK for p in d.paragraphs)


def _paragraphs(text: str) -> list[str]:
    out = []
    for piece in clean.split_glued_paragraphs(text):
        p = clean.clean_paragraph(piece)
        if p:
            out.append(SCENE_BREAK if clean.is_scene_break(p) else p)
    return out


def _finish(drafts: list[_Draft]) -> tuple[Chapter, ...]:
    for d in drafts:
        _move_author_notes(d)
    kept: list[_Draft] = []
    carry: list[str] = []
    for d in drafts:
        if not _has_story(d):
            if d.kind == "pre" or not d.title:
                carry.extend(d.before + d.after)
                continue
            if not d.before and not d.after and any(x.kind != "pre" for x in kept):
                log.debug("empty chapter %r dropped", d.title)
                continue
            carry.extend(d.before + d.after)
            continue
        d.before = carry + d.before
        carry = []
        kept.append(d)
    if carry and kept:
        kept[-1].after.extend(carry)
    real_titles = any(d.kind in ("chapter", "bare", "group") for d in kept)
    chapters = []
    for i, d in enumerate(kept, start=1):
        paras = _trim_breaks(d.paragraphs)
        title = d.title
        if title is None:
            title = "Opening" if d.kind == "pre" and real_titles else f"Chapter {i}"
        chapters.append(Chapter(i, title, tuple(paras), tuple(d.before), tuple(d.after)))
    return tuple(chapters)


def _move_author_notes(d: _Draft) -> None:
    """`A/N: ...` paragraphs at the start or end of a chapter are author notes, not story."""
    while d.paragraphs and d.paragraphs[0] != SCENE_BREAK and _AN_PREFIX.match(d.paragraphs[0]):
        d.before.append(d.paragraphs.pop(0))
        while d.paragraphs and d.paragraphs[0] == SCENE_BREAK:
            d.paragraphs.pop(0)
    tail: list[str] = []
    for j in range(len(d.paragraphs) - 1, max(-1, len(d.paragraphs) - 4), -1):
        if d.paragraphs[j] != SCENE_BREAK and _AN_PREFIX.match(d.paragraphs[j]):
            tail = d.paragraphs[j:]
            del d.paragraphs[j:]
            break
    if tail and _has_story(d):
        d.after[:0] = [p for p in tail if p != SCENE_BREAK]
    elif tail:
        d.paragraphs.extend(tail)


def _trim_breaks(paras: list[str]) -> list[str]:
    out: list[str] = []
    for p in paras:
        if p == SCENE_BREAK and (not out or out[-1] == SCENE_BREAK):
            continue
        out.append(p)
    while out and out[-1] == SCENE_BREAK:
        out.pop()
    return out
