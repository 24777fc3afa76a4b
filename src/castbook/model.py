"""Frozen types passed between castbook's stages (load -> chapters -> segments -> casting -> audio)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Final, Literal

SCENE_BREAK: Final = ""
"""A paragraph equal to this marks a scene break inside a chapter (a pause, never speech)."""
NARRATOR_SPEAKER: Final = "Narrator"
"""The speaker of a first-person narrator's own lines (`I said`) when the story never names them: read in the
narrator's voice unless voices.yaml casts a character of that name."""

Kind = Literal["narration", "dialogue"]
Gender = Literal["male", "female"]


class Break(str, Enum):
    """What separates a segment from the one before it; assembly turns it into a pause."""

    CHAPTER = "chapter"
    """First segment of a chapter."""
    PHRASE = "phrase"
    """Same paragraph (narration <-> dialogue switch, or a split quote)."""
    PARAGRAPH = "paragraph"
    """A new paragraph."""
    SCENE = "scene"
    """A new paragraph after a scene break."""


@dataclass(frozen=True, slots=True)
class Skipped:
    """Something the loader left out of the reading, shown by `castbook inspect`."""

    what: str
    """A short label: "AO3 preface", "end notes", "Wattpad reader counts", ..."""
    reason: str
    """Why it is not read: "metadata", "site boilerplate", "author notes (--notes skip)", ..."""
    text: str = ""
    """The first words of what was skipped, for the user to check."""


@dataclass(frozen=True, slots=True)
class Chapter:
    """One chapter of a work, as the listener will hear it."""

    index: int
    """1-based position in the work."""
    title: str
    """The title the listener hears and the chapter marker shows ("Chapter 3: The Storm")."""
    paragraphs: tuple[str, ...]
    """Story paragraphs, cleaned for speech; a paragraph equal to SCENE_BREAK is a scene break."""
    notes_before: tuple[str, ...] = ()
    """Author's notes placed before the chapter (read only with --notes read)."""
    notes_after: tuple[str, ...] = ()
    """Author's notes placed after the chapter (read only with --notes read)."""

    @property
    def words(self) -> int:
        """Number of words in the story paragraphs."""
        return sum(len(p.split()) for p in self.paragraphs)


@dataclass(frozen=True, slots=True)
class Work:
    """A loaded, cleaned work: metadata plus chapters."""

    source: Path
    """The file it was read from."""
    title: str | None
    """The work's title, when the file states it."""
    author: str | None
    """The author's name, when the file states it."""
    chapters: tuple[Chapter, ...]
    """The chapters in reading order (at least one)."""
    format: str = "plain"
    """The shape detected: "ao3-txt", "ao3-html", "epub", "wattpad", "plain"."""
    summary: str | None = None
    """The work's summary (metadata; never read unless asked)."""
    fandom: tuple[str, ...] = ()
    """Fandoms (metadata)."""
    tags: tuple[str, ...] = ()
    """Tags (metadata)."""
    language: str | None = None
    """Language code when the file states it."""
    published: str | None = None
    """Publication date or year when the file states it."""
    cover: bytes | None = None
    """The work's own cover image (EPUB), encoded as in the file."""
    skipped: tuple[Skipped, ...] = ()
    """What the loader left out of the reading, and why."""
    characters: tuple[str, ...] = ()
    """The people the work's tags name (AO3 `Characters:` and the people of `Relationship:` pairings), as tagged
    ("Sam Whitlock"), without fandom disambiguation or generic tags ("Original Female Character", "Reader"):
    full-name hints for character discovery."""


@dataclass(frozen=True, slots=True)
class Segment:
    """One stretch of narration or one piece of dialogue, in reading order."""

    chapter: int
    """1-based chapter index."""
    index: int
    """0-based position within the chapter."""
    kind: Kind
    """"narration" or "dialogue"."""
    text: str
    """The words, as cleaned (speech normalisation and lexicon are applied later, in casting)."""
    speaker: str | None = None
    """Canonical character name for dialogue; None for narration and unattributed dialogue."""
    paragraph: int = 0
    """Index of the paragraph in Chapter.paragraphs this segment comes from."""
    break_before: Break = Break.PHRASE
    """What separates this segment from the previous one."""
    confidence: float = 0.0
    """How sure the attribution is, 0..1 (dialogue only)."""
    cue: str | None = None
    """How the speaker was found: "explicit", "anaphoric", "implicit" or None."""


@dataclass(frozen=True, slots=True)
class Character:
    """A character found in a work."""

    name: str
    """Canonical name (the fullest common form, e.g. "Mara Quill")."""
    aliases: tuple[str, ...] = ()
    """Other names the text uses for them ("Mara", "Miss Quill")."""
    lines: int = 0
    """Number of dialogue segments attributed to them."""
    gender: Gender | None = None
    """A hint from pronouns and honorifics, when the text gives one."""


@dataclass(frozen=True, slots=True)
class Segmented:
    """The result of segmentation and attribution of a whole work."""

    segments: tuple[Segment, ...]
    """All segments of all chapters, in reading order."""
    characters: tuple[Character, ...] = field(default=())
    """Characters found, most lines first."""


@dataclass(frozen=True, slots=True)
class Voice:
    """How one role sounds: engine, voice id and prosody."""

    engine: str = "pyttsx3"
    """Speech engine name ("pyttsx3" or "piper")."""
    voice: str = "en-us"
    """Engine voice id; for espeak-ng a language voice with an optional variant ("en-us+f3")."""
    rate: int = 175
    """Speaking rate in words per minute."""
    pitch: int = 50
    """Pitch, 0..100 (espeak-ng)."""
    volume: float = 1.0
    """Volume, 0.0..1.0."""
    model: str | None = None
    """Piper: path to a .onnx voice model."""
    speaker: int | None = None
    """Piper: speaker number in a multi-speaker model."""
    length_scale: float | None = None
    """Piper: phoneme length scale (larger is slower)."""
    noise_scale: float | None = None
    """Piper: generator noise."""
    noise_w: float | None = None
    """Piper: phoneme width noise."""

    def label(self) -> str:
        """A short human name for this voice ("en-us+f3", "piper:en_US-joe-medium")."""
        if self.engine == "pyttsx3":
            return self.voice
        return f"{self.engine}:{self.model or self.voice}"
