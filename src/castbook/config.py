"""voices.yaml + shipped defaults.yaml -> a checked Config; every error names file, line and key path."""

from __future__ import annotations

import difflib
import reprlib
import string
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

from .errors import CastbookError, ConfigError
from .model import Voice

log = logging.getLogger(__name__)

_MAX_BYTES = 1024 * 1024

VOICE_KEYS = ("engine", "voice", "rate", "pitch", "volume", "model", "speaker", "length_scale",
              "noise_scale", "noise_w")
CHARACTER_KEYS = VOICE_KEYS + ("aliases",)
PAUSE_KEYS = ("phrase", "paragraph", "turn", "scene", "chapter", "title", "end")
READING_KEYS = ("title_card", "announce_chapters", "notes")
AUDIO_KEYS = ("loudness", "true_peak")
OVERRIDE_KEYS = ("chapter", "starts_with", "speaker", "narration")
TOP_KEYS = ("narrator", "default", "characters", "lexicon", "overrides", "pauses", "reading", "audio")
ENGINES = ("pyttsx3", "piper")


@dataclass(frozen=True, slots=True)
class CharacterCast:
    """A character's entry in voices.yaml."""

    name: str
    """Canonical name, as the key in `characters:`."""
    voice: Voice
    """The voice the character speaks with."""
    aliases: tuple[str, ...] = ()
    """Other names that map to this character."""


@dataclass(frozen=True, slots=True)
class Override:
    """A hand fix of one line's attribution."""

    starts_with: str
    """The line's opening words, as shown by `castbook segment`."""
    chapter: int | None = None
    """1-based chapter the line is in; None matches any chapter."""
    speaker: str | None = None
    """The character who says it; None with narration=True reads it as narration."""
    narration: bool = False
    """Read the line in the narrator's voice."""


@dataclass(frozen=True, slots=True)
class Pauses:
    """Silences inserted by structure, in milliseconds."""

    phrase_ms: int = 250
    paragraph_ms: int = 650
    turn_ms: int = 450
    scene_ms: int = 1600
    chapter_ms: int = 1200
    title_ms: int = 1000
    end_ms: int = 1500


@dataclass(frozen=True, slots=True)
class Reading:
    """What is read besides the story."""

    title_card: str = "{title}, by {author}."
    """Spoken at the start of chapter 1 ("" for none); {title} and {author} are filled in."""
    announce_chapters: bool = True
    """Speak each chapter's title at its start."""
    notes: Literal["skip", "read"] = "skip"
    """Whether author's notes are read."""


@dataclass(frozen=True, slots=True)
class Audio:
    """Loudness of the finished audio."""

    loudness_lufs: float | None = -18.0
    """Integrated loudness every voice is brought to (EBU R128), LUFS; None: leave the engines' levels."""
    true_peak_db: float = -1.5
    """Ceiling for true peaks, dBTP (applied with the loudness target)."""


@dataclass(frozen=True, slots=True)
class Config:
    """The whole cast and reading settings."""

    narrator: Voice = field(default_factory=Voice)
    default: Voice = field(default_factory=lambda: Voice(voice="en-gb+m2", pitch=45))
    characters: tuple[CharacterCast, ...] = ()
    lexicon: tuple[tuple[str, str], ...] = ()
    overrides: tuple[Override, ...] = ()
    pauses: Pauses = field(default_factory=Pauses)
    reading: Reading = field(default_factory=Reading)
    sources: tuple[Path, ...] = ()
    """The voices.yaml files laid over the defaults, in order."""
    audio: Audio = field(default_factory=Audio)
    """Loudness target and peak ceiling."""

    def hints(self) -> dict[str, list[str]]:
        """Known characters for the segmenter: canonical name -> aliases."""
        return {c.name: list(c.aliases) for c in self.characters}

    def find_character(self, name: str) -> CharacterCast | None:
        """The cast entry whose name or alias is `name` (case-insensitive)."""
        key = name.casefold()
        for c in self.characters:
            if c.name.casefold() == key or any(a.casefold() == key for a in c.aliases):
                return c
        return None


# ---------------------------------------------------------------- reading files


