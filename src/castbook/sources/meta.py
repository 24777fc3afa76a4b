"""What every loader gathers besides chapters: work metadata, notes and skipped parts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from castbook.model import Chapter, Skipped


@dataclass(slots=True)
class Meta:
    """Work metadata gathered from a preface, header or title page, filled in while loading."""

    title: str | None = None
    author: str | None = None
    summary: str | None = None
    fandom: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    characters: tuple[str, ...] = ()
    """People named by the character and relationship tags (see `tagged_people`)."""
    language: str | None = None
    published: str | None = None
    notes: list[str] = field(default_factory=list)
    """Work-level notes read before the first chapter (with --notes read)."""
    end_notes: list[str] = field(default_factory=list)
    """Work-level notes read after the last chapter (with --notes read)."""
    skipped: list[Skipped] = field(default_factory=list)
    """What was left out of the reading, and why."""


def attach_work_notes(chapters: tuple[Chapter, ...], before: Sequence[str], after: Sequence[str]
                      ) -> tuple[Chapter, ...]:
    """Work notes go before the first chapter; end notes after the last."""
    if not chapters or (not before and not after):
        return chapters
    out = list(chapters)
    c = out[0]
    out[0] = Chapter(c.index, c.title, c.paragraphs, tuple(before) + c.notes_before, c.notes_after)
    c = out[-1]
    out[-1] = Chapter(c.index, c.title, c.paragraphs, c.notes_before, c.notes_after + tuple(after))
    return tuple(out)


_GENERIC = re.compile(
    r"(?:original|other|minor|background|unnamed|various|multiple)(?: (?:female|male|non-binary|nonbinary|nb))?"
    r"(?: (?:original|minor|background))?(?: characters?\(?s?\)?)?s?"
    r"|(?:the )?reader|you|y/n|oc|ocs|everyone|everybody|ensemble|cast|original character\(s\)"
    r"|.*\b(?:characters?|friends?|family|team|crew|squad|members?|ensemble)\b.*", re.I)
"""Tags that name no one in particular: "Original Female Character(s)", "Reader", "You", "Ensemble", "Hockey Team"."""


def tagged_people(characters: Iterable[str], relationships: Iterable[str] = ()) -> tuple[str, ...]:
    """The people of a work's character tags, then those of its relationship tags (`A/B`, `A & B`), once each:
    AO3's fandom disambiguation dropped (`VESTA (Meridian Drift)` -> `VESTA`), generic tags left out."""
    out: dict[str, None] = {}
    names = list(characters) + [p for r in relationships for p in re.split(r"\s*/\s*|\s+&\s+", r)]
    for name in names:
        name = re.sub(r"\s*\([^()]*\)", "", name).split(" | ")[0]
        name = " ".join(name.split()).strip(" ,;")
        if name and not _GENERIC.fullmatch(name) and any(c.isupper() for c in name[:1]):
            out.setdefault(name)
    return tuple(out)
