"""The 'export' command: a whole library of works, unattended and resumable, locally or on a Ray cluster."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Annotated

import typer

from ..errors import CastbookError
from ..export import REPORT, ExportOptions, Report, WorkReport, export
from . import err, out


class BatchBar:
    """Works done/remaining, hours of audio, ETA; silent when stderr is not a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar = None
        self._task = None
        self._lock = threading.Lock()
        self.t0 = time.monotonic()
        self.works = 0
        self.done = 0
        self.failed = 0
        self.planned_works = 0
        self.lines = 0
        self.lines_done = 0
        self.audio_ms = 0

    def begin(self, works: int) -> None:
        self.works = works
        if not self.enabled or not works:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self._bar = Progress(TextColumn("works"), BarColumn(), MofNCompleteColumn(),
                             TextColumn("{task.fields[info]}"), console=err, transient=True)
        self._bar.start()
        self._task = self._bar.add_task("works", total=works, info="")

    def planned(self, lines: int) -> None:
        with self._lock:
            self.planned_works += 1
            self.lines += lines

    def line_done(self) -> None:
        with self._lock:
            self.lines_done += 1
        self._refresh()

    def chapter_done(self, duration_ms: int) -> None:
        with self._lock:
            self.audio_ms += duration_ms
        self._refresh()

    def work_done(self, report: WorkReport) -> None:
        with self._lock:
            self.done += 1
            self.failed += report.status == "failed"
        if self._bar is not None:
            self._bar.advance(self._task)
        self._refresh()

    def eta_s(self) -> float | None:
        """Seconds left: lines still to speak at the speed so far (unplanned works counted at the mean size)."""
        if not self.lines_done or not self.planned_works:
            return None
        unplanned = max(0, self.works - self.planned_works)
        total = self.lines + unplanned * self.lines / self.planned_works
        elapsed = time.monotonic() - self.t0
        return max(0.0, elapsed * (total - self.lines_done) / self.lines_done)

    def _refresh(self) -> None:
        if self._bar is None:
            return
        eta = self.eta_s()
        left = "ETA --" if eta is None else f"ETA {int(eta) // 3600}:{int(eta) % 3600 // 60:02d}:{int(eta) % 60:02d}"
        info = (f"{self.works - self.done} left · {self.failed} failed · "
                f"{self.audio_ms / 3_600_000:.2f} h audio · {left}")
        self._bar.update(self._task, info=info)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def export_command(
    sources: Annotated[list[Path], typer.Argument(help="Works, folders (searched recursively for .txt, .html, "
                                                  ".htm, .epub) or list files (one path per line, # comments).",
                                                  show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="The library folder: each work goes to "
                                         "LIBRARY/Author/Title/.", show_default=False)],
    voices: Annotated[Path | None, typer.Option("--voices", "-v", help="The global voices.yaml (default: "
                                                "./voices.yaml); <work>.voices.yaml beside a work goes over it.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="Chapter file format: m4a, mp3, opus, flac, wav.")] = "m4a",
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=0, help="Chapters rendered at once over all works "
                                      "(default: CPU count; local executor).")] = 0,
    m4b: Annotated[bool, typer.Option("--m4b/--no-m4b", help="Also write <Title>.m4b for each work.")] = True,
    mp3_book: Annotated[bool, typer.Option("--mp3-book", help="Also write <Title>.mp3 (one MP3 with ID3 chapter "
                                           "frames) for each work.")] = False,
    notes: Annotated[str | None, typer.Option("--notes", help="Author's notes: read or skip (default: skip).")] = None,
    cache: Annotated[Path | None, typer.Option("--cache", help="Segment cache folder (default: ~/.cache/castbook; "
                                               "on a cluster, a shared folder).")] = None,
    executor: Annotated[str, typer.Option("--executor", help="local (threads here) or ray (chapters as Ray "
                                          "tasks; pip install 'castbook\\[ray]').")] = "local",
    ray_address: Annotated[str | None, typer.Option("--ray-address", help="Ray cluster to use, e.g. auto or "
                                                    "ray://head:10001 (default: start a local Ray instance).")] = None,
    engine: Annotated[str | None, typer.Option("--engine", hidden=True, help="Force one engine for all voices.")] = None,
) -> None:
    """Export a whole library: every work to LIBRARY/Author/Title/, skipping works already up to date.

    A work that fails is reported and the batch goes on; the exit code is 1 when any work failed.
    LIBRARY/castbook-report.json lists every work with its status, chapters, duration and files.

    Example: castbook export ~/fics -o ~/audiobooks --jobs 4
    """
    from ..cli import _cache_dir

    if executor not in ("local", "ray"):
        raise CastbookError(f"--executor: expected local or ray, got '{executor}'")
    if notes is not None and notes not in ("read", "skip"):
        raise CastbookError(f"--notes: expected read or skip, got '{notes}'")
    if ray_address is not None and executor != "ray":
        raise CastbookError("--ray-address needs --executor ray")
    opts = ExportOptions(library=output, cache_dir=cache or _cache_dir(), fmt=fmt, jobs=jobs or (os.cpu_count() or 1),
                         m4b=m4b, mp3_book=mp3_book, notes=notes, engine=engine, voices=voices, executor=executor,  # type: ignore[arg-type]
                         ray_address=ray_address)
    bar = BatchBar(enabled=err.is_terminal)
    try:
        report = export(sources, opts, bar)
    finally:
        bar.stop()
    _summary(report)
    if report.return_code:
        raise typer.Exit(report.return_code)


def _summary(report: Report) -> None:
    """One line per work (status, name, chapters, audio, time, unattributed lines, folder or error), then totals."""
    for w in report.works:
        if w.status == "failed":
            out.print(f"failed   {w.error}", highlight=False, markup=False, soft_wrap=True)
            continue
        name = (w.title or Path(w.source).name) + (f" by {w.author}" if w.author else "")
        out.print(f"{w.status:<8} {name}: {w.chapters} chapter(s), {w.duration_ms / 60000:.1f} min, "
                  f"{w.seconds:.1f} s, {w.unattributed}/{w.dialogue} dialogue lines without speaker "
                  f"-> {w.folder}", highlight=False, markup=False, soft_wrap=True)
        if w.removed:
            old = os.path.commonpath([str(Path(r).parent) for r in w.removed])
            out.print(f"         removed the previous export ({len(w.removed)} file(s)) in {old}", highlight=False,
                      markup=False, soft_wrap=True)
        for warning in w.warnings:
            out.print(f"         warning: {warning}", highlight=False, markup=False, soft_wrap=True)
    hours = sum(w.duration_ms for w in report.works if w.status != "failed") / 3_600_000
    out.print(f"{report.count('done')} exported, {report.count('skipped')} up to date (skipped), "
              f"{report.count('failed')} failed; {hours:.2f} h of audio; {report.seconds:.1f} s; "
              f"report: {Path(report.library) / REPORT}", highlight=False, markup=False, soft_wrap=True)
