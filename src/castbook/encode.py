"""The only ffmpeg caller: PCM -> chapter files, chapter files -> .m4b by stream copy, probing."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType

from .engines.base import CHANNELS, SAMPLE_RATE
from .errors import EncodeError
from .markers import ChapterMark, ffmetadata

log = logging.getLogger(__name__)

_INSTALL_HINT = "install it with: sudo apt-get install ffmpeg"

# format -> (codec arguments, muxer). AAC uses the fast coder: ~7x faster than the default
# twoloop coder on this machine, with no audible difference for speech at 64 kb/s.
# AAC chapter files are written WITHOUT an edit list: ffmpeg's concat demuxer drops edit lists when
# it stream-copies them into the .m4b, so each file's hidden priming and padding would shift every
# later chapter by ~30-80 ms. With whole frames in (see AAC_FRAME) and no edit list, a file's
# duration is exactly its packets, and chapter starts in the .m4b are exact sums of file durations.
FORMATS: dict[str, tuple[list[str], str]] = {
    "m4a": (["-c:a", "aac", "-aac_coder", "fast", "-b:a", "64k", "-use_editlist", "0"], "ipod"),
    "mp3": (["-c:a", "libmp3lame", "-b:a", "64k"], "mp3"),
    "opus": (["-c:a", "libopus", "-b:a", "32k"], "ogg"),
    "flac": (["-c:a", "flac"], "flac"),
    "wav": (["-c:a", "pcm_s16le"], "wav"),
}


AAC_FRAME = 1024
"""Samples per AAC frame; the encoder also emits one frame of priming before the audio."""


def frame_samples(fmt: str) -> int:
    """Feed the encoder a multiple of this many samples (1 when it does not matter)."""
    return AAC_FRAME if fmt == "m4a" else 1


def lead_samples(fmt: str) -> int:
    """Samples before the first real sample in the encoded file (AAC priming, kept as silence)."""
    return AAC_FRAME if fmt == "m4a" else 0


def require_ffmpeg() -> None:
    """Stop early with advice when ffmpeg or ffprobe is missing."""
    for tool in ("ffmpeg", "ffprobe"):
        if shutil.which(tool) is None:
            raise EncodeError(f"{tool} is not installed; {_INSTALL_HINT}")


def _part_name(dest: Path) -> Path:
    """A temporary name beside `dest` that no player or later run mistakes for the real file."""
    return dest.with_name(f".{dest.name}.part")


def _tag_args(tags: Mapping[str, str]) -> list[str]:
    args: list[str] = []
    for key, value in tags.items():
        if value:
            args += ["-metadata", f"{key}={value.replace(chr(0), '')}"]
    return args


def _run(argv: list[str], dest: Path, what: str) -> None:
    """Run ffmpeg (argv list, never a shell); on failure remove the partial file and raise EncodeError."""
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, errors="replace")
    except FileNotFoundError:
        raise EncodeError(f"ffmpeg is not installed; {_INSTALL_HINT}") from None
    if proc.returncode != 0:
        _part_name(dest).unlink(missing_ok=True)
        raise EncodeError(_failure(what, dest, proc.returncode, proc.stderr))


def _failure(what: str, dest: Path, rc: int, stderr: str) -> str:
    """One line: what ffmpeg was doing, its last words, and what to do when the cause is the disk."""
    tail = " ".join(stderr.strip().splitlines()[-2:])[:300]
    if rc < 0:
        name = signal.Signals(-rc).name if -rc in signal.Signals._value2member_map_ else str(-rc)
        tail = (tail + "; " if tail else "") + f"ffmpeg was stopped by {name}"
    text = f"ffmpeg failed while {what} {dest}: {tail or f'exit {rc}'}"
    low = tail.lower()
    if "no space left" in low or "disk quota" in low:
        return text + "; free some disk space and run the same command again (finished files are kept)"
    if "file too large" in low or "SIGXFSZ" in tail:
        return text + "; the file size limit was reached (ulimit -f): raise it or write elsewhere with -o"
    if "permission denied" in low or "read-only file system" in low:
        return text + "; choose a folder you can write to with -o"
    return text


_F_SETPIPE_SZ = 1031  # Linux fcntl: set a pipe's buffer size


def _widen_pipe(pipe) -> None:
    """A 1 MB pipe instead of 64 KB: with two encoders fed from one process, the small default
    pipe costs a context switch every 64 KB and took a third off the throughput of parallel encodes."""
    try:
        import fcntl

        fcntl.fcntl(pipe.fileno(), _F_SETPIPE_SZ, 1 << 20)
    except (ImportError, OSError, AttributeError):
        pass


class PcmEncoder:
    """Stream 16-bit mono PCM into ffmpeg; the file appears under its final name only when complete."""

    def __init__(self, dest: Path, fmt: str, tags: Mapping[str, str] | None = None, pcm: str = "s16le",
                 limit: float | None = None) -> None:
        """`pcm`: the sample format written (s16le or f32le); `limit`: a peak ceiling (linear, < 1) for
        ffmpeg's look-ahead limiter, with its delay compensated so no sample moves (None: no limiter)."""
        if fmt not in FORMATS:
            raise EncodeError(f"unknown audio format '{fmt}'; use one of: {', '.join(FORMATS)}")
        self.dest = dest
        self.part = _part_name(dest)
        codec, muxer = FORMATS[fmt]
        limiter = ["-af", f"alimiter=limit={limit:.4f}:level=0:latency=1:attack=5:release=60"] if limit else []
        self.argv = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                     "-f", pcm, "-ar", str(SAMPLE_RATE), "-ac", str(CHANNELS), "-i", "pipe:0",
                     *limiter, *codec, *_tag_args(tags or {}), "-f", muxer, str(self.part)]
        self._proc: subprocess.Popen | None = None
        self._err = None
        self.bytes_written = 0

    def __enter__(self) -> PcmEncoder:
        self._err = tempfile.TemporaryFile()
        try:
            self._proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                          stderr=self._err)
        except FileNotFoundError:
            raise EncodeError(f"ffmpeg is not installed; {_INSTALL_HINT}") from None
        _widen_pipe(self._proc.stdin)
        return self

    def write(self, pcm: bytes) -> None:
        """Send PCM samples to the encoder."""
        assert self._proc is not None and self._proc.stdin is not None
        try:
            self._proc.stdin.write(pcm)
        except BrokenPipeError:
            pass  # ffmpeg stopped; its exit code and stderr tell why in __exit__
        self.bytes_written += len(pcm)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        assert self._proc is not None and self._err is not None
        try:
            if self._proc.stdin:
                self._proc.stdin.close()
        except BrokenPipeError:
            pass
        if exc_type is not None:
            self._proc.kill()
        rc = self._proc.wait()
        self._err.seek(0)
        err = self._err.read().decode("utf-8", "replace")
        self._err.close()
        if exc_type is not None or rc != 0:
            self.part.unlink(missing_ok=True)
            if exc_type is None:
                raise EncodeError(_failure("encoding", self.dest, rc, err))
            return
        os.replace(self.part, self.dest)


