"""Quote detection: split paragraphs into narration and dialogue pieces, telling quote marks from apostrophes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

_DOUBLE = frozenset('"\u201c\u201d\u201e\u201f\u00ab\u00bb')
_SINGLE = frozenset("'\u2018\u2019\u201a\u201b")
_OPEN_GLYPHS = frozenset("\u201c\u201e\u00ab\u2018\u201a")
_CLOSE_GLYPHS = frozenset("\u201d\u00bb\u2019")
_BEFORE_OPEN = frozenset("([{\u2014\u2013-/:;\u2026")
_AFTER_CLOSE = frozenset(".,;:!?)]}\u2014\u2013-\u2026*_")
_ELISIONS = frozenset(
    "tis twas twere twill em cause cos fraid bout round til till n nuff kay ello ow ave im er "
    "scuse spose cept gainst neath tween ere un".split()
)
_TERMINAL = re.compile(r"[.,;:!?\u2026\u2014\u2013\-][\W_]*$")  # emphasis may close it: _Stolen!_
_WORD = re.compile(r"\w+")
_PREV_WORD = re.compile(r"([A-Za-z][\w-]*)$")
# Words after which a short quotation is a term or title inside the sentence, not speech.
_DETERMINERS = frozenset("the a an this these those his its their our your my".split())
_NAMING = frozenset("called named dubbed so-called word words term phrase title nicknamed labelled labeled".split())


@dataclass(frozen=True, slots=True)
class Piece:
    """A stretch of one paragraph: narration or the inside of one quotation."""

    kind: str
    """"narration" or "dialogue"."""
    text: str
    """The words (quote marks removed for dialogue; stripped)."""
    start: int
    """Offset of the piece's raw span in the paragraph."""
    continued: bool = False
    """Dialogue that reopens a speech left open at the end of the previous paragraph."""


def _marks_rx(marks: frozenset[str]) -> re.Pattern[str]:
    rx = _MARKS_RX.get(marks)
    if rx is None:
        rx = _MARKS_RX[marks] = re.compile("[" + "".join(re.escape(c) for c in sorted(marks)) + "]")
    return rx


_MARKS_RX: dict[frozenset[str], re.Pattern[str]] = {}


def detect_style(paragraphs: Iterable[str]) -> frozenset[str]:
    """The quote marks a work uses for dialogue: double marks unless single ones clearly dominate."""
    doubles = singles = 0
    double_rx, single_rx = _marks_rx(_DOUBLE), _marks_rx(_SINGLE)
    for p in paragraphs:
        doubles += len(double_rx.findall(p))
        for m in single_rx.finditer(p):
            i = m.start()
            # (A mark after a letter or digit, as in `don't`, opens nothing: `_single_can_open` is not asked.)
            if not (i and p[i - 1].isalnum()) and _single_can_open(p, i):
                singles += 1
    return _SINGLE if singles >= 2 and singles > 2 * doubles else _DOUBLE


def _single_can_open(p: str, i: int) -> bool:
    prev = p[i - 1] if i else " "
    nxt = p[i + 1] if i + 1 < len(p) else " "
    after = p[i + 2] if i + 2 < len(p) else " "
    # A quotation may open on a dash (‘—till we’ve looked.’), on a quotation of its own (‘“KEEP OUT,” it says.’)
    # or on an elision (‘’Course I do.’).
    if not (prev.isspace() or prev in _BEFORE_OPEN or prev in _DOUBLE) or not (
            nxt.isalnum() or nxt in "\u2026.\u2014\u2013" or nxt in _DOUBLE or (nxt in _SINGLE and after.isalpha())):
        return False
    m = _WORD.match(p, i + 1)
    word = m.group().lower() if m else ""
    j = i - 1
    while j >= 0 and p[j].isspace():
        j -= 1
    if j < 0 or p[j] in ".!?\u2019'\u201d\"":
        return True  # at the start of a paragraph or sentence, even ‘Fraid opens a quotation
    if word in _ELISIONS or (word[:2].isdigit() and word.endswith("s") and len(word) <= 4) or (word.isdigit() and len(word) == 2):
        return False  # ‘90s, and a year cut short mid-sentence: `every year since ‘09`
    return True


def _classify(p: str, i: int, marks: frozenset[str]) -> tuple[bool, bool]:
    """Whether the mark at i can open and whether it can close a quotation."""
    ch = p[i]
    prev = p[i - 1] if i else " "
    nxt = p[i + 1] if i + 1 < len(p) else " "
    if marks is _SINGLE:
        if prev.isalnum() and nxt.isalnum():
            return False, False  # don't, rock'n'roll
        can_open = _single_can_open(p, i)
    else:
        can_open = not nxt.isspace() and (prev.isspace() or prev in _BEFORE_OPEN or prev in marks or i == 0)
    can_close = not prev.isspace() and (nxt.isspace() or nxt in _AFTER_CLOSE or nxt in marks or i + 1 == len(p))
    if can_open and can_close:
        if ch in _OPEN_GLYPHS and not (i + 1 == len(p) or nxt.isspace()):
            can_close = False
        elif ch in _CLOSE_GLYPHS:
            can_open = False
    return can_open, can_close


def _plural_possessive(p: str, i: int, end_candidates: Sequence[int]) -> bool:
    """A single closing mark after -s followed by a lowercase word, with another closer later: Jameses' house."""
    if i == 0 or p[i - 1] not in "sS" or i + 2 >= len(p) or p[i + 1] != " " or not p[i + 2].islower():
        return False
    return any(j > i for j in end_candidates)


