"""Speak Lines into cached WAV files: one file per distinct (speech, voice, engine) key."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import struct
import threading
import wave
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from .casting import Line
from .engines.base import SAMPLE_RATE, Engine, write_wav
from .errors import SegmentError

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
    failed: bool = False
    """True when the engine could not speak the line: wav_path is the marker tone, not in the cache."""


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

    def marker(self) -> Path:
        """A short quiet tone that stands in for a line the engine could not speak (written once)."""
        path = self.root / f"_marker-{SAMPLE_RATE}.wav"
        if not _readable(path):
            n = SAMPLE_RATE * _MARKER_MS // 1000
            fade = n // 8
            data = b"".join(struct.pack("<h", int(3000 * min(1.0, i / fade, (n - i) / fade)
                                                  * math.sin(2 * math.pi * 660 * i / SAMPLE_RATE)))
                            for i in range(n))
            write_wav(path, data)
        return path


def _file_identity(path: str) -> list[int]:
    """Size and modification time of a file ([] when it is missing; the engine reports that)."""
    try:
        st = Path(path).stat()
    except OSError:
        return []
    return [st.st_size, st.st_mtime_ns]


_MARKER_MS = 400


def _readable(path: Path) -> bool:
    """True for a complete WAV file (a header that parses and all the frames it announces)."""
    try:
        with wave.open(str(path), "rb") as w:
            expected = w.getnframes() * w.getsampwidth() * w.getnchannels()
        return path.stat().st_size >= expected + 44
    except (OSError, EOFError, wave.Error):
        return False


@dataclass(slots=True)
class SynthStats:
    """Counts for the progress display and the run summary."""

    synthesized: int = 0
    cached: int = 0
    failed: int = 0
    """Lines the engine could not speak (a marker tone stands in; the next run tries again)."""


def synthesize(lines: Sequence[Line], engines: Callable[[str], Engine], versions: Callable[[str], str],
               cache: SegmentCache, stats: SynthStats | None = None,
               on_line: Callable[[], None] | None = None) -> list[Rendered]:
    """Render every line that is not in the cache yet; return all lines with their WAV paths.

    `engines(name)` gives the engine to use for a voice's engine name, `versions(name)` its version.
    """
    return list(iter_synthesize(lines, engines, versions, cache, stats, on_line))


def iter_synthesize(lines: Sequence[Line], engines: Callable[[str], Engine], versions: Callable[[str], str],
                    cache: SegmentCache, stats: SynthStats | None = None,
                    on_line: Callable[[], None] | None = None,
                    failed: list[Line] | None = None) -> Iterator[Rendered]:
    """Like synthesize, one line at a time, so the encoder can work while the engine speaks.

    A line the engine cannot speak even after its retries (SegmentError) is reported, appended to
    `failed`, and replaced by a short marker tone, so the chapter still completes.
    """
    for line in lines:
        key = cache.key(line, versions(line.voice.engine))
        path = cache.path(key)
        bad = False
        if path.exists() and _readable(path):
            if stats:
                stats.cached += 1
            try:
                os.utime(path)  # "last used", for `castbook cache clear --older-than`
            except OSError:
                pass
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            # a private name first: two chapters (or works, or cluster nodes) may speak the same line at once,
            # and the engines' own `.part` name is shared between them
            own = path.with_name(f".{path.stem}.{os.getpid()}.{threading.get_ident()}.wav")
            try:
                engines(line.voice.engine).render(line.speech, line.voice, own)
                os.replace(own, path)
                if stats:
                    stats.synthesized += 1
            except SegmentError as exc:
                log.warning("chapter %d: %s; a short tone stands in for it, run again to retry", line.chapter, exc)
                path, bad = cache.marker(), True
                if stats:
                    stats.failed += 1
                if failed is not None:
                    failed.append(line)
        if on_line:
            on_line()
        yield Rendered(line, path, key, bad)
