"""The Piper engine: neural voices (piper-tts on onnxruntime, CPU only), written as castbook's common WAV format.

A model is loaded once per process and shared by every engine instance (the pipeline makes one engine
per worker thread; onnxruntime sessions may be run from several threads at once). Each session uses one
intra-op thread by default, so --jobs chapters in parallel use --jobs cores and do not oversubscribe.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import EngineError
from ..model import Voice
from .base import SAMPLE_RATE, VoiceInfo, write_wav
from .piper_models import PiperModel, find_models, identity, voice_model

log = logging.getLogger(__name__)

THREADS_ENV = "CASTBOOK_PIPER_THREADS"
"""Environment variable: onnxruntime intra-op threads per model session (default 1)."""

INSTALL_HINT = "install it with: pip install 'castbook[piper]'"
NEUTRAL_RATE = 175
"""The `rate` (words per minute) at which a Piper voice speaks at its model's own pace."""
_SENTENCE_GAP_MS = 120
"""Silence added between the sentences of one line; Piper leaves only ~0.2 s, which sounds hurried."""
_HEADROOM = 0.89
"""Piper scales every sentence to full scale; 1 dB below it leaves room for AAC and sits close to espeak-ng's
level (measured on the same six sentences: en_US-joe-medium -20.9 LUFS, espeak-ng en-us -21.2 LUFS)."""
_PIPER_INPUTS = {"input", "input_lengths", "scales"}
_SPEAKABLE = re.compile(r"\w")
_MAX_LOADED = 4

_loaded: dict[tuple[Path, str], Any] = {}
_load_lock = threading.Lock()


def _piper() -> tuple[Any, Any, Any]:
    """(PiperVoice, PiperConfig, SynthesisConfig), or EngineError when piper-tts is not installed."""
    try:
        from piper import PiperVoice, SynthesisConfig
        from piper.config import PiperConfig
    except ImportError:
        raise EngineError(f"the piper engine needs piper-tts, which is not installed; {INSTALL_HINT}") from None
    return PiperVoice, PiperConfig, SynthesisConfig


