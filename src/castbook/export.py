"""Export many works into a library: find the sources, skip what is up to date, isolate failures, report."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, fields, is_dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from . import __version__
from .config import Config, check_voices, config_paths, load_config
from .discover import SUPPORTED, discover
from .errors import CastbookError, SourceError
from .model import Work
from .names import library_folder, safe_filename
from .pipeline import STATE_FILE, Audiobook, ChapterResult, RenderOptions, Workers, produce, read
from .report import REPORT, BatchProgress, NoProgress, Report, WorkReport

log = logging.getLogger(__name__)

__all__ = ["REPORT", "ExportOptions", "Manifest", "Report", "WorkReport", "discover", "export", "work_key"]

MANIFEST = ".castbook-manifest.json"


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """How to export: where to, in what format, how parallel, on which executor."""

    library: Path
    """The library folder; each work goes to LIBRARY/Author/Title/."""
    cache_dir: Path
    """Segment cache folder (on a cluster: a folder every node shares)."""
    fmt: str = "m4a"
    """Chapter file format."""
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    """Chapters rendered at once over all works (local executor)."""
    m4b: bool = True
    """Also write <Title>.m4b per work."""
    mp3_book: bool = False
    """Also write <Title>.mp3 (one MP3 with ID3 chapter frames) per work."""
    notes: str | None = None
    """read | skip: author's notes; None: as each work's voices.yaml says."""
    engine: str | None = None
    """Force one engine for every voice (tests use "fake")."""
    voices: Path | None = None
    """The global voices.yaml (None: ./voices.yaml when present)."""
    executor: Literal["local", "ray"] = "local"
    """local: a thread pool here; ray: chapters as Ray tasks."""
    ray_address: str | None = None
    """Ray cluster address (None: a local Ray instance)."""


class _WorkProgress:
    """pipeline.Progress for one work, forwarded to the batch's progress."""

    def __init__(self, batch: BatchProgress) -> None:
        self.batch = batch

    def start(self, chapters: int, lines: int) -> None:
        self.batch.planned(lines)

    def line_done(self) -> None:
        self.batch.line_done()

    def chapter_done(self, result: ChapterResult) -> None:
        self.batch.chapter_done(result.duration_ms)


# ---------------------------------------------------------------- manifest (what is up to date)


class Manifest:
    """LIBRARY/.castbook-manifest.json: per source, the key it was exported with and what it produced."""

    def __init__(self, library: Path) -> None:
        self.path = library / MANIFEST
        self._lock = threading.Lock()
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.works: dict[str, dict] = data["works"] if isinstance(data.get("works"), dict) else {}
        except (OSError, ValueError, AttributeError, KeyError):
            self.works = {}

    def get(self, source: Path) -> dict | None:
        return self.works.get(str(source))

    def put(self, source: Path, entry: dict | None) -> None:
        with self._lock:
            if entry is None:
                self.works.pop(str(source), None)
            else:
                self.works[str(source)] = entry
            _write_json(self.path, {"version": 1, "works": self.works})


