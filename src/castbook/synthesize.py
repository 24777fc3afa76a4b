"""Speak Lines into cached WAV files: one file per distinct (speech, voice, engine) key."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from .casting import Line
from .engines.base import SAMPLE_RATE, Engine

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Rendered:
    """A Line with its audio."""

    line: Line
    """What was spoken."""
    wav_path: Path
    """The cached WAV (16-bit mono at SAMPLE_RATE)."""
    key: str
    """The cache key (changes whenever the audio would)."""


class SegmentCache:
    """WAV files named by a hash of everything that changes the audio; written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def key(self, line: Line, engine_version: str) -> str:
        """Hash of text after normalisation and lexicon, engine, voice settings, engine version, rate."""
        parts = [line.speech, asdict(line.voice), engine_version, SAMPLE_RATE]
        if line.voice.model:  # a model file is part of the voice: replacing it changes the sound
            parts.append(_file_identity(line.voice.model))
        blob = json.dumps(parts, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]

    def path(self, key: str) -> Path:
        """Where the WAV for `key` lives."""
        return self.root / key[:2] / f"{key}.wav"


def _file_identity(path: str) -> list[int]:
    """Size and modification time of a file ([] when it is missing; the engine reports that)."""
    try:
        st = Path(path).stat()
    except OSError:
        return []
    return [st.st_size, st.st_mtime_ns]


@dataclass(slots=True)
class SynthStats:
    """Counts for the progress display and the run summary."""

    synthesized: int = 0
    cached: int = 0


def synthesize(lines: Sequence[Line], engines: Callable[[str], Engine], versions: Callable[[str], str],
               cache: SegmentCache, stats: SynthStats | None = None,
               on_line: Callable[[], None] | None = None) -> list[Rendered]:
    """Render every line that is not in the cache yet; return all lines with their WAV paths.

    `engines(name)` gives the engine to use for a voice's engine name, `versions(name)` its version.
    """
    return list(iter_synthesize(lines, engines, versions, cache, stats, on_line))


def iter_synthesize(lines: Sequence[Line], engines: Callable[[str], Engine], versions: Callable[[str], str],
                    cache: SegmentCache, stats: SynthStats | None = None,
                    on_line: Callable[[], None] | None = None) -> Iterator[Rendered]:
    """Like synthesize, one line at a time, so the encoder can work while the engine speaks."""
    for line in lines:
        key = cache.key(line, versions(line.voice.engine))
        path = cache.path(key)
        if path.exists():
            if stats:
                stats.cached += 1
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            engines(line.voice.engine).render(line.speech, line.voice, path)
            if stats:
                stats.synthesized += 1
        if on_line:
            on_line()
        yield Rendered(line, path, key)
