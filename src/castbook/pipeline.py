"""The stage order in one place: load -> segment -> cast -> synthesize -> assemble/encode -> .m4b."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Protocol

from .assemble import PCM_FORMAT, Assembled, Cue, assemble
from .casting import Line, auto_voices, cast, narrator_line
from .config import Config
from .cover import Cover, cover_for
from .encode import (
    FORMATS,
    PcmEncoder,
    build_m4b,
    build_mp3_book,
    duration_s,
    frame_samples,
    lead_samples,
    require_ffmpeg,
)
from .engines import Engine, get_engine
from .engines.base import SAMPLE_RATE
from .errors import CastbookError
from .loudness import Leveler, Target, limiter_ceiling
from .markers import ChapterMark, chapter_marks
from .model import Break, Segment, Segmented, Work
from .names import book_folder, safe_filename
from .outputs import Sidecars, write_sidecars
from .segment import segment_work
from .sources import load_work
from .synthesize import SegmentCache, SynthStats, iter_synthesize

log = logging.getLogger(__name__)

STATE_FILE = ".castbook-state.json"


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """How to render: where, in what format, how parallel."""

    out_dir: Path
    """Folder for the chapter files and the .m4b."""
    cache_dir: Path
    """Segment cache folder."""
    fmt: str = "m4a"
    """Chapter file format (m4a, mp3, opus, flac, wav)."""
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    """Chapters rendered at once (each with its own engine worker and encoder)."""
    m4b: bool = True
    """Also write <Title>.m4b with chapter markers."""
    mp3_book: bool = False
    """Also write <Title>.mp3: the whole book in one MP3 with ID3 chapter frames (CHAP + CTOC)."""
    layout: str = "flat"
    """Where the files go under out_dir: "flat" (out_dir itself) or "author-title" (out_dir/Author/Title)."""
    engine: str | None = None
    """Use this engine for every voice (tests use "fake"); None: each voice's own engine."""


@dataclass(frozen=True, slots=True)
class ChapterPlan:
    """One chapter's lines and where its audio goes."""

    index: int
    title: str
    lines: tuple[Line, ...]
    path: Path


@dataclass(frozen=True, slots=True)
class ChapterResult:
    """A rendered chapter file."""

    index: int
    title: str
    path: Path
    duration_ms: int
    cues: tuple[Cue, ...]
    reused: bool
    """True when the file was already up to date and nothing was re-encoded."""


@dataclass(frozen=True, slots=True)
class Audiobook:
    """What a render produced."""

    work: Work
    chapters: tuple[ChapterResult, ...]
    m4b: Path | None
    marks: tuple[ChapterMark, ...]
    mp3: Path | None = None
    sidecars: Sidecars | None = None
    synthesized: int = 0
    cached: int = 0


class Progress(Protocol):
    """What the pipeline reports while it renders (the CLI draws it; tests may ignore it)."""

    def start(self, chapters: int, lines: int) -> None: ...
    def line_done(self) -> None: ...
    def chapter_done(self, result: ChapterResult) -> None: ...


class _Silent:
    def start(self, chapters: int, lines: int) -> None:
        pass

    def line_done(self) -> None:
        pass

    def chapter_done(self, result: ChapterResult) -> None:
        pass


# ---------------------------------------------------------------- text stages


def read(source: Path, cfg: Config) -> tuple[Work, Segmented]:
    """Load a work and attribute its dialogue (the views `segment` and `inspect` show)."""
    work = load_work(source)
    return work, segment_work(work.chapters, hints=cfg.hints() or None, characters=work.characters)


def plan(work: Work, segmented: Segmented, cfg: Config, out_dir: Path, fmt: str) -> list[ChapterPlan]:
    """Voice every segment and add what the narrator reads around the story."""
    voices = auto_voices(segmented.characters, cfg)
    by_chapter: dict[int, list[Segment]] = {c.index: [] for c in work.chapters}
    for seg in segmented.segments:
        by_chapter.setdefault(seg.chapter, []).append(seg)
    plans = []
    width = max(2, len(str(len(work.chapters))))
    for chapter in work.chapters:
        lines: list[Line] = []
        if chapter.index == work.chapters[0].index and cfg.reading.title_card:
            card = title_card(work, cfg.reading.title_card)
            if card:
                lines.append(narrator_line(chapter.index, "title", card, cfg, Break.CHAPTER))
        if cfg.reading.announce_chapters:
            lines.append(narrator_line(chapter.index, "heading", _spoken_title(chapter.title), cfg,
                                       Break.CHAPTER))
        if cfg.reading.notes == "read":
            lines += [narrator_line(chapter.index, "notes", n, cfg, Break.PARAGRAPH) for n in chapter.notes_before]
        lines += cast(by_chapter.get(chapter.index, []), segmented.characters, cfg, voices)
        if cfg.reading.notes == "read":
            lines += [narrator_line(chapter.index, "notes", n, cfg, Break.PARAGRAPH) for n in chapter.notes_after]
        name = f"{chapter.index:0{width}d} - {safe_filename(chapter.title, f'Chapter {chapter.index}')}"
        plans.append(ChapterPlan(chapter.index, chapter.title, tuple(lines), out_dir / f"{name}.{fmt}"))
    return plans