def work_key(data: bytes, cfg: Config, settings: dict) -> str:
    """Hash of the source bytes, the effective cast and settings, and castbook's version."""
    blob = json.dumps({"source": hashlib.sha256(data).hexdigest(), "config": asdict(replace(cfg, sources=())),
                       "settings": settings, "castbook": __version__}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _up_to_date(entry: dict | None, key: str, library: Path) -> bool:
    return bool(entry and entry.get("key") == key and entry.get("outputs")
                and all((library / p).exists() for p in entry["outputs"]))


def _write_json(path: Path, data: dict) -> None:
    part = path.with_name(f".{path.name}.part")
    part.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(part, path)


# ---------------------------------------------------------------- the batch


class _Batch:
    """One export run: the shared pool, the manifest, the output folders claimed so far."""

    def __init__(self, opts: ExportOptions, progress: BatchProgress) -> None:
        self.opts = opts
        self.library = opts.library
        self.progress = progress
        self.manifest = Manifest(self.library)
        self.claimed: dict[str, Path] = {}
        self._lock = threading.Lock()
        self._voice_ids: list[str] | None = None
        self._configs: dict[tuple, Config] = {}
        self.template = RenderOptions(out_dir=self.library, cache_dir=opts.cache_dir, fmt=opts.fmt,
                                      jobs=opts.jobs, m4b=opts.m4b, engine=opts.engine,
                                      mp3_book=opts.mp3_book)
        self.settings = {k: v for k, v in asdict(self.template).items() if k not in ("out_dir", "cache_dir", "jobs")}

    def config(self, source: Path) -> Config:
        """The work's cast: <work>.voices.yaml over the global voices.yaml over the defaults."""
        paths = config_paths(source, self.opts.voices)
        try:
            stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)
        except OSError:
            stamp = None
        cfg = self._configs.get(stamp) if stamp is not None else None
        if cfg is None:  # works without their own voices file share one parse (hundreds of works: seconds)
            cfg = load_config(*paths)
            if stamp is not None:
                self._configs[stamp] = cfg
        if self.opts.notes is not None:
            cfg = replace(cfg, reading=replace(cfg.reading, notes=self.opts.notes))
        return cfg

    def check(self, cfg: Config) -> None:
        """Fail a work before rendering when its cast names a voice espeak-ng does not have."""
        if self.opts.engine is None and any(
                v.engine == "pyttsx3" for v in [cfg.narrator, cfg.default, *(c.voice for c in cfg.characters)]):
            check_voices(cfg, {"pyttsx3": self._pyttsx3_ids()})

    def _pyttsx3_ids(self) -> list[str]:
        with self._lock:
            return self._list_voices()

    def _list_voices(self) -> list[str]:
        if self._voice_ids is None:
            from .engines import get_engine

            eng = get_engine("pyttsx3")
            try:
                self._voice_ids = [i for v in eng.list_voices() for i in (v.id, v.language) if i]
            finally:
                eng.close()
        return self._voice_ids

    def claim(self, source: Path, author: str | None, title: str | None) -> Path:
        """The work's Author/Title folder; `Title (2)` when another source already has that folder."""
        base = library_folder(author, title, safe_filename(source.stem))
        with self._lock:
            taken = {str(Path(e["folder"])).casefold() for s, e in self.manifest.works.items()
                     if s != str(source) and e.get("folder")}
            taken |= {str(f).casefold() for s, f in self.claimed.items() if s != str(source)}
            folder, n = base, 2
            while str(folder).casefold() in taken:
                folder, n = base.parent / f"{base.name} ({n})", n + 1
            self.claimed[str(source)] = folder
            return folder

    def remove_previous(self, source: Path, old: dict, rep: WorkReport) -> None:
        """Delete what the work's previous export wrote in its old folder (the files its manifest entry lists and
        the folder's state file), then the folder and its author folder when that leaves them empty.

        Nothing else is touched: files someone added there stay, and so does a folder another work now uses.
        """
        base = self.library / old["folder"]
        folder = base.resolve()
        with self._lock:
            others = {str(Path(e["folder"])).casefold() for s, e in self.manifest.works.items()
                      if s != str(source) and e.get("folder")}
            others |= {str(f).casefold() for s, f in self.claimed.items() if s != str(source)}
        if str(Path(old["folder"])).casefold() in others or not folder.is_relative_to(self.library.resolve()):
            rep.warnings.append(f"the previous export in {old['folder']} was left in place (the folder is in use)")
            return
        keep = {(self.library / p).resolve() for p in rep.outputs}
        outputs = [p for p in old.get("outputs") or [] if isinstance(p, str)]
        for path in [self.library / p for p in outputs] + [base / STATE_FILE]:
            real = path.resolve()
            if real in keep or not real.is_relative_to(folder) or not path.is_file():
                continue
            try:
                path.unlink()
            except OSError as exc:
                rep.warnings.append(f"could not remove {path.relative_to(self.library)} of the previous export "
                                    f"({exc.strerror or exc})")
                continue
            if path.name != STATE_FILE:
                rep.removed.append(str(path.relative_to(self.library)))
        for empty in (folder, folder.parent):
            if empty == self.library.resolve():
                break
            try:
                empty.rmdir()  # only when empty: anything else in it is not castbook's
            except OSError:
                break

    def render(self, source: Path, cfg: Config, key: str, workers: Workers) -> WorkReport:
        """Read, render and record one work; every failure becomes a failed report (the batch goes on)."""
        t0 = time.monotonic()
        rep = WorkReport(str(source), "failed")
        remember = False
        trap = _WarningTrap.start()
        try:
            work, segmented = read(source, cfg)
            self.check(cfg)
            rep.title, rep.author = work.title, work.author
            dialogue = [s for s in segmented.segments if s.kind == "dialogue"]
            rep.dialogue, rep.unattributed = len(dialogue), sum(1 for s in dialogue if s.speaker is None)
            folder = self.claim(source, work.author, work.title)
            rep.folder = str(folder)
            opts = replace(self.template, out_dir=self.library / folder)
            book = produce(source, cfg, opts, _WorkProgress(self.progress), workers=workers,
                           loaded=(work, segmented))
            rep.chapters = len(book.chapters)
            rep.duration_ms = sum(c.duration_ms for c in book.chapters)
            rep.outputs = [str(p.relative_to(self.library)) for p in _outputs(book, self.library)]
            rep.status = "done"
            old = self.manifest.get(source)
            if old and old.get("folder") and old["folder"] != rep.folder:
                self.remove_previous(source, old, rep)
            rep.warnings += _warnings(rep)
        except SourceError as exc:  # the file itself: the same bytes fail the same way, so it is remembered
            rep.error = _one_line(str(exc))
            remember = True
        except CastbookError as exc:
            rep.error = _one_line(str(exc))
        except Exception as exc:  # a bug or a library's own error: still isolated to this work
            log.debug("%s failed", source, exc_info=True)
            rep.error = _one_line(f"internal error ({type(exc).__name__}: {exc})")
        finally:
            rep.warnings += trap.stop()
            rep.seconds = round(time.monotonic() - t0, 3)
        if rep.status == "done":
            self.manifest.put(source, {"key": key, **_entry(rep)})
        else:  # tried again next time, unless the file itself is broken
            self.manifest.put(source, {"key": key, "failed": rep.error} if remember else None)
        return rep


