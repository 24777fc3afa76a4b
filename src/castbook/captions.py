"""Timed captions -> WebVTT and SRT text, one readable cue per sentence. Pure: no I/O."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

MIN_CUE_MS: Final = 300
"""A cue shorter than this is merged into its neighbour: nobody can read it."""
MAX_CUE_CHARS: Final = 160
"""A sentence longer than this is split at a clause or word boundary into several cues."""

# A sentence ends at . ! ? or an ellipsis, then maybe closing quotes/brackets, then space, then
# something that opens a sentence (capital, digit, opening quote or bracket).
_SENTENCE_END = re.compile(r"""[.!?\u2026]+["'\u201d\u2019)\]]*\s+(?=["'\u201c\u2018(\[]?[A-Z0-9\u00c0-\u00de])""")
# Words whose trailing full stop rarely ends a sentence ("Mr. Quill", "St. Ives").
_ABBREVIATIONS: Final = frozenset(
    ["mr", "mrs", "ms", "dr", "st", "prof", "sr", "jr", "mt", "capt", "col", "gen", "lt", "sgt", "rev", "hon", "vs", "fr"])
_CLAUSE_END = re.compile(r"[,;:\u2014\u2013]\s+|\s+[\u2014\u2013]\s+")
_SPACES = re.compile(r"\s+")
_ARROW = re.compile(r"-{2,}>")


@dataclass(frozen=True, slots=True)
class Caption:
    """A stretch of text and when it is heard, in book time."""

    start_ms: int
    """When the words start, from the start of the audiobook."""
    end_ms: int
    """When they end (greater than start_ms)."""
    speaker: str | None
    """Who speaks them (a character's name); None for narration."""
    text: str
    """The words, as written."""


def _sentences(text: str) -> list[str]:
    """Split text into sentences, keeping abbreviations and initials inside their sentence."""
    pieces: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        words = text[start:m.start() + 1].split()
        last = words[-1].rstrip(".").lower() if words else ""
        if text[m.start()] == "." and (last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())):
            continue
        pieces.append(text[start:m.end()].strip())
        start = m.end()
    pieces.append(text[start:].strip())
    return [p for p in pieces if p]


def _split_long(sentence: str, max_chars: int) -> list[str]:
    """Cut a long sentence into parts of at most max_chars, at a clause end when one is near."""
    parts: list[str] = []
    while len(sentence) > max_chars:
        head = sentence[:max_chars + 1]
        cut = max((m.end() for m in _CLAUSE_END.finditer(head) if m.end() >= max_chars // 2), default=0)
        if not cut:
            cut = head.rfind(" ") + 1
        if cut <= 0:  # one enormous word: cut it where it is too long
            cut = max_chars
        parts.append(sentence[:cut].strip())
        sentence = sentence[cut:].strip()
    if sentence:
        parts.append(sentence)
    return parts


def split_sentences(caption: Caption, min_ms: int = MIN_CUE_MS,
                    max_chars: int = MAX_CUE_CHARS) -> list[Caption]:
    """One caption per sentence, its time shared out in proportion to characters.

    Pieces that would be shorter than min_ms are merged with a neighbour, so a caption that is short
    overall stays whole. Sentences longer than max_chars are split at a clause or word boundary.
    """
    text = _SPACES.sub(" ", caption.text).strip()
    pieces = [part for s in _sentences(text) for part in _split_long(s, max_chars)]
    duration = caption.end_ms - caption.start_ms
    if len(pieces) <= 1 or duration < 2 * min_ms:
        return [Caption(caption.start_ms, caption.end_ms, caption.speaker, text)]
    total = sum(len(p) for p in pieces)
    spans: list[tuple[str, int, int]] = []
    done = 0
    for piece in pieces:
        start = caption.start_ms + duration * done // total
        done += len(piece)
        spans.append((piece, start, caption.start_ms + duration * done // total))
    merged: list[tuple[str, int, int]] = []
    for piece, start, end in spans:
        if merged and merged[-1][2] - merged[-1][1] < min_ms:
            text_before, start_before, _ = merged.pop()
            piece, start = f"{text_before} {piece}", start_before
        merged.append((piece, start, end))
    if len(merged) > 1 and merged[-1][2] - merged[-1][1] < min_ms:
        last, before = merged.pop(), merged.pop()
        merged.append((f"{before[0]} {last[0]}", before[1], last[2]))
    return [Caption(start, end, caption.speaker, piece) for piece, start, end in merged]


def _tidy(captions: Iterable[Caption]) -> list[Caption]:
    """Captions in time order, text on one line, none overlapping the one before, none empty."""
    out: list[Caption] = []
    for cap in sorted(captions, key=lambda c: (c.start_ms, c.end_ms)):
        text = _SPACES.sub(" ", cap.text).strip()
        # a speaker ending in "--" would close the voice tag as "-->", which ends a WebVTT cue
        speaker = _SPACES.sub(" ", cap.speaker).strip().rstrip("-").strip() if cap.speaker else None
        start = max(cap.start_ms, out[-1].end_ms if out else 0, 0)
        if text and cap.end_ms > start:
            out.append(Caption(start, cap.end_ms, speaker or None, text))
    return out


def _clock(ms: int, sep: str) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{sep}{millis:03d}"


def _escape_vtt(text: str) -> str:
    # Escaping ">" also breaks up any "-->" in the text.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(captions: Sequence[Caption]) -> str:
    """A WebVTT document: one cue per caption, the speaker as a voice tag (<v Mara>...</v>)."""
    blocks = ["WEBVTT"]
    for cap in _tidy(captions):
        text = _escape_vtt(cap.text)
        if cap.speaker:
            text = f"<v {_escape_vtt(cap.speaker)}>{text}</v>"
        blocks.append(f"{_clock(cap.start_ms, '.')} --> {_clock(cap.end_ms, '.')}\n{text}")
    return "\n\n".join(blocks) + "\n"


def to_srt(captions: Sequence[Caption]) -> str:
    """A SubRip document: numbered cues, the speaker as a "Mara: " prefix."""
    blocks = []
    for number, cap in enumerate(_tidy(captions), 1):
        text = f"{cap.speaker}: {cap.text}" if cap.speaker else cap.text
        text = _ARROW.sub("->", text)
        blocks.append(f"{number}\n{_clock(cap.start_ms, ',')} --> {_clock(cap.end_ms, ',')}\n{text}")
    return "\n\n".join(blocks) + ("\n" if blocks else "")