def title_card(work: Work, template: str) -> str:
    """The spoken title card, or "" when the work states no title."""
    if not work.title:
        return ""
    if not work.author:
        template = template.replace(", by {author}", "").replace(" by {author}", "")
    try:
        return template.format(title=work.title, author=work.author or "").strip()
    except (KeyError, IndexError, ValueError):
        return f"{work.title}."


def _spoken_title(title: str) -> str:
    title = title.strip()
    return title if title.endswith((".", "!", "?")) else f"{title}."


# ---------------------------------------------------------------- audio stages


class _Engines:
    """One engine per worker thread, so every chapter job has its own engine process."""

    def __init__(self, override: str | None) -> None:
        self._override = override
        self._local = threading.local()
        self._all: list[Engine] = []
        self._lock = threading.Lock()
        self._versions: dict[str, str] = {}

    def get(self, name: str) -> Engine:
        name = self._override or name
        engines = getattr(self._local, "engines", None)
        if engines is None:
            engines = self._local.engines = {}
        if name not in engines:
            engine = get_engine(name)
            engines[name] = engine
            with self._lock:
                self._all.append(engine)
        return engines[name]

    def version(self, name: str) -> str:
        name = self._override or name
        with self._lock:
            if name not in self._versions:
                self._versions[name] = get_engine(name).version()
            return self._versions[name]

    def close(self) -> None:
        for engine in self._all:
            engine.close()


class _State:
    """Per-output-folder record of what each chapter file was made from, written atomically."""

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / STATE_FILE
        self._lock = threading.Lock()
        try:
            self.data = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(self.data, dict) or not isinstance(self.data.get("chapters"), dict):
                raise ValueError
        except (OSError, ValueError):
            self.data = {"chapters": {}}

    def get(self, name: str) -> dict | None:
        return self.data["chapters"].get(name)

    def put(self, name: str, entry: dict) -> None:
        with self._lock:
            self.data["chapters"][name] = entry
            self._write()

    def put_book(self, kind: str, entry: dict) -> None:
        with self._lock:
            self.data.setdefault("books", {})[kind] = entry
            self._write()

    def _write(self) -> None:
        part = self.path.with_name(self.path.name + ".part")
        part.write_text(json.dumps(self.data, ensure_ascii=False), encoding="utf-8")
        os.replace(part, self.path)