class _Doc:
    """A parsed YAML document plus the line of every key path, for messages."""

    def __init__(self, path: Path | None, data: Any, lines: dict[tuple[str, ...], int]):
        self.path = path
        self.data = data
        self.lines = lines

    def where(self, keypath: tuple[str, ...]) -> str:
        name = str(self.path) if self.path else "<defaults>"
        probe = keypath
        while probe and probe not in self.lines:
            probe = probe[:-1]
        line = self.lines.get(probe)
        return f"{name}:{line}" if line else name


def _line_map(node: yaml.Node | None, prefix: tuple[str, ...] = (), seen: set[int] | None = None,
              dups: list[tuple[tuple[str, ...], int, int]] | None = None) -> dict[tuple[str, ...], int]:
    """The line of every key path. A node reached again through a YAML alias is not walked twice (nested
    aliases would otherwise make millions of paths), and keys given twice in one mapping go to `dups`."""
    out: dict[tuple[str, ...], int] = {}
    seen = set() if seen is None else seen
    if node is None or id(node) in seen:
        return out
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for knode, vnode in node.value:
            key = prefix + (str(knode.value),)
            if key in out and dups is not None and knode.tag != "tag:yaml.org,2002:merge":
                dups.append((key, out[key], knode.start_mark.line + 1))
            out[key] = knode.start_mark.line + 1
            out.update(_line_map(vnode, key, seen, dups))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            key = prefix + (str(i),)
            out[key] = item.start_mark.line + 1
            out.update(_line_map(item, key, seen, dups))
    return out


def _read_yaml(path: Path) -> _Doc:
    if not path.exists():
        raise ConfigError(f"{path}: no such voices file; check the path given to --voices")
    if path.is_dir():
        raise ConfigError(f"{path}: is a directory, not a voices.yaml file")
    if not path.is_file():  # a FIFO or a device would block the read forever
        raise ConfigError(f"{path}: not a regular file; give the path of a voices.yaml file")
    try:
        if path.stat().st_size > _MAX_BYTES:
            raise ConfigError(f"{path}: larger than 1 MB; this is not a voices.yaml file")
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; save the voices file as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it ({exc.strerror}); check its permissions") from None
    return _parse_yaml(text, path)


