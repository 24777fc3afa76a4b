"""Split chapters into narration and dialogue segments and attribute each line of dialogue to a speaker."""

from __future__ import annotations

import gc
import logging
import re
from collections import Counter
from typing import Mapping, Sequence

from castbook.attribution.attribute import NARRATOR, attribute, name_narrator, narrator_aliases, narrator_name
from castbook.attribution.names import discover, italic_spans, starts_on
from castbook.attribution.quotes import Piece, detect_style, split_paragraphs
from castbook.model import NARRATOR_SPEAKER, SCENE_BREAK, Break, Chapter, Character, Segment, Segmented

log = logging.getLogger(__name__)


def segment_work(chapters: Sequence[Chapter], hints: Mapping[str, Sequence[str]] | None = None,
                 characters: Sequence[str] = ()) -> Segmented:
    """Split every chapter into narration and dialogue segments and attribute each line of dialogue.

    `hints` are the known characters of voices.yaml (name -> aliases); `characters` the full names the work's tags
    give (`Work.characters`), which the names the text writes join ("Sam", "Whitlock" -> "Sam Whitlock").

    Python's cyclic garbage collector is paused meanwhile (and turned back on after, if it was on): the work builds
    hundreds of thousands of small tuples and caches that live to its end, and each full collection walked them all
    again (about 5% of the time) to free almost nothing; what cycles it leaves are freed at the next collection."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _segment_work(chapters, hints, characters)
    finally:
        if collecting:
            gc.enable()


def _segment_work(chapters: Sequence[Chapter], hints: Mapping[str, Sequence[str]] | None,
                  characters: Sequence[str]) -> Segmented:
    all_paragraphs = [p for c in chapters for p in c.paragraphs if p != SCENE_BREAK]
    marks = detect_style(all_paragraphs)
    cast = discover(all_paragraphs, hints, characters, marks)
    pieces: list[list[Piece]] = []
    view: list[list[Piece]] = []  # what the attribution reads: italic thoughts in narration blanked
    resets: list[bool] = []
    where: list[tuple[Chapter, int]] = []
    for chapter in chapters:
        split = split_paragraphs(chapter.paragraphs, marks)
        reset = True
        for pi, para in enumerate(split):
            if chapter.paragraphs[pi] == SCENE_BREAK:
                reset = True
                continue
            pieces.append(para)
            italics = italic_spans(chapter.paragraphs[pi])
            view.append(_unspoken(para, italics) if italics else para)
            resets.append(reset)
            where.append((chapter, pi))
            reset = False
    cast.second_person = _second_person(view)
    quotes = attribute(cast, view, resets)
    narrator = name_narrator(cast, quotes, view)
    same = narrator_aliases(cast, quotes, narrator) if narrator is not None else set()
    if narrator is not None and not cast.people[narrator].hinted and (shown := narrator_name(cast, quotes, view, narrator)):
        cast.people[narrator].hinted = shown  # `Robbie` to a friend, `Roberta` to her mother: Roberta
    names: dict[int, str] = {}  # the cast no longer changes: each speaker's name once
    reader = None
    if narrator is None and any(q.speaker == NARRATOR for q in quotes):
        # "I" or "you" with no name: their lines still have a speaker, whom casting reads as such.
        reader = _reader(pieces) if cast.second_person else NARRATOR_SPEAKER
        narrator, names[NARRATOR] = NARRATOR, reader
    speaker_of = {}
    lines: Counter[int] = Counter()
    for q in quotes:
        pid = narrator if q.speaker == NARRATOR or q.speaker in same else q.speaker
        speaker_of[(q.para, q.piece)] = (pid, q.cue if pid is not None else None, q.confidence if pid is not None else 0.0)
        if pid is not None:
            lines[pid] += 1
    segments: list[Segment] = []
    index = 0
    current = None
    for flat, para in enumerate(pieces):
        chapter, pi = where[flat]
        if chapter is not current:
            current, index, brk = chapter, 0, Break.CHAPTER
        elif resets[flat]:
            brk = Break.SCENE
        else:
            brk = Break.PARAGRAPH
        for k, piece in enumerate(para):
            pid, cue, conf = speaker_of.get((flat, k), (None, None, 0.0))
            # (Positional, in the fields' order -- chapter, index, kind, text, speaker, paragraph, break_before,
            # confidence, cue: a frozen dataclass is built faster so, once per segment.)
            segments.append(Segment(
                chapter.index, index, piece.kind, piece.text,  # type: ignore[arg-type]
                (names.get(pid) or names.setdefault(pid, cast.name(pid))) if pid is not None else None,
                pi, brk, round(conf, 2), cue,
            ))
            index += 1
            brk = Break.PHRASE
    return Segmented(segments=tuple(segments), characters=_characters(cast, lines, reader))


_YOU = starts_on("y", r"\b(?:you|your|yourself)\b", ignorecase=True)  # (counted: whole words, see `starts_on`)
_ME = re.compile(r"\b(?:I|me|my|myself)\b")


def _whole(text: str, span: str, k: int) -> bool:
    """The italic stretch found at `k` is all of the narration piece's words."""
    return k >= 0 and not text[:k].strip(_LOOSE) and not text[k + len(span):].strip(_LOOSE)


