"""The pyttsx3 engine (espeak-ng on Linux): every pyttsx3 quirk is handled here and nowhere else.

Measured with pyttsx3 2.99 and espeak-ng 1.51: a long save_to_file can silently write nothing,
~20 KB of text in one call crashes the process, save_to_file calls queued before one runAndWait are
dropped, every runAndWait sleeps 10 ms, and an engine's first runAndWait returns before its file is
written (read then, it has a full header and part of the samples). So: text is cut into short
utterances (about six seconds of speech each), one save_to_file + runAndWait per utterance, every
output is checked (complete, long enough, not silent), and all of it runs in a worker process that
is replaced when it dies or hangs.
"""

from __future__ import annotations

import errno
import glob
import json
import logging
import os
import re
import select
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

from ..config import Voice
from ..errors import EngineError, SegmentError
from .base import VoiceInfo, write_wav

log = logging.getLogger(__name__)

_INSTALL_HINT = "install it with: sudo apt-get install espeak-ng"
_SECONDS_PER_CHUNK = 6.0
_MAX_TOKEN_CHARS = 60
_WORKER_REVISION = 2  # see Pyttsx3Engine.version
_SENTENCE_END = re.compile(r"(?<=[.!?…;:])\s+|(?<=[.!?…][\"”’'])\s+")
_CLAUSE_END = re.compile(r"(?<=[,;:—–])\s+|\s+(?=[—–])")
_SPEAKABLE = re.compile(r"\w")
_FATAL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG})


def split_utterances(text: str, max_words: int) -> list[str]:
    """Cut text into utterances of at most `max_words` words, at sentence, then clause, then word ends."""
    max_words = max(2, max_words)
    out: list[str] = []
    for sentence in _SENTENCE_END.split(text.strip()):
        words = sentence.split()
        if not words:
            continue
        words = [w[i:i + _MAX_TOKEN_CHARS] for w in words for i in range(0, len(w), _MAX_TOKEN_CHARS)]
        if len(words) <= max_words:
            out.append(" ".join(words))
            continue
        piece: list[str] = []
        for clause in _CLAUSE_END.split(" ".join(words)):
            cw = clause.split()
            if piece and len(piece) + len(cw) > max_words:
                out.append(" ".join(piece))
                piece = []
            while len(cw) > max_words:
                out.append(" ".join(cw[:max_words]))
                cw = cw[max_words:]
            piece.extend(cw)
        if piece:
            out.append(" ".join(piece))
    return [u for u in out if _SPEAKABLE.search(u)]


class _WorkerDied(Exception):
    pass