def export(sources: Sequence[Path], opts: ExportOptions, progress: BatchProgress | None = None) -> Report:
    """Export every work found in `sources` to opts.library; write LIBRARY/castbook-report.json."""
    progress = progress or NoProgress()
    t_start = time.monotonic()
    library = Path(os.path.abspath(opts.library))
    opts = replace(opts, library=library, cache_dir=Path(os.path.abspath(opts.cache_dir)))
    try:
        library.mkdir(parents=True, exist_ok=True)
        opts.cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CastbookError(f"{exc.filename}: cannot create folder ({exc.strerror}); choose another with -o") from None
    if opts.executor == "ray":
        from .raypool import require_ray

        require_ray()  # before anything is done: a missing extra is one line, not a failed batch
    found = discover(sources, library)
    if not found:
        raise CastbookError("no works found in the given sources (looked for " + ", ".join(SUPPORTED) + ")")
    report = Report(str(library), opts.executor, datetime.now(UTC).isoformat(timespec="seconds"))
    batch = _Batch(opts, progress)
    reports: list[WorkReport | None] = [None] * len(found)
    todo: list[tuple[int, Path, Config, str]] = []
    for i, src in enumerate(found):
        t0 = time.monotonic()
        if src.problem:
            reports[i] = WorkReport(str(src.path), "failed", error=src.problem)
            continue
        try:
            cfg = batch.config(src.path)
            key = work_key(_read_bytes(src.path), cfg, batch.settings)
            entry = batch.manifest.get(src.path)
            if entry and entry.get("key") == key and entry.get("failed"):
                reports[i] = WorkReport(str(src.path), "failed", error=entry["failed"],
                                        warnings=["unchanged since it failed; not read again"],
                                        seconds=round(time.monotonic() - t0, 3))
                continue
            if _up_to_date(entry, key, library):
                assert entry is not None
                reports[i] = _skipped(src.path, entry, time.monotonic() - t0)
                continue
        except CastbookError as exc:
            reports[i] = WorkReport(str(src.path), "failed", error=_one_line(str(exc)))
            batch.manifest.put(src.path, None)
            continue
        todo.append((i, src.path, cfg, key))
    progress.begin(len(todo))
    try:
        if todo:
            _render_all(batch, todo, reports, _workers(opts))
    finally:  # also when interrupted: the report then lists the works finished so far
        report.works = [r for r in reports if r is not None]
        report.complete = len(report.works) == len(found)
        report.seconds = time.monotonic() - t_start
        _write_json(library / REPORT, report.to_dict())
    return report


