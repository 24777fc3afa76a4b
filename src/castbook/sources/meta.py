"""What every loader gathers besides chapters: work metadata, notes and skipped parts."""

from __future__ import annotations

from collections.abc import Sequence
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
