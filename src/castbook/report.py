"""What an export did: one record per work, the batch's counts and exit code, and the progress protocol."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal, Protocol

from . import __version__

REPORT = "castbook-report.json"
"""The report's file name in the library."""

Status = Literal["done", "skipped", "failed"]


@dataclass(slots=True)
class WorkReport:
    """What happened to one work."""

    source: str
    status: Status
    title: str | None = None
    author: str | None = None
    folder: str | None = None
    """Output folder, relative to the library."""
    chapters: int = 0
    duration_ms: int = 0
    outputs: list[str] = field(default_factory=list)
    """Files written (chapter files, .m4b, ...), relative to the library."""
    dialogue: int = 0
    """Dialogue lines in the work."""
    unattributed: int = 0
    """Dialogue lines with no speaker (read with the default voice)."""
    warnings: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    """Files of the work's previous export in another folder (its title or author changed), removed in this run;
    relative to the library."""
    error: str | None = None
    """One line: why the work failed."""
    seconds: float = 0.0
    """Time spent on this work in this run."""


@dataclass(slots=True)
class Report:
    """The whole batch; decides the exit code."""

    library: str
    executor: str
    started: str
    seconds: float = 0.0
    works: list[WorkReport] = field(default_factory=list)
    complete: bool = True
    """False when the run was interrupted: works not reported were not finished."""

    def count(self, status: Status) -> int:
        return sum(1 for w in self.works if w.status == status)

    @property
    def return_code(self) -> int:
        """1 when any work failed, else 0."""
        return 1 if self.count("failed") else 0

    def to_dict(self) -> dict:
        return {"castbook": __version__, "library": self.library, "executor": self.executor,
                "started": self.started, "seconds": round(self.seconds, 3), "complete": self.complete,
                "counts": {s: self.count(s) for s in ("done", "skipped", "failed")},
                "works": [asdict(w) for w in self.works]}


class BatchProgress(Protocol):
    """What export reports while it runs (the CLI draws it)."""

    def begin(self, works: int) -> None: ...
    def planned(self, lines: int) -> None: ...
    def line_done(self) -> None: ...
    def chapter_done(self, duration_ms: int) -> None: ...
    def work_done(self, report: WorkReport) -> None: ...


class NoProgress:
    """A BatchProgress that shows nothing."""

    def begin(self, works: int) -> None:
        pass

    def planned(self, lines: int) -> None:
        pass

    def line_done(self) -> None:
        pass

    def chapter_done(self, duration_ms: int) -> None:
        pass

    def work_done(self, report: WorkReport) -> None:
        pass