def _render_all(batch: _Batch, todo: list[tuple[int, Path, Config, str]], reports: list[WorkReport | None],
                workers: Workers) -> None:
    """Works in threads (one more than the pool's size, so the pool never waits for a work to be read)."""
    pool = ThreadPoolExecutor(max_workers=min(len(todo), workers.jobs + 1), thread_name_prefix="castbook-work")
    try:
        futures = {pool.submit(batch.render, path, cfg, key, workers): i for i, path, cfg, key in todo}
        for fut in as_completed(futures):
            rep = fut.result()
            reports[futures[fut]] = rep
            batch.progress.work_done(rep)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # Ctrl-C: works not started yet are dropped
        workers.close()


def _workers(opts: ExportOptions) -> Workers:
    if opts.executor == "ray":
        from .raypool import RayWorkers

        return RayWorkers(opts.ray_address, opts.engine)  # type: ignore[return-value]
    return Workers(opts.jobs, opts.engine)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CastbookError(f"{path}: cannot be read ({exc.strerror or exc}); check its permissions") from None


def _outputs(book: Audiobook, library: Path) -> list[Path]:
    """Every file the render wrote: chapter files, the .m4b and any other Path the Audiobook holds (sidecars)."""
    paths: list[Path] = []

    def walk(value: object) -> None:
        if isinstance(value, Path):
            paths.append(value)
        elif isinstance(value, (tuple, list)):
            for item in value:
                walk(item)
        elif is_dataclass(value) and not isinstance(value, (type, Work)):  # the Work names the source
            for f in fields(value):
                walk(getattr(value, f.name))

    walk(book)
    return [p for p in dict.fromkeys(paths) if p.is_file() and p.is_relative_to(library)]


def _warnings(rep: WorkReport) -> list[str]:
    out = []
    if not rep.author:
        out.append("no author stated; filed under Unknown Author")
    if rep.dialogue >= 5 and rep.unattributed > 0.3 * rep.dialogue:
        out.append(f"{rep.unattributed} of {rep.dialogue} dialogue lines have no speaker (read with the default "
                   "voice); check them with castbook segment")
    return out


_ENTRY_KEYS = ("title", "author", "folder", "chapters", "duration_ms", "outputs", "dialogue", "unattributed",
               "warnings")


def _entry(rep: WorkReport) -> dict:
    return {k: getattr(rep, k) for k in _ENTRY_KEYS}


def _skipped(source: Path, entry: dict, seconds: float) -> WorkReport:
    rep = WorkReport(str(source), "skipped", seconds=round(seconds, 3))
    for k in _ENTRY_KEYS:
        if k in entry:
            setattr(rep, k, entry[k])
    return rep


def _one_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return (lines[0] if lines else "failed")[:500]


class _WarningTrap(logging.Handler):
    """castbook's log warnings raised in the current thread (while a work is read and planned)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    @classmethod
    def start(cls) -> _WarningTrap:
        trap = cls()
        logging.getLogger("castbook").addHandler(trap)
        return trap

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.messages.append(_one_line(record.getMessage()))

    def stop(self) -> list[str]:
        logging.getLogger("castbook").removeHandler(self)
        return list(dict.fromkeys(self.messages))
