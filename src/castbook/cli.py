"""The castbook command line: parse options, load config, call the pipeline, render errors once."""

from __future__ import annotations

import errno
import functools
import json
import logging
import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

# pydub warns on import when ffmpeg is missing; castbook says so itself, in one line, when it needs ffmpeg
warnings.filterwarnings("ignore", message="Couldn't find ff", category=RuntimeWarning)

from . import __version__  # noqa: E402
from .config import Config, config_paths, load_config  # noqa: E402
from .errors import CastbookError  # noqa: E402
from .names import LAYOUTS  # noqa: E402
from .pipeline import Audiobook, ChapterResult, RenderOptions, plan, produce, read  # noqa: E402

log = logging.getLogger(__name__)

app = typer.Typer(
    name="castbook",
    help="Turn fan fiction and novels into multi-voice audiobooks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)
out = Console()

F = TypeVar("F", bound=Callable[..., Any])
_VERBOSE = {"on": False}

WorkArg = Annotated[Path, typer.Argument(help="The work: .txt, AO3 .html or .epub.", show_default=False)]
VoicesOpt = Annotated[Path | None, typer.Option("--voices", "-v", help="voices.yaml to use (default: ./voices.yaml, "
                                                "then <work>.voices.yaml beside the work).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def _guard(fn: F) -> F:
    """Turn every failure into one line on stderr and a non-zero exit; a traceback only with --verbose."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except CastbookError as exc:
            _error(str(exc))
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err.print("interrupted; run the same command again to resume", highlight=False)
            raise typer.Exit(130) from None
        except BrokenPipeError:
            raise typer.Exit(0) from None
        except typer.Exit:
            raise
        except OSError as exc:  # disk full, no permission, a vanished file: the system's reason and what to do
            if _VERBOSE["on"]:
                raise
            _error(f"{exc.filename or 'a file'}: {exc.strerror or exc}; {_os_hint(exc)}")
            raise typer.Exit(1) from None
        except Exception as exc:  # a bug: still one line unless asked for more
            if _VERBOSE["on"]:
                raise
            _error(f"internal error ({type(exc).__name__}: {exc}); run with --verbose for details and report it")
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


def _error(message: str) -> None:
    """One line on stderr; the message (file names, titles) is never read as rich markup."""
    err.print(f"[bold red]error:[/] {escape(' '.join(message.splitlines()))}", highlight=False, markup=True,
              soft_wrap=True)


def _os_hint(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "free some disk space and run the same command again (finished files and the cache are kept)"
    if exc.errno == errno.EFBIG:
        return "the file size limit was reached; raise it (ulimit -f) or write elsewhere with -o"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "choose a folder you can write to (-o DIR, --cache DIR) or fix its permissions"
    return "check the path and run the same command again"


@app.callback()
def _root(
    verbose: Annotated[bool, typer.Option("--verbose", help="Log details, and show tracebacks.")] = False,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    """castbook: every character in their own voice, the narrator reads the rest."""
    _VERBOSE["on"] = verbose
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if version:
        out.print(f"castbook {__version__}")
        raise typer.Exit(0)


def _config(work: Path | None, voices: Path | None) -> Config:
    return load_config(*config_paths(work, voices))


def _cache_dir() -> Path:
    env = os.environ.get("CASTBOOK_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "castbook" / "segments"


# ---------------------------------------------------------------- segment / inspect


@app.command()
@_guard
def segment(
    work: WorkArg,
    voices: VoicesOpt = None,
    as_json: JsonOpt = False,
    dialogue: Annotated[bool, typer.Option("--dialogue", help="Only dialogue lines: check who says what.")] = False,
) -> None:
    """Show every line in reading order with its kind, speaker, voice and how sure the speaker is.

    Example: castbook segment seeds/the-lantern-keeper.txt --dialogue
    """
    cfg = _config(work, voices)
    book, segmented = read(work, cfg)
    chapters = plan(book, segmented, cfg, Path("."), "m4a")
    titles = {c.index: c.title for c in book.chapters}
    rows = [ln for c in chapters for ln in c.lines
            if ln.segment is not None and (ln.kind == "dialogue" or not dialogue)]
    if as_json:
        w = sys.stdout.write
        for ln in rows:
            seg = ln.segment
            assert seg is not None
            w(json.dumps({"chapter": seg.chapter, "chapter_title": titles.get(seg.chapter, ""), "index": seg.index,
                          "kind": ln.kind, "speaker": ln.speaker, "voice": ln.voice.label(), "text": seg.text,
                          "confidence": round(seg.confidence, 3) if ln.kind == "dialogue" else None,
                          "cue": seg.cue}, ensure_ascii=False) + "\n")
        return
    table = Table("ch", "#", "kind", "speaker", "sure", "voice", "text", show_lines=False, expand=True)
    for ln in rows:
        seg = ln.segment
        assert seg is not None
        who = ln.speaker or ("—" if ln.kind == "dialogue" else "")
        # How the speaker was found: confidence and cue (explicit tag, pronoun, or turn-taking).
        sure = f"{seg.confidence:.2f} {seg.cue or ''}".strip() if ln.kind == "dialogue" else ""
        text = seg.text if len(seg.text) < 90 else seg.text[:87] + "..."
        table.add_row(str(seg.chapter), str(seg.index), ln.kind, escape(who), sure, escape(ln.voice.label()),
                      escape(text))
    out.print(table)


@app.command()
@_guard
def inspect(work: WorkArg, voices: VoicesOpt = None, as_json: JsonOpt = False) -> None:
    """Show the outline: title, author, chapters with word counts and opening words, characters, what is skipped.

    Example: castbook inspect seeds/paper-cranes.txt
    """
    cfg = _config(work, voices)
    book, segmented = read(work, cfg)
    chapters = [{"index": c.index, "title": c.title, "words": c.words, "opening": _opening(c.paragraphs)}
                for c in book.chapters]
    characters = [{"name": c.name, "aliases": list(c.aliases), "lines": c.lines, "gender": c.gender}
                  for c in segmented.characters]
    if as_json:
        sys.stdout.write(json.dumps({
            "title": book.title, "author": book.author, "format": book.format, "summary": book.summary,
            "chapters": chapters, "characters": characters,
            "skipped": [{"what": s.what, "reason": s.reason, "text": s.text} for s in book.skipped],
        }, ensure_ascii=False) + "\n")
        return
    byline = f" by {escape(book.author)}" if book.author else ""
    out.print(f"[bold]{escape(book.title or book.source.stem)}[/]{byline}", highlight=False)
    out.print(f"format: {book.format}; {len(book.chapters)} chapter(s); "
              f"{sum(c['words'] for c in chapters)} words", highlight=False)
    table = Table("#", "title", "words", "opening")
    for c in chapters:
        table.add_row(str(c["index"]), escape(c["title"]), str(c["words"]), escape(c["opening"]))
    out.print(table)
    if characters:
        ctable = Table("character", "aliases", "lines", "gender")
        for c in characters:
            ctable.add_row(escape(c["name"]), escape(", ".join(c["aliases"])), str(c["lines"]), c["gender"] or "")
        out.print(ctable)
    for s in book.skipped:
        out.print(f"skipped: {s.what} ({s.reason})" + (f": {s.text[:60]}" if s.text else ""), highlight=False,
                  markup=False)


def _opening(paragraphs: tuple[str, ...], words: int = 20) -> str:
    got: list[str] = []
    for p in paragraphs:
        got += p.split()
        if len(got) >= words:
            break
    return " ".join(got[:words])


# ---------------------------------------------------------------- render


class _RichProgress:
    """Chapters and lines done, audio produced, speed and ETA; silent when stderr is not a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar = None
        self._task = None
        self.audio_ms = 0
        self.t0 = time.monotonic()
        self.chapters_done = 0
        self.chapters = 0

    def start(self, chapters: int, lines: int) -> None:
        self.chapters = chapters
        if not self.enabled:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                             TimeRemainingColumn(), TextColumn("{task.fields[info]}"), console=err, transient=True)
        self._bar.start()
        self._task = self._bar.add_task("lines", total=lines, info="")

    def line_done(self) -> None:
        if self._bar is not None:
            self._bar.advance(self._task)

    def chapter_done(self, result: ChapterResult) -> None:
        self.chapters_done += 1
        self.audio_ms += result.duration_ms
        if self._bar is not None:
            elapsed = max(time.monotonic() - self.t0, 1e-6)
            speed = self.audio_ms / 1000 / elapsed
            self._bar.update(self._task, info=f"chapters {self.chapters_done}/{self.chapters} · "
                             f"{self.audio_ms / 3_600_000:.2f} h audio · {speed:.0f}x real time")

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()


@app.command()
@_guard
def render(
    work: WorkArg,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Output folder (default: out/<work name>).")] = None,
    voices: VoicesOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="Chapter file format: m4a, mp3, opus, flac, wav.")] = "m4a",
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=0, help="Chapters rendered at once (default: CPU count).")] = 0,
    m4b: Annotated[bool, typer.Option("--m4b/--no-m4b", help="Also write <Title>.m4b with chapter markers.")] = True,
    mp3_book: Annotated[bool, typer.Option("--mp3-book", help="Also write <Title>.mp3: one MP3 with ID3 chapter "
                                           "frames, for MP3-only players.")] = False,
    layout: Annotated[str, typer.Option("--layout", help="flat: files in the output folder; author-title: "
                                        "OUTPUT/Author/Title/ (Audiobookshelf, Plex).")] = "flat",
    loudness: Annotated[str | None, typer.Option("--loudness", help="Loudness target in LUFS (default -18, from "
                                                 "voices.yaml audio.loudness), or off.")] = None,
    notes: Annotated[str | None, typer.Option("--notes", help="Author's notes: read or skip (default: skip).")] = None,
    cache: Annotated[Path | None, typer.Option("--cache", help="Segment cache folder (default: ~/.cache/castbook).")] = None,
    engine: Annotated[str | None, typer.Option("--engine", hidden=True, help="Force one engine for all voices.")] = None,
) -> None:
    """Render a work to per-chapter audio files and one .m4b audiobook with chapter markers.

    Example: castbook render seeds/the-lantern-keeper.txt -o out/lantern
    """
    from dataclasses import replace

    cfg = _config(work, voices)
    if notes is not None:
        if notes not in ("read", "skip"):
            raise CastbookError(f"--notes: expected read or skip, got '{notes}'")
        cfg = replace(cfg, reading=replace(cfg.reading, notes=notes))
    if loudness is not None:
        cfg = replace(cfg, audio=replace(cfg.audio, loudness_lufs=_loudness(loudness)))
    if layout not in LAYOUTS:
        raise CastbookError(f"--layout: expected one of {', '.join(LAYOUTS)}, got '{layout}'")
    if output is None:
        output = Path("out") if layout != "flat" else Path("out") / work.stem
    opts = RenderOptions(out_dir=output, cache_dir=cache or _cache_dir(), fmt=fmt,
                         jobs=jobs or (os.cpu_count() or 1), m4b=m4b, engine=engine, mp3_book=mp3_book,
                         layout=layout)
    _check_voices(cfg, engine)
    progress = _RichProgress(enabled=err.is_terminal)
    t0 = time.monotonic()
    try:
        book: Audiobook = produce(work, cfg, opts, progress)
    finally:
        progress.stop()
    elapsed = time.monotonic() - t0
    total_ms = sum(c.duration_ms for c in book.chapters)
    for c in book.chapters:
        out.print(f"  {c.path}  ({c.duration_ms / 1000:.1f} s{', unchanged' if c.reused else ''})", highlight=False,
                  markup=False)
    for path in (book.m4b, book.mp3):
        if path:
            out.print(f"  {path}  ({len(book.marks)} chapters)", highlight=False, markup=False)
    if book.sidecars:
        side = book.sidecars
        extras = [p.name for p in (side.cover, side.cue, side.chapters, side.vtt, side.srt) if p]
        out.print(f"  beside it: {', '.join(extras)}", highlight=False, markup=False)
    out.print(f"done: {total_ms / 60000:.1f} min of audio in {elapsed:.1f} s "
              f"({book.synthesized} lines synthesized, {book.cached} from cache)", highlight=False)


