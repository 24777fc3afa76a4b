"""Split chapters into narration and dialogue segments and attribute each line of dialogue to a speaker."""

from __future__ import annotations

import logging
import re
from collections import Counter
from typing import Mapping, Sequence

from castbook.attribution.quotes import detect_style, split_paragraphs
from castbook.model import SCENE_BREAK, Break, Chapter, Character, Segment, Segmented

log = logging.getLogger(__name__)

_VERBS = r"(?:said|asked|replied|cried|answered|exclaimed|whispered|murmured|shouted|called|added|continued)"
_NAME = r"((?:(?:Mr|Mrs|Miss|Ms|Dr|Lady|Sir|Lord)\.?\s+)?[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)"
_AFTER = [re.compile(rf"^{_VERBS}\s+{_NAME}"), re.compile(rf"^{_NAME}\s+{_VERBS}\b")]
_BEFORE = re.compile(rf"{_NAME}\s+{_VERBS}\b[^.!?]*[,:]?$")
_NOT_NAMES = frozenset("I He She It They We You The A An But And Then".split())


def segment_work(chapters: Sequence[Chapter], hints: Mapping[str, Sequence[str]] | None = None) -> Segmented:
    """Split every chapter into narration and dialogue segments and attribute each line of dialogue."""
    alias = {a.casefold(): name for name, aliases in (hints or {}).items() for a in (name, *aliases)}
    marks = detect_style(p for c in chapters for p in c.paragraphs)
    segments: list[Segment] = []
    lines: Counter[str] = Counter()
    for chapter in chapters:
        index = 0
        brk = Break.CHAPTER
        for pi, pieces in enumerate(split_paragraphs(chapter.paragraphs, marks)):
            if chapter.paragraphs[pi] == SCENE_BREAK:
                if brk is not Break.CHAPTER:
                    brk = Break.SCENE
                continue
            speaker = None
            for k, piece in enumerate(pieces):
                if piece.kind != "narration":
                    continue
                name = None
                if k > 0 and pieces[k - 1].kind == "dialogue":
                    for rx in _AFTER:
                        m = rx.match(piece.text)
                        if m:
                            name = m.group(1)
                            break
                if name is None and k + 1 < len(pieces):
                    m = _BEFORE.search(piece.text)
                    if m:
                        name = m.group(1)
                if name and name.split()[0] not in _NOT_NAMES:
                    speaker = alias.get(name.casefold(), name)
                    break
            for piece in pieces:
                is_dialogue = piece.kind == "dialogue"
                who = speaker if is_dialogue else None
                if who:
                    lines[who] += 1
                segments.append(
                    Segment(
                        chapter=chapter.index,
                        index=index,
                        kind=piece.kind,  # type: ignore[arg-type]
                        text=piece.text,
                        speaker=who,
                        paragraph=pi,
                        break_before=brk,
                        confidence=0.9 if who else 0.0,
                        cue="explicit" if who else None,
                    )
                )
                index += 1
                brk = Break.PHRASE
            if brk is Break.PHRASE or index == 0:
                brk = Break.PARAGRAPH if index else brk
    characters = tuple(Character(name=n, lines=c) for n, c in lines.most_common())
    return Segmented(segments=tuple(segments), characters=characters)