def _parse_yaml(text: str, path: Path | None) -> _Doc:
    name = str(path) if path else "<defaults>"
    try:
        data = yaml.safe_load(text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise ConfigError(f"{name}:{line}: YAML tag not allowed ({exc.problem}); use plain values") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{name}{line}: YAML syntax error: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{name}: expected a mapping of settings (narrator:, characters:, ...) at the top")
    dups: list[tuple[tuple[str, ...], int, int]] = []
    lines = _line_map(node, dups=dups)
    if dups:
        keypath, first, line = dups[0]
        raise ConfigError(f"{name}:{line}: {'.'.join(keypath)}: given twice (first on line {first}); "
                          "keep one of them")
    return _Doc(path, data, lines)


def _defaults_doc() -> _Doc:
    text = resources.files("castbook").joinpath("defaults.yaml").read_text(encoding="utf-8")
    return _parse_yaml(text, None)


# ---------------------------------------------------------------- checking


def _short(value: Any) -> str:
    """A value for a message: its repr, cut short (a YAML alias bomb must not print millions of items)."""
    short = reprlib.Repr()  # keyword arguments need Python 3.12
    short.maxlevel, short.maxlist, short.maxdict, short.maxstring, short.maxother = 2, 4, 4, 60, 60
    return short.repr(value)


def _unknown(doc: _Doc, keypath: tuple[str, ...], key: str, allowed: Iterable[str]) -> ConfigError:
    dotted = ".".join(keypath + (key,))
    near = difflib.get_close_matches(key, list(allowed), n=1)
    hint = f"; did you mean '{near[0]}'?" if near else f"; allowed: {', '.join(allowed)}"
    return ConfigError(f"{doc.where(keypath + (key,))}: {dotted}: unknown key{hint}")


def _mapping(doc: _Doc, value: Any, keypath: tuple[str, ...], allowed: Iterable[str] | None) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{doc.where(keypath)}: {'.'.join(keypath)}: expected a mapping (key: value lines)")
    if allowed is not None:
        allowed = tuple(allowed)
        for key in value:
            if str(key) not in allowed:
                raise _unknown(doc, keypath, str(key), allowed)
    return value


def _typed(doc: _Doc, value: Any, keypath: tuple[str, ...], kind: type, lo: float | None = None,
           hi: float | None = None) -> Any:
    dotted = ".".join(keypath)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if kind is int and isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        names = {int: "a whole number", float: "a number", str: "text", bool: "true or false"}
        raise ConfigError(f"{doc.where(keypath)}: {dotted}: expected {names[kind]}, got {_short(value)}")
    if lo is not None and value < lo or hi is not None and value > hi:
        raise ConfigError(f"{doc.where(keypath)}: {dotted}: {value} is out of range {lo}..{hi}")
    return value


def _voice(doc: _Doc, raw: Any, keypath: tuple[str, ...], base: Voice, allowed=VOICE_KEYS) -> Voice:
    raw = _mapping(doc, raw, keypath, allowed)
    changes: dict[str, Any] = {}
    for key, value in raw.items():
        kp = keypath + (key,)
        if key == "aliases":
            continue
        if key == "engine":
            value = _typed(doc, value, kp, str)
            if value not in ENGINES:
                raise ConfigError(f"{doc.where(kp)}: {'.'.join(kp)}: unknown engine {value!r}; "
                                  f"use one of: {', '.join(ENGINES)}")
        elif key in ("voice", "model"):
            value = _typed(doc, value, kp, str).strip()
            if not value:
                raise ConfigError(f"{doc.where(kp)}: {'.'.join(kp)}: must not be empty")
            if key == "model" and doc.path is not None:  # relative to the voices file, like any path in it
                value = str(doc.path.parent / Path(value).expanduser())
        elif key == "rate":
            value = _typed(doc, value, kp, int, 40, 600)
        elif key == "pitch":
            value = _typed(doc, value, kp, int, 0, 100)
        elif key == "volume":
            value = _typed(doc, value, kp, float, 0.0, 1.0)
        elif key == "speaker":
            value = _typed(doc, value, kp, int, 0, 10_000)
        else:
            value = _typed(doc, value, kp, float, 0.0, 10.0)
        changes[key] = value
    if "voice" in changes and "model" not in changes:  # a voice named here replaces an inherited model
        changes["model"] = None
    return replace(base, **changes)


def _apply(doc: _Doc, cfg: Config) -> Config:
    data = _mapping(doc, doc.data, (), TOP_KEYS)
    narrator = _voice(doc, data.get("narrator"), ("narrator",), cfg.narrator)
    default = _voice(doc, data.get("default"), ("default",), cfg.default)

    chars = {c.name: c for c in cfg.characters}
    for name, raw in _mapping(doc, data.get("characters"), ("characters",), None).items():
        kp = ("characters", str(name))
        if isinstance(raw, str):  # short form: `Mara: en-us+f3`
            raw = {"voice": raw}
        raw = _mapping(doc, raw, kp, CHARACTER_KEYS)
        prev = chars.get(str(name))
        if prev is None and "voice" not in raw and "model" not in raw:
            raise ConfigError(f"{doc.where(kp)}: {'.'.join(kp)}: needs a voice (e.g. voice: en-us+f3)")
        base = prev.voice if prev else narrator
        voice = _voice(doc, raw, kp, base, CHARACTER_KEYS)
        aliases = prev.aliases if prev else ()
        if "aliases" in raw:
            al = raw["aliases"]
            if isinstance(al, str):
                al = [al]
            if not isinstance(al, list) or not all(isinstance(a, str | int) for a in al):
                raise ConfigError(f"{doc.where(kp + ('aliases',))}: {'.'.join(kp)}.aliases: expected a list of names")
            aliases = tuple(str(a).strip() for a in al if str(a).strip())
        chars[str(name)] = CharacterCast(str(name), voice, aliases)
    _check_aliases(doc, list(chars.values()))

    lexicon = dict(cfg.lexicon)
    for word, spoken in _mapping(doc, data.get("lexicon"), ("lexicon",), None).items():
        kp = ("lexicon", str(word))
        lexicon[str(word)] = str(_typed(doc, spoken, kp, str)) if not isinstance(spoken, int | float) else str(spoken)

    overrides = list(cfg.overrides)
    raw_over = data.get("overrides") or []
    if not isinstance(raw_over, list):
        raise ConfigError(f"{doc.where(('overrides',))}: overrides: expected a list of entries (- starts_with: ...)")
    for i, raw in enumerate(raw_over):
        kp = ("overrides", str(i))
        raw = _mapping(doc, raw, kp, OVERRIDE_KEYS)
        if "starts_with" not in raw:
            raise ConfigError(f"{doc.where(kp)}: overrides.{i}: needs starts_with (the line's opening words)")
        narration = bool(_typed(doc, raw.get("narration", False), kp + ("narration",), bool))
        speaker = raw.get("speaker")
        if speaker is None and not narration:
            raise ConfigError(f"{doc.where(kp)}: overrides.{i}: give a speaker, or narration: true")
        overrides.append(Override(
            starts_with=str(_typed(doc, raw["starts_with"], kp + ("starts_with",), str)),
            chapter=_typed(doc, raw["chapter"], kp + ("chapter",), int, 1) if "chapter" in raw else None,
            speaker=str(speaker) if speaker is not None else None,
            narration=narration,
        ))

    pauses = cfg.pauses
    praw = _mapping(doc, data.get("pauses"), ("pauses",), PAUSE_KEYS)
    pauses = replace(pauses, **{f"{k}_ms": _typed(doc, v, ("pauses", k), int, 0, 60_000) for k, v in praw.items()})

    reading = cfg.reading
    rraw = _mapping(doc, data.get("reading"), ("reading",), READING_KEYS)
    rchanges: dict[str, Any] = {}
    if "title_card" in rraw:
        tc = rraw["title_card"]
        rchanges["title_card"] = "" if tc in (None, False) else _typed(doc, tc, ("reading", "title_card"), str)
        _check_template(doc, rchanges["title_card"])
    if "announce_chapters" in rraw:
        rchanges["announce_chapters"] = _typed(doc, rraw["announce_chapters"], ("reading", "announce_chapters"), bool)
    if "notes" in rraw:
        notes = rraw["notes"]
        if notes not in ("skip", "read"):
            raise ConfigError(f"{doc.where(('reading', 'notes'))}: reading.notes: expected skip or read, "
                              f"got {_short(notes)}")
        rchanges["notes"] = notes
    reading = replace(reading, **rchanges)

    audio = cfg.audio
    araw = _mapping(doc, data.get("audio"), ("audio",), AUDIO_KEYS)
    if "loudness" in araw:
        value = araw["loudness"]
        audio = replace(audio, loudness_lufs=None if value in ("off", False, None) else
                        _typed(doc, value, ("audio", "loudness"), float, -40.0, -5.0))
    if "true_peak" in araw:
        audio = replace(audio, true_peak_db=_typed(doc, araw["true_peak"], ("audio", "true_peak"), float, -12.0, 0.0))

    sources = cfg.sources + ((doc.path,) if doc.path else ())
    return Config(narrator, default, tuple(chars.values()), tuple(lexicon.items()), tuple(overrides),
                  pauses, reading, sources, audio)


def _check_template(doc: _Doc, template: str) -> None:
    """Only {title} and {author}, as they are: no attributes, indexes or widths (`{title:>999999999}`)."""
    kp = ("reading", "title_card")
    try:
        fields = [(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(template)
                  if name is not None]
    except ValueError as exc:
        raise ConfigError(f"{doc.where(kp)}: reading.title_card: {exc}; write {{title}} and {{author}}, "
                          "and {{ }} for a brace") from None
    for name, spec, conv in fields:
        if name not in ("title", "author"):
            raise ConfigError(f"{doc.where(kp)}: reading.title_card: unknown field {{{name}}}; "
                              "use {title} and {author} only")
        if spec or conv:
            raise ConfigError(f"{doc.where(kp)}: reading.title_card: {{{name}}} takes no format or conversion; "
                              f"write {{{name}}}")


def _check_aliases(doc: _Doc, chars: list[CharacterCast]) -> None:
    owner: dict[str, str] = {}
    for c in chars:
        for name in (c.name, *c.aliases):
            key = name.casefold()
            if key in owner and owner[key] != c.name:
                kp = ("characters", c.name, "aliases")
                raise ConfigError(f"{doc.where(kp)}: characters.{c.name}.aliases: '{name}' is already a name "
                                  f"of {owner[key]}; an alias can belong to one character only")
            owner[key] = c.name


# ---------------------------------------------------------------- public


def load_config(*paths: Path | None) -> Config:
    """Lay each voices.yaml in `paths` (None entries skipped) over the shipped defaults."""
    cfg = _apply(_defaults_doc(), Config())
    cfg = replace(cfg, sources=())
    for path in paths:
        if path is not None:
            cfg = _apply(_read_yaml(Path(path)), cfg)
    return cfg


def config_paths(work: Path | None, voices: Path | None, cwd: Path | None = None) -> list[Path]:
    """The voices files that apply: --voices (else ./voices.yaml), then <work>.voices.yaml beside the work."""
    paths: list[Path] = []
    if voices is not None:
        paths.append(voices)
    else:
        local = (cwd or Path.cwd()) / "voices.yaml"
        if local.is_file():
            paths.append(local)
    if work is not None:
        own = work_voices_path(work)
        if own.is_file():
            paths.append(own)
    return paths


def work_voices_path(work: Path) -> Path:
    """The per-work cast file beside a work: story.txt -> story.voices.yaml."""
    return work.with_name(work.stem + ".voices.yaml")


def check_voices(cfg: Config, available: Mapping[str, Iterable[str]],
                 checks: Mapping[str, Callable[[Voice], object]] | None = None) -> None:
    """Raise ConfigError for a voice id the engine does not have, naming the nearest ids.

    `available` maps engine name -> the voice ids it accepts (variants included as "id+variant").
    `checks` maps engine name -> a function that checks a whole voice (e.g. a Piper model's files) and
    raises a CastbookError; its message is prefixed with the file, line and key path.
    """
    roles: list[tuple[str, Voice]] = [("narrator", cfg.narrator), ("default", cfg.default)]
    roles += [(f"characters.{c.name}", c.voice) for c in cfg.characters]
    available = {k: list(v) for k, v in available.items()}
    for role, voice in roles:
        check = (checks or {}).get(voice.engine)
        if check is not None:
            try:
                check(voice)
            except CastbookError as exc:
                key = "model" if voice.model else "voice"
                where = _where_in_sources(cfg, tuple(role.split(".", 1)) + (key,))
                hint = ""
                if not voice.model and voice_known(voice.voice, available.get("pyttsx3", ())):
                    hint = f"; '{voice.voice}' is an espeak-ng voice: add `engine: pyttsx3` to this entry"
                raise ConfigError(f"{where}{role}.{key}: {exc}{hint}") from None
            continue
        ids = available.get(voice.engine)
        if ids is None or voice.model:
            continue
        ids = list(ids)
        if voice_known(voice.voice, ids):
            continue
        near = difflib.get_close_matches(voice.voice, ids, n=3, cutoff=0.5)
        hint = f"; nearest: {', '.join(near)}" if near else "; see `castbook voices list`"
        where = _where_in_sources(cfg, tuple(role.split(".", 1)) + ("voice",))
        raise ConfigError(f"{where}{role}.voice: unknown {voice.engine} voice '{voice.voice}'{hint}")


def voice_known(voice_id: str, ids: Iterable[str]) -> bool:
    """True when `voice_id` (with an optional +variant) names an available voice."""
    idset = {i.casefold() for i in ids}
    vid = voice_id.casefold()
    if vid in idset:
        return True
    base, _, variant = vid.partition("+")
    if base not in idset:
        return False
    return not variant or f"+{variant}" in idset


def _where_in_sources(cfg: Config, keypath: tuple[str, ...]) -> str:
    for path in reversed(cfg.sources):
        try:
            doc = _read_yaml(path)
        except ConfigError:
            continue
        if keypath in doc.lines:
            return doc.where(keypath) + ": "
    return ""