def _loudness(value: str) -> float | None:
    """--loudness: a LUFS target (-40..-5) or off."""
    if value.strip().lower() in ("off", "none", "no"):
        return None
    try:
        lufs = float(value)
    except ValueError:
        raise CastbookError(f"--loudness: expected a number of LUFS such as -18, or off; got '{value}'") from None
    if not -40.0 <= lufs <= -5.0:
        raise CastbookError(f"--loudness: {lufs:g} LUFS is out of range -40..-5 (audiobooks: -18 to -16)")
    return lufs


def _check_voices(cfg: Config, engine: str | None) -> None:
    """Fail before rendering when a configured espeak-ng voice or Piper model does not exist."""
    if engine is not None:
        return
    from .config import check_voices
    from .engines import get_engine

    used = {v.engine for v in [cfg.narrator, cfg.default, *(c.voice for c in cfg.characters)]}
    ids: list[str] = []
    checks = {}
    if "piper" in used:
        from .engines.piper_engine import check_installed, check_voice

        check_installed()
        checks["piper"] = check_voice
    if "pyttsx3" in used:
        eng = get_engine("pyttsx3")
        try:
            ids = [i for v in eng.list_voices() for i in (v.id, v.language) if i]
        finally:
            eng.close()
    if used & {"piper", "pyttsx3"}:
        check_voices(cfg, {"pyttsx3": ids} if "pyttsx3" in used else {}, checks)


# ---------------------------------------------------------------- casting commands (castbook cast, castbook voices)
# Registered here; their code lives in commands/ (one module per command group).

from .commands.cast import cast_command  # noqa: E402
from .commands.cache import cache_app  # noqa: E402
from .commands.export import export_command  # noqa: E402
from .commands.voices import voices_app  # noqa: E402

app.command(name="cast")(_guard(cast_command))
app.add_typer(voices_app, name="voices")
app.command(name="export")(_guard(export_command))
app.add_typer(cache_app, name="cache")


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":
    main()