_LOOSE = " ,;:.!\u2014\u2013-\u2026"
_FLASHBACK_WORDS = 15
_SENTENCE_END = re.compile(r"[.!]\s+\S")
_ADDRESSED = re.compile(r"\b(?:you|your|yours)\b|\?", re.I)


def _flashback(para: list[Piece], italics: tuple[str, ...]) -> bool:
    """A paragraph whose narration is all in italics is a flashback or a memory, not a thought, when it holds
    quotations of its own (`*That summer she was seven.* "Smell that," *her grandmother said.*`) or when it is
    narration of some length, two sentences or more, asking nothing and speaking to nobody (`*Twenty years ago her
    grandmother had taken the tin down from the shelf. ...*`): its actors stay on stage for the lines after it."""
    told = [p.text for p in para if p.kind == "narration" and p.text.strip(_LOOSE)]
    if not told or not all(any(_whole(t, span, t.find(span)) for span in italics) for t in told):
        return False
    if any(p.kind != "narration" for p in para):
        return True
    text = " ".join(told)
    return (text.count(" ") + 1 >= _FLASHBACK_WORDS and _SENTENCE_END.search(text) is not None
            and _ADDRESSED.search(text) is None)


def _unspoken(para: list[Piece], italics: tuple[str, ...]) -> list[Piece]:
    """The attribution's view of a paragraph with italic stretches: in narration they are thoughts, typed
    messages or titles (`*Don't look at him,* Hinode thought.`), so their words are blanked -- a name inside
    one is nobody the narration puts on stage, and a `he` there is no antecedent. The tag outside stays. (But not
    a flashback told in italics: see `_flashback`.)"""
    if _flashback(para, italics):
        return para
    out = []
    for piece in para:
        if piece.kind == "narration":
            text = piece.text
            for span in italics:
                k = text.find(span)
                if k >= 0:
                    end = k + len(span)
                    while end < len(text) and text[end] in ",;:\u2014\u2013- ":
                        end += 1  # `*Not again*, she thought.`: the comma goes with the thought
                    rest = text[end:]
                    if rest[:1].islower() and not text[:k].strip(" .!?\u2026"):
                        rest = rest[0].upper() + rest[1:]  # the tag opens the sentence now: `She thought.`
                    text = rest if rest.strip() and not text[:k].strip() else text[:k] + " " * (end - k) + rest
            if text is not piece.text:
                piece = Piece("narration", text, piece.start, piece.continued)
        out.append(piece)
    return out


def _second_person(pieces: list[list[Piece]]) -> bool:
    """A story is told to "you" (a reader insert) when its narration says "you" often (1 word in 100) and far more
    often than "I"."""
    narration = [p.text for para in pieces for p in para if p.kind == "narration"]
    you = sum(len(_YOU.findall(t)) for t in narration)
    words = sum(t.count(" ") + 1 for t in narration)
    return you >= 5 and you * 100 >= words and you >= 3 * sum(len(_ME.findall(t)) for t in narration)


def _reader(pieces: list[list[Piece]]) -> str:
    """The name for the "you" of a second-person story: `Y/N` when the text uses it, else `You`."""
    return "Y/N" if any("Y/N" in p.text for para in pieces for p in para) else "You"


def _characters(cast, lines: Counter[int], reader: str | None = None) -> tuple[Character, ...]:
    merged: dict[str, Character] = {}
    if reader and lines[NARRATOR]:
        merged[reader] = Character(reader, (), lines.pop(NARRATOR), None)
    for pid, n in lines.most_common():
        person = cast.people[pid]
        name = cast.name(pid)
        aliases = tuple(f for f, _ in person.forms.most_common() if f != name)
        old = merged.get(name)
        if old:
            merged[name] = Character(name, old.aliases, old.lines + n, old.gender)
        else:
            merged[name] = Character(name, aliases, n, cast.gender(pid))  # type: ignore[arg-type]
    return tuple(sorted(merged.values(), key=lambda c: -c.lines))
