"""Chapters as Ray tasks: the export's chapter pool on a Ray cluster (optional extra castbook[ray])."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from .config import Config
from .errors import CastbookError
from .model import Work
from .pipeline import (
    ChapterPlan,
    ChapterResult,
    Progress,
    RenderOptions,
    render_chapter_unit,
)
from .synthesize import SegmentCache, SynthStats

log = logging.getLogger(__name__)


def require_ray() -> Any:
    """The ray module, or a one-line error saying how to install it."""
    try:
        import ray
    except ImportError:
        raise CastbookError("--executor ray needs Ray; install it with: pip install 'castbook[ray]'") from None
    return ray


class RayWorkers:
    """Like pipeline.Workers, but each chapter is a Ray task (1 CPU) run on any node of the cluster.

    Every node needs castbook, espeak-ng and ffmpeg, and must see the library and the segment cache at the
    same paths (a shared file system). Only this process writes the state files and the .m4b.
    """

    def __init__(self, address: str | None = None, engine: str | None = None) -> None:
        ray = require_ray()
        self.ray = ray
        self.engine = engine
        self._started = False
        if not ray.is_initialized():
            try:
                ray.init(address=address, include_dashboard=False, logging_level=logging.WARNING,
                         log_to_driver=False)
            except Exception as exc:  # noqa: BLE001 - ConnectionError, RuntimeError, ValueError: no cluster there
                where = address or "a local instance"
                raise CastbookError(f"cannot start or reach Ray at {where} ({type(exc).__name__}: "
                                    f"{str(exc).strip().splitlines()[0] if str(exc).strip() else ''}); "
                                    "check --ray-address") from None
            self._started = True
        self.jobs = max(1, int(ray.cluster_resources().get("CPU", 1)))
        self._task = ray.remote(num_cpus=1)(render_chapter_unit)

    def render(self, chapters: Sequence[ChapterPlan], work: Work, cfg: Config, opts: RenderOptions,
               cache: SegmentCache, state: Any, stats: SynthStats, progress: Progress) -> list[ChapterResult]:
        """Run one task per chapter; record each result in the state file here, as it arrives."""
        ray = self.ray
        # the units need the work's tags, not its text: the chapters travel in their plans
        work_ref, cfg_ref, opts_ref = ray.put(replace(work, chapters=())), ray.put(cfg), ray.put(opts)
        refs = [self._task.remote(c, work_ref, len(chapters), cfg_ref, opts_ref, state.get(c.path.name))
                for c in chapters]
        where = {ref: i for i, ref in enumerate(refs)}
        results: list[ChapterResult | None] = [None] * len(refs)
        pending = list(refs)
        try:
            while pending:
                ready, pending = ray.wait(pending, num_returns=1)
                for ref in ready:
                    result, entry, counts = self._get(ref)
                    if entry is not None:
                        state.put(result.path.name, entry)
                    stats.synthesized += counts.synthesized
                    stats.cached += counts.cached
                    stats.failed += getattr(counts, "failed", 0)
                    for _ in chapters[where[ref]].lines:
                        progress.line_done()
                    progress.chapter_done(result)
                    results[where[ref]] = result
        finally:
            for ref in pending:
                ray.cancel(ref)
        return [r for r in results if r is not None]

    def _get(self, ref: Any) -> tuple[ChapterResult, dict | None, SynthStats]:
        ray = self.ray
        try:
            return ray.get(ref)
        except ray.exceptions.RayTaskError as exc:
            cause = getattr(exc, "cause", None)
            if isinstance(cause, CastbookError):
                raise CastbookError(str(cause)) from None
            what = cause if cause is not None else exc
            first = (str(what).strip().splitlines() or [""])[0]
            raise CastbookError(f"a chapter task failed on the Ray cluster ({type(what).__name__}: {first})") from None
        except ray.exceptions.RayError as exc:
            first = (str(exc).strip().splitlines() or [""])[0]
            raise CastbookError(f"Ray lost a chapter task ({type(exc).__name__}: {first})") from None

    def close(self) -> None:
        """Shut down the Ray instance when this object started it."""
        if self._started:
            self.ray.shutdown()
            self._started = False
