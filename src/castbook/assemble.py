"""Join rendered lines into one chapter's PCM stream: trimmed, faded, with pauses by structure.

Audio is streamed to a sink (the encoder) a line at a time, so memory does not grow with the chapter.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pydub import AudioSegment
from pydub.silence import detect_leading_silence

from .casting import Line
from .config import Pauses
from .engines.base import CHANNELS, SAMPLE_RATE, SAMPLE_WIDTH
from .loudness import Leveler, float_samples
from .model import Break
from .synthesize import Rendered

log = logging.getLogger(__name__)

_SILENCE_DBFS = -50.0
_FADE_MS = 5
PCM_FORMAT = "f32le"
"""What the sink receives: float32 mono at SAMPLE_RATE, so a loudness gain never clips before the limiter."""
_PCM_WIDTH = 4


@dataclass(frozen=True, slots=True)
class Cue:
    """Where one line sits in the chapter's audio (for captions)."""

    start_ms: int
    end_ms: int
    role: str
    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class Assembled:
    """What was streamed for one chapter."""

    duration_ms: int
    samples: int
    cues: tuple[Cue, ...]


def pause_ms(prev: Line | None, line: Line, pauses: Pauses) -> int:
    """The silence before `line`, from what separates it from `prev`."""
    if prev is None:
        return 0
    if prev.kind == "title":
        return pauses.title_ms
    if prev.kind == "heading":
        return pauses.chapter_ms
    brk = line.break_before
    if brk is Break.SCENE:
        return pauses.scene_ms
    if brk in (Break.PARAGRAPH, Break.CHAPTER):
        if prev.kind == "dialogue" and line.kind == "dialogue" and prev.role != line.role:
            return pauses.turn_ms
        return pauses.paragraph_ms
    return pauses.phrase_ms


def load_speech(path) -> AudioSegment:
    """A rendered WAV at the common format, with the engine's leading and trailing silence trimmed."""
    seg = AudioSegment.from_wav(path)
    if seg.frame_rate != SAMPLE_RATE or seg.channels != CHANNELS or seg.sample_width != SAMPLE_WIDTH:
        seg = seg.set_frame_rate(SAMPLE_RATE).set_channels(CHANNELS).set_sample_width(SAMPLE_WIDTH)
    if len(seg) == 0:
        return seg
    start = detect_leading_silence(seg, silence_threshold=_SILENCE_DBFS, chunk_size=5)
    end = detect_leading_silence(seg.reverse(), silence_threshold=_SILENCE_DBFS, chunk_size=5)
    if start + end >= len(seg):
        return seg[:0]
    seg = seg[start:len(seg) - end]
    return seg.fade_in(min(_FADE_MS, len(seg) // 4)).fade_out(min(_FADE_MS, len(seg) // 4))


def _silence(samples: int) -> bytes:
    return b"\0" * (samples * _PCM_WIDTH * CHANNELS)


def assemble(rendered: Iterable[Rendered], pauses: Pauses, sink: Callable[[bytes], None], align: int = 1,
             lead: int = 0, leveler: Leveler | None = None) -> Assembled:
    """Stream the chapter's lines to `sink` (float32 PCM) with pauses between them and a closing silence.

    Each line is brought to its voice's level by `leveler` (none: as the engine made it). The closing
    silence is `pauses.end_ms`, lengthened or shortened by under half a frame so the total is a whole
    number of `align` samples (AAC frames); cue times are shifted by `lead` samples the encoder puts
    before the audio.
    """
    samples = lead
    cues: list[Cue] = []
    prev: Line | None = None
    for item in rendered:
        gap = pause_ms(prev, item.line, pauses) * SAMPLE_RATE // 1000
        if gap:
            sink(_silence(gap))
            samples += gap
        speech = load_speech(item.wav_path)
        n = len(speech.raw_data) // (SAMPLE_WIDTH * CHANNELS)
        if n == 0:
            prev = item.line if item.line.speech.strip() else prev
            continue
        samples_f = leveler(item.line.voice, speech.raw_data) if leveler else float_samples(speech.raw_data)
        data = samples_f.astype("<f4").tobytes()
        start = samples
        sink(data)
        samples += n
        cues.append(Cue(start * 1000 // SAMPLE_RATE, samples * 1000 // SAMPLE_RATE, item.line.role,
                        item.line.kind, item.line.text))
        prev = item.line
    tail = pauses.end_ms * SAMPLE_RATE // 1000
    over = (samples - lead + tail) % align
    tail += -over if over <= align // 2 and over <= tail else align - over
    if tail:
        sink(_silence(tail))
        samples += tail
    return Assembled(samples * 1000 // SAMPLE_RATE, samples, tuple(cues))