def load_voice(model: PiperModel) -> Any:
    """The loaded PiperVoice for `model`, shared process-wide; loaded on first use (a few seconds)."""
    key = (model.path, identity(model.path))
    with _load_lock:
        voice = _loaded.get(key)
        if voice is not None:
            return voice
        piper_voice, piper_config, _ = _piper()
        import onnxruntime

        opts = onnxruntime.SessionOptions()
        opts.intra_op_num_threads = _threads()
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3  # errors only; warnings about unused initialisers are noise
        # Memory patterns are planned per input shape, and every sentence has a new shape: measured on a
        # chapter, peak RSS 313 MB with them and 242 MB without, at the same speed.
        opts.enable_mem_pattern = False
        try:
            config = piper_config.from_dict(json.loads(model.config_path.read_text(encoding="utf-8")))
        except (KeyError, TypeError, ValueError) as exc:
            raise EngineError(f"{model.config_path}: not a Piper voice config ({type(exc).__name__}: {exc}); "
                              "use the .onnx.json published with the voice") from None
        try:
            session = onnxruntime.InferenceSession(str(model.path), sess_options=opts,
                                                   providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own Fail/InvalidProtobuf/... types
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise EngineError(f"{model.path}: onnxruntime cannot load it as a model ({first[:160]}); "
                              "is it a Piper voice?") from None
        inputs = {i.name for i in session.get_inputs()}
        if not _PIPER_INPUTS <= inputs:
            raise EngineError(f"{model.path}: an ONNX model, but not a Piper voice (its inputs are "
                              f"{', '.join(sorted(inputs)) or 'none'}; Piper's are input, input_lengths, scales)")
        voice = piper_voice(session=session, config=config)
        while len(_loaded) >= _MAX_LOADED:
            _loaded.pop(next(iter(_loaded)))
        _loaded[key] = voice
        log.info("loaded Piper voice %s (%d Hz, %d speaker(s))", model.name, model.sample_rate, model.speakers)
        return voice


def _threads() -> int:
    raw = os.environ.get(THREADS_ENV, "1")
    try:
        return max(1, int(raw))
    except ValueError:
        raise EngineError(f"${THREADS_ENV}: expected a whole number of threads, got {raw!r}") from None


def check_installed() -> None:
    """EngineError with the install hint when piper-tts (or onnxruntime) cannot be imported."""
    _piper()
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        raise EngineError(f"the piper engine needs onnxruntime, which is not installed; {INSTALL_HINT}") from None


def check_voice(voice: Voice) -> PiperModel:
    """The model a Piper voice uses, after checking the files and the speaker number (EngineError if wrong)."""
    return _check_speaker(voice, voice_model(voice.model, voice.voice))


def _check_speaker(voice: Voice, model: PiperModel) -> PiperModel:
    if voice.speaker is not None and voice.speaker >= model.speakers:
        raise EngineError(f"{model.path}: speaker {voice.speaker} does not exist; this model has "
                          f"{model.speakers} speaker(s), numbered from 0")
    return model


def length_scale(voice: Voice, model_scale: float) -> float:
    """`length_scale` when set, else the model's own scale stretched by `rate` (175 wpm = the model's pace)."""
    if voice.length_scale is not None:
        return voice.length_scale
    return model_scale * NEUTRAL_RATE / max(1, voice.rate)


def resample(samples: Any, rate_in: int, rate_out: int = SAMPLE_RATE) -> Any:
    """Band-limited resampling of a float array (FFT: zero-pad or truncate the spectrum)."""
    import numpy as np

    if rate_in == rate_out or len(samples) == 0:
        return samples
    n_out = max(1, round(len(samples) * rate_out / rate_in))
    spectrum = np.fft.rfft(samples)
    out = np.zeros(n_out // 2 + 1, dtype=spectrum.dtype)
    keep = min(len(spectrum), len(out))
    out[:keep] = spectrum[:keep]
    return np.fft.irfft(out, n_out) * (n_out / len(samples))


class PiperEngine:
    """Piper neural voices; models loaded once per process and shared by all workers."""

    name = "piper"

    def __init__(self) -> None:
        self._models: dict[tuple[str | None, str], PiperModel] = {}

    def version(self) -> str:
        """piper-tts and onnxruntime versions and the identity of every Piper voice found.

        A `model:` file's own identity goes into the cache key through the voice (see SegmentCache.key).
        """
        models = ",".join(sorted(identity(m.path) for m in find_models()))
        return f"piper-tts-{_dist_version('piper-tts')}/onnxruntime-{_dist_version('onnxruntime')}/[{models}]"

    def list_voices(self) -> list[VoiceInfo]:
        """The Piper voices found in $CASTBOOK_PIPER_PATH folders and installed voice packages."""
        out = []
        for m in find_models():
            speakers = f", {m.speakers} speakers" if m.speakers > 1 else ""
            out.append(VoiceInfo(id=m.name, name=f"{m.name} ({m.quality or 'piper'}{speakers})",
                                 language=m.language))
        return out

    def render(self, text: str, voice: Voice, wav_path: Path) -> int:
        """Speak `text` with a Piper voice into `wav_path` (16-bit mono at SAMPLE_RATE); return ms."""
        import numpy as np

        model = self._model(voice)
        pv = load_voice(model)
        _, _, synthesis_config = _piper()
        syn = synthesis_config(
            speaker_id=voice.speaker,
            length_scale=length_scale(voice, pv.config.length_scale),
            noise_scale=voice.noise_scale,
            noise_w_scale=voice.noise_w,
            volume=voice.volume * _HEADROOM,
        )
        pieces: list[Any] = []
        if _SPEAKABLE.search(text):
            gap = np.zeros(int(model.sample_rate * _SENTENCE_GAP_MS / 1000 * syn.length_scale), dtype=np.float32)
            try:
                for chunk in pv.synthesize(text, syn_config=syn):
                    if pieces:
                        pieces.append(gap)
                    pieces.append(chunk.audio_float_array)
            except Exception as exc:  # phonemizer and onnxruntime errors; say which line failed
                raise EngineError(f"Piper voice {model.name} failed to speak {text[:60]!r} "
                                  f"({type(exc).__name__}: {str(exc)[:120]})") from None
        audio = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
        audio = resample(audio, model.sample_rate)
        pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        write_wav(wav_path, pcm)
        return round(len(pcm) // 2 * 1000 / SAMPLE_RATE)

    def _model(self, voice: Voice) -> PiperModel:
        key = (voice.model, voice.voice)
        if key not in self._models:
            self._models[key] = voice_model(voice.model, voice.voice)
        return _check_speaker(voice, self._models[key])

    def close(self) -> None:
        """Forget resolved models (loaded sessions stay shared in the process)."""
        self._models.clear()


@lru_cache(maxsize=None)
def _dist_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "none"