def _concat_listing(folder: Path, files: Sequence[Path]) -> Path:
    """A list file for ffmpeg's concat demuxer, every path quoted as the demuxer wants."""
    listing = folder / "chapters.txt"
    listing.write_text("".join("file '" + str(p.resolve()).replace("'", "'\\''") + "'\n" for p in files),
                       encoding="utf-8")
    return listing


def build_m4b(chapter_files: Sequence[Path], marks: Sequence[ChapterMark], tags: Mapping[str, str],
              dest: Path, cover: Path | None = None) -> None:
    """Join AAC chapter files into one .m4b by stream copy (no second encode), with chapter marks."""
    with tempfile.TemporaryDirectory(prefix="castbook-") as tmp:
        listing = _concat_listing(Path(tmp), chapter_files)
        meta = Path(tmp) / "meta.txt"
        meta.write_text(ffmetadata(tags, marks), encoding="utf-8")
        argv = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                "-f", "concat", "-safe", "0", "-i", str(listing), "-i", str(meta)]
        maps = ["-map", "0:a"]
        if cover is not None:
            argv += ["-i", str(cover)]
            maps += ["-map", "2:v", "-c:v", "copy", "-disposition:v:0", "attached_pic"]
        argv += [*maps, "-map_metadata", "1", "-map_chapters", "1", "-c:a", "copy",
                 "-movflags", "+faststart", "-f", "ipod", str(_part_name(dest))]
        _run(argv, dest, "joining")
    os.replace(_part_name(dest), dest)


def build_mp3_book(chapter_files: Sequence[Path], dest: Path, finish: Callable[[Path], None] | None = None) -> None:
    """Decode the chapter files end to end and encode them once as one MP3 (any chapter format).

    Chapter files are decoded, not stream-copied: MP3 frames carry encoder delay and padding per file,
    which a copy would add up between chapters. `finish(part)` writes the tags and ID3 chapter frames
    into the finished audio before it gets its real name.
    """
    with tempfile.TemporaryDirectory(prefix="castbook-") as tmp:
        listing = _concat_listing(Path(tmp), chapter_files)
        part = _part_name(dest)
        argv = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                "-f", "concat", "-safe", "0", "-i", str(listing), "-map", "0:a", "-map_metadata", "-1",
                "-ar", str(SAMPLE_RATE), "-ac", str(CHANNELS), *FORMATS["mp3"][0], "-f", "mp3", str(part)]
        _run(argv, dest, "joining")
    try:
        if finish is not None:
            finish(part)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, dest)


def probe(path: Path) -> dict:
    """ffprobe's JSON view of a file: format, streams and chapters."""
    try:
        proc = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format",
                               "-show_streams", "-show_chapters", str(path)],
                              capture_output=True, text=True)
    except FileNotFoundError:
        raise EncodeError(f"ffprobe is not installed; {_INSTALL_HINT}") from None
    if proc.returncode != 0:
        raise EncodeError(f"ffprobe cannot read {path.name}: {proc.stderr.strip()[:200]}")
    return json.loads(proc.stdout)


def duration_s(path: Path) -> float:
    """The playing time of an audio file in seconds, from its container."""
    return float(probe(path)["format"]["duration"])


def duration_ms(path: Path) -> int:
    """The playing time of an audio file, from its container, in whole ms."""
    return round(duration_s(path) * 1000)