def _fingerprint(keys: Sequence[str], cfg: Config, fmt: str, tags: dict[str, str]) -> str:
    blob = json.dumps([list(keys), asdict(cfg.pauses), asdict(cfg.audio), FORMATS[fmt], tags], sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _chapter_tags(work: Work, chapter: ChapterPlan, total: int) -> dict[str, str]:
    return {"title": chapter.title, "album": work.title or "", "artist": work.author or "",
            "album_artist": work.author or "", "track": f"{chapter.index}/{total}", "genre": "Audiobook"}


def render_chapter(chapter: ChapterPlan, work: Work, total: int, cfg: Config, opts: RenderOptions,
                   engines: _Engines, cache: SegmentCache, state: _State, stats: SynthStats,
                   progress: Progress) -> ChapterResult:
    """Synthesize what the cache lacks, then stream the chapter into its encoder (skipped if up to date)."""
    tags = _chapter_tags(work, chapter, total)
    keys = [cache.key(line, engines.version(line.voice.engine)) for line in chapter.lines]
    fingerprint = _fingerprint(keys, cfg, opts.fmt, tags)
    known = state.get(chapter.path.name)
    if known and known.get("fingerprint") == fingerprint and chapter.path.exists():
        for _ in chapter.lines:
            progress.line_done()
        cues = tuple(Cue(**c) for c in known.get("cues", []))
        return ChapterResult(chapter.index, chapter.title, chapter.path, known["duration_ms"], cues, True)
    failed: list[Line] = []  # lines the engine could not speak: a tone stands in, and the next run retries them
    rendered = iter_synthesize(chapter.lines, engines.get, engines.version, cache, stats, progress.line_done,
                               failed)
    target = loudness_target(cfg)
    leveler = Leveler(target, SAMPLE_RATE) if target else None
    limit = limiter_ceiling(target) if target else None
    with PcmEncoder(chapter.path, opts.fmt, tags, pcm=PCM_FORMAT, limit=limit) as encoder:
        result: Assembled = assemble(rendered, cfg.pauses, encoder.write, frame_samples(opts.fmt),
                                     lead_samples(opts.fmt), leveler)
    duration = round(duration_s(chapter.path) * 1000)
    state.put(chapter.path.name, {"fingerprint": "" if failed else fingerprint, "duration_ms": duration,
                                  "cues": [asdict(c) for c in result.cues]})
    return ChapterResult(chapter.index, chapter.title, chapter.path, duration, result.cues, False)


class Workers:
    """A bounded pool of chapter jobs (threads, one engine process each) that several produce() calls can share.

    A batch creates one and passes it to every produce(), so works in flight together never run more than
    `jobs` chapters (engine processes, encoders) at once. produce() itself must not run inside the pool.
    """

    def __init__(self, jobs: int, engine: str | None = None) -> None:
        self.jobs = max(1, jobs)
        self.engine = engine
        self.engines = _Engines(engine)
        self._pool = ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="castbook-chapter")

    def render(self, chapters: Sequence[ChapterPlan], work: Work, cfg: Config, opts: RenderOptions,
               cache: SegmentCache, state: _State, stats: SynthStats, progress: Progress) -> list[ChapterResult]:
        """Render the chapters of one work in the pool; results in chapter order."""
        futures = [self._pool.submit(render_chapter, c, work, len(chapters), cfg, opts, self.engines, cache,
                                     state, stats, progress) for c in chapters]
        results = []
        try:
            for fut in futures:
                res = fut.result()
                progress.chapter_done(res)
                results.append(res)
        finally:
            for fut in futures:
                fut.cancel()  # a failed chapter: the work's chapters not started yet are dropped
        return results

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.engines.close()


class _DetachedState:
    """The one state entry a chapter rendered in another process needs; the new entry goes back to the driver."""

    def __init__(self, name: str, known: dict | None) -> None:
        self.data = {"chapters": {name: known} if known else {}}
        self.new: dict | None = None

    def get(self, name: str) -> dict | None:
        return self.data["chapters"].get(name)

    def put(self, name: str, entry: dict) -> None:
        self.new = entry


_PROCESS_ENGINES: dict[str | None, _Engines] = {}


def render_chapter_unit(chapter: ChapterPlan, work: Work, total: int, cfg: Config, opts: RenderOptions,
                        known: dict | None) -> tuple[ChapterResult, dict | None, SynthStats]:
    """Render one chapter in any process from picklable inputs (a distributed work unit).

    `known` is the chapter's entry in the output folder's state file. Returns the result, the new state
    entry (None when the file was up to date) and the synthesis counts; the caller writes the state file,
    so that only one process ever writes it. Engine processes are kept for the next unit in this process.
    """
    engines = _PROCESS_ENGINES.get(opts.engine)
    if engines is None:
        engines = _PROCESS_ENGINES[opts.engine] = _Engines(opts.engine)
    opts.cache_dir.mkdir(parents=True, exist_ok=True)
    chapter.path.parent.mkdir(parents=True, exist_ok=True)
    state = _DetachedState(chapter.path.name, known)
    stats = SynthStats()
    result = render_chapter(chapter, work, total, cfg, opts, engines, SegmentCache(opts.cache_dir),
                            state, stats, _Silent())  # type: ignore[arg-type]
    return result, state.new, stats


def loudness_target(cfg: Config) -> Target | None:
    """The loudness target from the config (None when loudness is off)."""
    if cfg.audio.loudness_lufs is None:
        return None
    return Target(lufs=cfg.audio.loudness_lufs, true_peak_db=cfg.audio.true_peak_db)


def book_tags(work: Work, cfg: Config, lines: Sequence[Line]) -> dict[str, str]:
    """Tags for the .m4b."""
    voices = sorted({line.voice.label() for line in lines})
    return {"title": work.title or work.source.stem, "album": work.title or work.source.stem,
            "artist": work.author or "", "album_artist": work.author or "",
            "composer": f"castbook (voices: {', '.join(voices)})", "genre": "Audiobook",
            "date": work.published or "", "comment": work.summary or "", "description": work.summary or ""}