def split_paragraph(p: str, marks: frozenset[str]) -> tuple[list[Piece], bool]:
    """Split one paragraph; returns its pieces and whether a quotation is still open at its end."""
    positions = [m.start() for m in _marks_rx(marks).finditer(p)]
    if not positions:
        return ([Piece("narration", p.strip(), 0)] if p.strip() else []), False
    flags = {i: _classify(p, i, marks) for i in positions}
    closers = [i for i in positions if flags[i][1]]
    spans: list[tuple[int, int]] = []  # (open mark index, close mark index or -1)
    open_at = -1
    last_mark = -2
    for i in positions:
        can_open, can_close = flags[i]
        if open_at < 0:
            if can_open:
                open_at = i
        else:
            if can_close and not (marks is _SINGLE and _plural_possessive(p, i, closers)):
                spans.append((open_at, i))
                open_at = -1
            elif not can_open and not can_close and i == open_at + 1:
                pass
            elif not can_open and not can_close and not marks is _SINGLE:
                # A stray mark with space on both sides ('believed " he began'): it can open nothing,
                # so it closes the open quotation rather than letting speech run into the next paragraph.
                spans.append((open_at, i))
                open_at = -1
            elif can_open and not can_close and i == last_mark + 1:
                pass  # a doubled opening mark: touch-““Relax
        last_mark = i
    still_open = open_at >= 0
    if still_open:
        spans.append((open_at, -1))
    pieces: list[Piece] = []
    cursor = 0
    for a, b in spans:
        end = len(p) if b < 0 else b
        inner = p[a + 1 : end]
        while inner[:1] in marks and inner and not (inner[:1] in "'\u2019" and inner[1:2].isalpha()):
            inner = inner[1:]  # a doubled opening mark, but not the elision of ‘’Course
        if _is_term(p, a, end, inner):
            continue
        _add(pieces, "narration", p[cursor:a], cursor, marks)
        _add(pieces, "dialogue", inner, a, marks)
        cursor = end + 1
    _add(pieces, "narration", p[cursor:], cursor, marks)
    return pieces, still_open


def _is_term(p: str, a: int, b: int, inner: str) -> bool:
    """Scare quotes, titles and terms inside narration: short, no end punctuation, embedded in a sentence."""
    if b >= len(p) or not inner.strip():
        return False
    if len(inner.split(None, 4)) > 4:
        return False  # five words or more (the split stops at the fifth)
    before = p[:a].rstrip()
    after = p[b + 1 :].lstrip()
    if _TERMINAL.search(inner):
        # American punctuation puts the comma or full stop inside the marks: called the "storm door," as
        # though... After a determiner or a naming word the quote is a noun phrase, not speech.
        lead = _PREV_WORD.search(before)
        word = lead.group(1).lower() if lead else ""
        if inner.rstrip()[-1:] not in ",." or word not in _DETERMINERS | _NAMING:
            return False
        # "called" can also introduce speech (She called "Wait!"), so it needs the sentence to run on.
        return word in _DETERMINERS or not after or after[0].islower()
    if not before:
        # At paragraph start: a term only when the sentence carries on in lowercase ("Keepers" was ...).
        return bool(after) and after[0].islower() and not after.startswith(("said", "asked", "he ", "she "))
    if before[-1] in ".!?:" and (not after or after[0] in "\"'\u201c\u201d" or after[0].isupper()):
        return False
    return True


def _add(pieces: list[Piece], kind: str, raw: str, start: int, marks: frozenset[str]) -> None:
    text = raw.strip()
    if kind == "narration":
        text = text.lstrip(",;").strip()
        if not any(c.isalnum() for c in text):
            return
        if pieces and pieces[-1].kind == "narration":
            prev = pieces[-1]
            pieces[-1] = Piece("narration", prev.text + " " + text, prev.start)
            return
    elif not text:
        return
    pieces.append(Piece(kind, text, start))


def split_paragraphs(paragraphs: Sequence[str], marks: frozenset[str]) -> list[list[Piece]]:
    """Split a chapter's paragraphs, marking speech that runs on across paragraphs."""
    out: list[list[Piece]] = []
    open_before = False
    for p in paragraphs:
        pieces, still_open = split_paragraph(p, marks)
        if not open_before and not any(x.kind == "dialogue" for x in pieces):
            pieces, still_open = _other_marks(p, marks, pieces, still_open)
        if open_before and pieces and pieces[0].kind == "dialogue" and p.lstrip()[:1] in marks:
            first = pieces[0]
            pieces[0] = Piece("dialogue", first.text, first.start, continued=True)
        out.append(pieces)
        open_before = still_open
    return out


def _other_marks(p: str, marks: frozenset[str], pieces: list[Piece], still_open: bool) -> tuple[list[Piece], bool]:
    """A paragraph with no speech in the work's quote marks may use the other kind (a line typed with straight
    double quotes in a story of single ones, or the reverse): taken when it opens the paragraph with speech."""
    other = _DOUBLE if marks is _SINGLE else _SINGLE
    first = p.lstrip()[:1]
    if first not in other or (other is _SINGLE and first not in "\u2018'"):
        return pieces, still_open
    alt, alt_open = split_paragraph(p, other)
    if alt and alt[0].kind == "dialogue" and not alt_open:
        return alt, alt_open
    return pieces, still_open