class Pyttsx3Engine:
    """pyttsx3 + espeak-ng in a replaceable worker process."""

    name = "pyttsx3"
    worker_argv: tuple[str, ...] = (sys.executable, "-m", "castbook.engines._pyttsx3_worker")
    """The worker's command line (a test may wrap it to inject faults)."""

    timeout_s = 8.0
    """Seconds a request may take, plus one second a chunk (espeak-ng speaks a chunk in ~20 ms)."""

    def __init__(self, timeout_s: float | None = None) -> None:
        self._proc: subprocess.Popen | None = None
        self._timeout_s = self.timeout_s if timeout_s is None else timeout_s
        self.restarts = 0

    # ------------------------------------------------------------ worker plumbing

    def _start(self) -> subprocess.Popen:
        if shutil.which("espeak-ng") is None and not _espeak_library_present():
            raise EngineError(f"espeak-ng is not installed; {_INSTALL_HINT}")
        proc = subprocess.Popen(
            list(self.worker_argv),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        self._proc = proc
        try:
            hello = self._read(30.0)
        except _WorkerDied:
            raise EngineError(f"the pyttsx3 worker could not start espeak-ng; {_INSTALL_HINT}") from None
        if not hello.get("ok"):
            self.close()
            raise EngineError(f"pyttsx3 could not start espeak-ng ({hello.get('fatal')}); {_INSTALL_HINT}")
        return proc

    def _read(self, timeout: float) -> dict:
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], timeout)
        if not ready:
            self._kill()
            raise _WorkerDied("timed out")
        line = proc.stdout.readline()
        if not line:
            self._kill()
            raise _WorkerDied("worker exited")
        return json.loads(line)

    def _ask(self, request: dict, timeout: float) -> dict:
        proc = self._proc if self._proc and self._proc.poll() is None else self._start()
        assert proc.stdin is not None
        try:
            proc.stdin.write((json.dumps(request) + "\n").encode("utf-8"))
            proc.stdin.flush()
        except (BrokenPipeError, OSError):
            self._kill()
            raise _WorkerDied("worker closed its input") from None
        return self._read(timeout)

    def _kill(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None
            self.restarts += 1

    def close(self) -> None:
        """Stop the worker process."""
        if self._proc is not None:
            if self._proc.stdin:
                self._proc.stdin.close()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None

    # ------------------------------------------------------------ Engine protocol

    def version(self) -> str:
        """pyttsx3 and espeak-ng versions (they change the audio), and the worker's revision.

        _WORKER_REVISION goes up when a fix changes what the worker accepts as a good take, so that audio
        cached before the fix is spoken again (revision 2: takes read while espeak-ng was still writing
        them were kept with only their first 4 KB of samples).
        """
        return f"pyttsx3-{_pyttsx3_version()}/espeak-ng-{_espeak_version()}/worker-{_WORKER_REVISION}"

    def list_voices(self) -> list[VoiceInfo]:
        """espeak-ng's language voices, then its variants (`+f3`, `+klatt`...) to combine with them."""
        reply = self._ask({"op": "voices"}, 30.0)
        out: list[VoiceInfo] = []
        for v in reply["voices"]:
            langs = v.get("languages") or [""]
            gender = (v.get("gender") or "").lower() or None
            out.append(VoiceInfo(id=v["id"].split("/")[-1], name=v["name"], language=langs[0],
                                 gender=gender if gender in ("male", "female") else None))
        out.extend(espeak_variants())
        return out

    def render(self, text: str, voice: Voice, wav_path: Path) -> int:
        """Speak `text` into `wav_path`; retries in a new worker, then with shorter utterances.

        Raises SegmentError when the text still cannot be spoken (the caller goes on without it), and
        OSError when the cache folder cannot be written (disk full, no permission): that stops the render.
        """
        max_words = int(voice.rate * _SECONDS_PER_CHUNK / 60)
        plans = [max_words, max_words, max(2, max_words // 3)]
        chunks: list[str] = []
        last_error = ""
        for attempt, words in enumerate(plans):
            if attempt == 1 and last_error == "timed out":
                continue  # a hang repeats with the same utterances: go straight to shorter ones
            chunks = split_utterances(text, words)
            if not chunks:
                _write_silence(wav_path, 0)
                return 0
            request = {"voice": voice.voice, "rate": voice.rate, "pitch": voice.pitch,
                       "volume": voice.volume, "chunks": chunks, "out": str(wav_path)}
            timeout = self._timeout_s + 1.0 * len(chunks)
            try:
                reply = self._ask(request, timeout)
            except _WorkerDied as exc:
                last_error = str(exc)
                log.warning("pyttsx3 worker died (%s) on %r; retrying", exc, text[:60])
                continue
            if reply.get("ok"):
                return round(reply["frames"] * 1000 / reply["rate"])
            last_error = reply.get("error", "unknown error")
            if reply.get("errno") in _FATAL_ERRNOS:
                raise OSError(reply["errno"], os.strerror(reply["errno"]), str(wav_path.parent))
            if "unknown voice" in last_error:
                raise EngineError(f"espeak-ng has no voice '{voice.voice}'; see `castbook voices list`")
        raise SegmentError(f"espeak-ng could not speak {text[:60]!r} ({last_error})")


def _write_silence(path: Path, frames: int) -> None:
    write_wav(path, b"\0\0" * frames)


@lru_cache(maxsize=1)
def _pyttsx3_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pyttsx3")
    except PackageNotFoundError:
        return "?"


@lru_cache(maxsize=1)
def _espeak_info() -> tuple[str, str]:
    """(version, data dir) of the installed espeak-ng."""
    exe = shutil.which("espeak-ng")
    if exe:
        try:
            out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        m = re.search(r"text-to-speech:\s*(\S+).*Data at:\s*(\S+)", out)
        if m:
            return m.group(1), m.group(2)
    dirs = glob.glob("/usr/lib/*/espeak-ng-data") + glob.glob("/usr/share/espeak-ng-data")
    return "?", dirs[0] if dirs else ""


def _espeak_version() -> str:
    return _espeak_info()[0]


def _espeak_library_present() -> bool:
    return bool(glob.glob("/usr/lib/*/libespeak-ng.so*") + glob.glob("/usr/lib/libespeak-ng.so*"))


@lru_cache(maxsize=1)
def espeak_variants() -> tuple[VoiceInfo, ...]:
    """espeak-ng's voice variants ("+f3", "+m2", "+klatt"...), read from its data folder."""
    data = _espeak_info()[1]
    folder = Path(data) / "voices" / "!v" if data else None
    if folder is None or not folder.is_dir():
        return ()
    out = []
    for f in sorted(folder.iterdir()):
        if not f.is_file():
            continue
        name, gender = f.name, None
        try:
            for line in f.read_text(encoding="utf-8", errors="replace").splitlines()[:12]:
                parts = line.split()
                if len(parts) >= 2 and parts[0] == "name":
                    name = " ".join(parts[1:])
                if len(parts) >= 2 and parts[0] == "gender":
                    gender = parts[1] if parts[1] in ("male", "female") else None
        except OSError:
            continue
        out.append(VoiceInfo(id=f"+{f.name}", name=name, gender=gender, kind="variant"))
    return tuple(out)