def produce(source: Path, cfg: Config, opts: RenderOptions, progress: Progress | None = None,
            read_hook: Callable[[Work, Segmented], None] | None = None, *,
            workers: Workers | None = None, loaded: tuple[Work, Segmented] | None = None) -> Audiobook:
    """Render a work to per-chapter files and an .m4b with one marker per chapter.

    `workers`: a shared chapter pool (a batch passes one; default: a pool of opts.jobs for this work).
    `loaded`: the work already read (read(source, cfg)), so it is not read twice.
    """
    progress = progress or _Silent()
    require_ffmpeg()
    work, segmented = loaded or read(source, cfg)
    if read_hook:
        read_hook(work, segmented)
    if opts.m4b and opts.fmt != "m4a":
        raise CastbookError("an .m4b can only be joined from m4a chapter files; use --format m4a or --no-m4b")
    opts = replace(opts, out_dir=book_folder(opts.out_dir, work.author, work.title, opts.layout,
                                             safe_filename(work.source.stem)))
    for folder, option in ((opts.out_dir, "-o DIR"), (opts.cache_dir, "--cache DIR")):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CastbookError(f"{exc.filename or folder}: cannot create the folder ({exc.strerror}); "
                                f"choose one you can write to with {option}") from None
    chapters = plan(work, segmented, cfg, opts.out_dir, opts.fmt)
    progress.start(len(chapters), sum(len(c.lines) for c in chapters))
    cache = SegmentCache(opts.cache_dir)
    state = _State(opts.out_dir)
    stats = SynthStats()
    own = workers is None
    pool = Workers(opts.jobs, opts.engine) if workers is None else workers
    try:
        results = pool.render(chapters, work, cfg, opts, cache, state, stats, progress)
    finally:
        if own:
            pool.close()
    marks = chapter_marks([r.title for r in results], [r.duration_ms for r in results])
    base = safe_filename(work.title or work.source.stem)
    tags = book_tags(work, cfg, [ln for c in chapters for ln in c.lines])
    cover = cover_for(work)
    m4b = mp3 = None
    if opts.m4b:
        m4b = opts.out_dir / f"{base}.m4b"
        _join_if_changed(m4b, state, results, marks, tags, cover,
                         lambda: _build_m4b_with_cover(results, marks, tags, cover, m4b))
    if opts.mp3_book:
        mp3 = opts.out_dir / f"{base}.mp3"
        from .id3chapters import write_mp3_chapters
        _join_if_changed(mp3, state, results, marks, tags, cover, lambda: build_mp3_book(
            [r.path for r in results], mp3, lambda part: write_mp3_chapters(part, marks, tags, cover.data, atomic=False)))
    book_file = m4b or mp3
    sidecars = write_sidecars(opts.out_dir, base, marks, [r.cues for r in results], tags,
                              book_file.name if book_file else None, cover)
    return Audiobook(work, tuple(results), m4b, tuple(marks), mp3, sidecars, stats.synthesized, stats.cached)


def _join_if_changed(dest: Path, state: _State, results: Sequence[ChapterResult], marks: Sequence[ChapterMark],
                     tags: dict[str, str], cover: Cover, build: Callable[[], None]) -> None:
    """Join the chapter files into `dest` unless it exists and was made from exactly these inputs."""
    fingerprint = hashlib.sha256(json.dumps(
        [[state.get(r.path.name) or {} for r in results], [asdict(m) for m in marks], tags,
         hashlib.sha256(cover.data).hexdigest()], sort_keys=True, default=str).encode("utf-8")).hexdigest()
    key = dest.suffix.lstrip(".")
    known = state.data.get("books", {}).get(key) or {}
    if dest.exists() and known.get("name") == dest.name and known.get("fingerprint") == fingerprint:
        return
    build()
    state.put_book(key, {"name": dest.name, "fingerprint": fingerprint})


def _build_m4b_with_cover(results: Sequence[ChapterResult], marks: Sequence[ChapterMark], tags: dict[str, str],
                          cover: Cover, dest: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="castbook-") as tmp:
        image = Path(tmp) / f"cover.{cover.ext}"
        image.write_bytes(cover.data)
        build_m4b([r.path for r in results], marks, tags, dest, cover=image)
