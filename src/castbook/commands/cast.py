"""The 'cast' command: detect a work's characters and give each a distinct voice in voices.yaml."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ..castfile import CastFile, Entry
from ..casting import FEMALE_VOICES, MALE_VOICES, auto_voices
from ..config import Config, config_paths, load_config
from ..model import Character, Segmented, Voice
from ..pipeline import read
from . import out, target_file

DISTINCT_TOP = 4
"""This many of the most frequent characters never share a voice id+variant."""


@dataclass(frozen=True, slots=True)
class Proposal:
    """One character of the work and the voice it gets (or already has)."""

    character: Character
    voice: Voice
    cast_as: str | None
    """The name it is cast under in the voices file(s); None for a new character."""
    sample: str = ""
    """One line the character says."""


def propose_cast(characters: list[Character] | tuple[Character, ...], cfg: Config) -> list[Proposal]:
    """Voices for every character, most lines first: existing cast entries kept, the rest chosen.

    New voices come from casting.auto_voices, then are made distinct: none equals the narrator's, and
    none of the DISTINCT_TOP most frequent characters shares a voice id+variant with another.
    """
    ranked = sorted(characters, key=lambda c: -c.lines)
    auto = auto_voices(ranked, cfg)
    used = {cfg.narrator.voice.casefold()}
    props: list[Proposal] = []
    for rank, ch in enumerate(ranked):
        entry = cfg.find_character(ch.name) or next(
            (e for a in ch.aliases if (e := cfg.find_character(a)) is not None), None)
        if entry is not None:
            props.append(Proposal(ch, entry.voice, entry.name))
            if rank < DISTINCT_TOP:
                used.add(entry.voice.voice.casefold())
            continue
        voice = auto.get(ch.name) or cfg.default
        must_differ = used if rank < DISTINCT_TOP else {cfg.narrator.voice.casefold()}
        if voice.voice.casefold() in must_differ:
            voice = _free_voice(voice, ch.gender, must_differ)
        if rank < DISTINCT_TOP:
            used.add(voice.voice.casefold())
        props.append(Proposal(ch, voice, None))
    return props


def _free_voice(voice: Voice, gender: str | None, taken: set[str]) -> Voice:
    """The first pool voice not in `taken`, same gender first; else a new variant of a pool voice."""
    pools = (FEMALE_VOICES + MALE_VOICES) if gender == "female" else (MALE_VOICES + FEMALE_VOICES)
    for vid, pitch in pools:
        if vid.casefold() not in taken:
            return replace(voice, voice=vid, pitch=pitch)
    letter = "f" if gender == "female" else "m"
    for n in range(1, 9):
        for vid, pitch in pools:
            cand = f"{vid.split('+')[0]}+{letter}{n}"
            if cand.casefold() not in taken:
                return replace(voice, voice=cand, pitch=pitch)
    return voice


def _samples(segmented: Segmented) -> dict[str, str]:
    """A short, typical line for each speaker: the first of 4..16 words, else the first."""
    first: dict[str, str] = {}
    good: dict[str, str] = {}
    for seg in segmented.segments:
        if seg.kind != "dialogue" or not seg.speaker:
            continue
        first.setdefault(seg.speaker, seg.text)
        if 4 <= len(seg.text.split()) <= 16:
            good.setdefault(seg.speaker, seg.text)
    return {k: good.get(k, v) for k, v in first.items()}


def _entry(p: Proposal, taken: set[str]) -> Entry:
    """What `--write` adds for a new character: voice, pitch and the aliases no one else owns."""
    aliases = tuple(a for a in p.character.aliases
                    if a.casefold() not in taken and a.casefold() != p.character.name.casefold())
    return Entry(name=p.character.name, voice=p.voice.voice, pitch=p.voice.pitch, aliases=aliases)


def cast_command(
    work: Annotated[Path, typer.Argument(help="The work: .txt, AO3 .html or .epub.", show_default=False)],
    voices: Annotated[Path | None, typer.Option("--voices", "-v", help="The voices file to read and write "
                                                "(default: ./voices.yaml).")] = None,
    write: Annotated[bool, typer.Option("--write", help="Add the new characters to the voices file "
                                        "(created if missing; comments and order are kept).")] = False,
) -> None:
    """Detect the characters of a work and propose a distinct voice for each; --write saves them.

    Characters already in the voices file (by name or alias) keep their entry. New ones get a voice by
    gender hint and frequency: the narrator's voice is never used, and the four most frequent characters
    never share a voice.

    Example: castbook cast seeds/the-lantern-keeper.txt --write
    """
    target = target_file(voices)
    paths = [p for p in config_paths(work, voices) if p.exists() or p != target]
    cfg = load_config(*paths)
    book, segmented = read(work, cfg)
    samples = _samples(segmented)
    props = propose_cast(segmented.characters, cfg)
    if not props:
        out.print(f"no characters with dialogue found in {escape(str(work))}; nothing to cast", highlight=False)
        return

    table = Table("character", "lines", "gender", "voice", "pitch", "cast", "sample line", expand=True)
    for p in props:
        sample = samples.get(p.character.name, "")
        sample = sample if len(sample) <= 60 else sample[:57] + "..."
        where = f"as {p.cast_as}" if p.cast_as and p.cast_as != p.character.name else ("kept" if p.cast_as else "new")
        table.add_row(escape(p.character.name), str(p.character.lines), p.character.gender or "",
                      escape(p.voice.label()), str(p.voice.pitch), escape(where), escape(sample))
    out.print(f"narrator: {escape(cfg.narrator.label())}", highlight=False)
    out.print(table)

    new = [p for p in props if p.cast_as is None]
    if not write:
        if new:
            out.print(f"{len(new)} new character(s); run again with --write to add them to {escape(str(target))}",
                      highlight=False)
        return
    cf = CastFile(target)
    taken = cf.names() | {n.casefold() for c in cfg.characters for n in (c.name, *c.aliases)}
    entries = []
    for p in new:
        entries.append(_entry(p, taken))
        taken |= {n.casefold() for n in (p.character.name, *entries[-1].aliases)}
    added = cf.add(entries)
    if not added and cf.original is not None:
        out.print(f"{escape(str(target))}: every character is already cast; nothing changed", highlight=False)
        return
    cf.save()
    out.print(f"{escape(str(target))}: added {len(added)} character(s): {escape(', '.join(added)) or '-'}",
              highlight=False)
