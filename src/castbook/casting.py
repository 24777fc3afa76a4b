"""Give every segment a voice: cast entries, aliases, automatic voices, lexicon and overrides."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from .config import Config, Override
from .model import NARRATOR_SPEAKER, Break, Character, Segment, Voice
from .normalize import speakable

log = logging.getLogger(__name__)

LineKind = Literal["narration", "dialogue", "title", "heading", "notes"]

# Distinct espeak-ng voices for automatic casting, most distinct first within each gender:
# an accent (language voice), a variant (formants) and a pitch, so no two neighbours sound alike.
FEMALE_VOICES: tuple[tuple[str, int], ...] = (
    ("en-us+f3", 55), ("en-gb+f2", 62), ("en-gb-x-rp+f4", 48), ("en-us+f5", 66),
    ("en-029+f1", 52), ("en-gb-scotland+f3", 60),
)
MALE_VOICES: tuple[tuple[str, int], ...] = (
    ("en-gb+m3", 40), ("en-us+m7", 34), ("en-gb-scotland+m1", 46), ("en-gb-x-rp+m4", 38),
    ("en-us+m6", 44), ("en-029+m2", 36),
)


@dataclass(frozen=True, slots=True)
class Line:
    """One thing to speak, with its voice: a segment, the title card or a chapter heading."""

    chapter: int
    """1-based chapter index."""
    kind: LineKind
    """What the line is; title/heading/notes are read by the narrator."""
    text: str
    """The words as written (for captions and the segment view)."""
    speech: str
    """The words as given to the engine: normalised for speech, lexicon applied."""
    voice: Voice
    """The voice that speaks it."""
    role: str
    """"narrator", "default" or the character's name."""
    break_before: Break
    """What separates it from the previous line (decides the pause)."""
    speaker: str | None = None
    """The attributed speaker for dialogue (None when unknown)."""
    segment: Segment | None = None
    """The segment it came from (None for title card and headings)."""


def auto_voices(characters: Sequence[Character], cfg: Config) -> dict[str, Voice]:
    """Voices for characters the config does not cast: distinct, unlike the narrator, by gender hint.

    Characters are taken most lines first, so the most frequent get the most distinct voices.
    """
    taken = {cfg.narrator.voice, cfg.default.voice} | {c.voice.voice for c in cfg.characters}
    pools = {"female": [v for v in FEMALE_VOICES if v[0] not in taken],
             "male": [v for v in MALE_VOICES if v[0] not in taken]}
    used = {"female": 0, "male": 0}
    out: dict[str, Voice] = {}
    turn = 0
    for ch in sorted(characters, key=lambda c: -c.lines):
        if cfg.find_character(ch.name) or any(cfg.find_character(a) for a in ch.aliases) or ch.name == NARRATOR_SPEAKER:
            continue
        gender = ch.gender
        if gender is None:  # no hint: alternate, so neighbours in rank differ
            gender = "female" if turn % 2 else "male"
            turn += 1
        pool = pools[gender] or pools["male" if gender == "female" else "female"]
        if not pool:
            break
        voice_id, pitch = pool[used[gender] % len(pool)]
        used[gender] += 1
        out[ch.name] = replace(cfg.narrator, engine="pyttsx3", voice=voice_id, pitch=pitch, model=None)
    return out


def cast(segments: Iterable[Segment], characters: Sequence[Character], cfg: Config,
         extra_voices: dict[str, Voice] | None = None) -> list[Line]:
    """Turn segments into voiced Lines: overrides, then cast entry, automatic voice or default."""
    voices = dict(extra_voices if extra_voices is not None else auto_voices(characters, cfg))
    alias_of = {a.casefold(): ch.name for ch in characters for a in (ch.name, *ch.aliases)}
    lexicon = compile_lexicon(cfg.lexicon)
    lines: list[Line] = []
    for seg in segments:
        kind, speaker = seg.kind, seg.speaker
        fix = _override_for(seg, cfg.overrides)
        if fix is not None:
            kind, speaker = ("narration", None) if fix.narration else ("dialogue", fix.speaker)
        role, voice = _voice_for(kind, speaker, cfg, voices, alias_of)
        lines.append(Line(chapter=seg.chapter, kind=kind, text=seg.text,
                          speech=apply_lexicon(speakable(seg.text), lexicon), voice=voice, role=role,
                          break_before=seg.break_before, speaker=speaker if kind == "dialogue" else None,
                          segment=seg))
    return lines


def narrator_line(chapter: int, kind: LineKind, text: str, cfg: Config, brk: Break) -> Line:
    """A line the narrator reads that is not part of the story (title card, heading, notes)."""
    speech = apply_lexicon(speakable(text), compile_lexicon(cfg.lexicon))
    return Line(chapter=chapter, kind=kind, text=text, speech=speech, voice=cfg.narrator,
                role="narrator", break_before=brk)


def _voice_for(kind: str, speaker: str | None, cfg: Config, voices: dict[str, Voice],
               alias_of: dict[str, str]) -> tuple[str, Voice]:
    if kind != "dialogue":
        return "narrator", cfg.narrator
    if speaker is None:
        return "default", cfg.default
    entry = cfg.find_character(speaker)
    if entry is None:
        canonical = alias_of.get(speaker.casefold())
        entry = cfg.find_character(canonical) if canonical else None
    if entry is not None:
        return entry.name, entry.voice
    if speaker == NARRATOR_SPEAKER:
        return "narrator", cfg.narrator  # an unnamed "I" speaks in the voice that tells the story
    canonical = alias_of.get(speaker.casefold(), speaker)
    if canonical in voices:
        return canonical, voices[canonical]
    return "default", cfg.default


# ---------------------------------------------------------------- overrides


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[\"“”‘’'«»]", "", text)
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def _override_for(seg: Segment, overrides: Sequence[Override]) -> Override | None:
    if not overrides:
        return None
    body = _fold(seg.text)
    for fix in overrides:
        if fix.chapter is not None and fix.chapter != seg.chapter:
            continue
        start = _fold(fix.starts_with)
        if start and body.startswith(start):
            return fix
    return None


# ---------------------------------------------------------------- lexicon


def compile_lexicon(entries: Iterable[tuple[str, str]]) -> list[tuple[re.Pattern[str], str]]:
    """Whole-word patterns; an all-lowercase entry matches any case, otherwise the case as written."""
    out = []
    for written, spoken in entries:
        flags = re.IGNORECASE if written == written.lower() else 0
        out.append((re.compile(rf"(?<!\w){re.escape(written)}(?!\w)", flags), spoken))
    return out


def apply_lexicon(text: str, lexicon: Sequence[tuple[re.Pattern[str], str]]) -> str:
    """Replace every lexicon word in `text` with its spoken form."""
    for pattern, spoken in lexicon:
        text = pattern.sub(spoken, text)
    return text
