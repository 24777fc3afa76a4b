"""Loudness: measure speech the way EBU R128 / ITU-R BS.1770 does and bring every voice to one level.

Each voice is levelled before its lines are joined, so the narrator and each character sit at the same
loudness (espeak-ng's voices differ by several LU out of the box) and the chapter's integrated loudness lands
on the target without a second pass over the audio: the pauses between lines are silent and fall below the
measurement's gates. Samples travel as float32, so a gain never clips; ffmpeg's look-ahead limiter
(alimiter, in the encoder, see encode.py) keeps the peaks under the true-peak ceiling.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

_ABSOLUTE_GATE = -70.0
_RELATIVE_GATE = -10.0
_BLOCK_S = 0.4
_STEP_S = 0.1
_MAX_GAIN_DB = 24.0
_FULL_SCALE = 32768.0


@dataclass(frozen=True, slots=True)
class Target:
    """Where the levelled audio should land."""

    lufs: float = -18.0
    """Integrated loudness of every line (and so of the whole book), LUFS."""
    true_peak_db: float = -1.5
    """Ceiling for true peaks, dBTP. The limiter works a little below it, for the encoder's overshoot."""
    margin_db: float = 0.8
    makeup_db: float = 0.5
    """Added to every gain for the loudness the limiter takes off speech peaks (0.4-0.6 LU measured on
    espeak-ng voices at -18 LUFS with a -2.3 dBFS ceiling)."""
    """Head-room kept under the ceiling for the inter-sample peaks the AAC encoder adds (0.4 dB measured)."""


def _biquad_high_shelf(rate: int, fc: float, gain_db: float, q: float) -> tuple[np.ndarray, np.ndarray]:
    a = 10 ** (gain_db / 40)
    w0 = 2 * math.pi * fc / rate
    alpha = math.sin(w0) / (2 * q)
    cw = math.cos(w0)
    sa = 2 * math.sqrt(a) * alpha
    b = [a * ((a + 1) + (a - 1) * cw + sa), -2 * a * ((a - 1) + (a + 1) * cw), a * ((a + 1) + (a - 1) * cw - sa)]
    den = [(a + 1) - (a - 1) * cw + sa, 2 * ((a - 1) - (a + 1) * cw), (a + 1) - (a - 1) * cw - sa]
    return np.array(b) / den[0], np.array(den) / den[0]


def _biquad_high_pass(rate: int, fc: float, q: float) -> tuple[np.ndarray, np.ndarray]:
    w0 = 2 * math.pi * fc / rate
    alpha = math.sin(w0) / (2 * q)
    cw = math.cos(w0)
    b = [(1 + cw) / 2, -(1 + cw), (1 + cw) / 2]
    den = [1 + alpha, -2 * cw, 1 - alpha]
    return np.array(b) / den[0], np.array(den) / den[0]


@lru_cache(maxsize=8)
def _k_filters(rate: int) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """BS.1770's K-weighting at any sample rate: a +4 dB high shelf (head), then a high-pass (RLB)."""
    return _biquad_high_shelf(rate, 1681.97, 3.99984, 0.7071752), _biquad_high_pass(rate, 38.13547, 0.5003270)


def _response(b: np.ndarray, a: np.ndarray, n: int) -> np.ndarray:
    """A biquad's frequency response at the bins of an n-point real FFT."""
    z = np.exp(-1j * np.pi * np.arange(n // 2 + 1) / (n // 2))
    return (b[0] + b[1] * z + b[2] * z * z) / (a[0] + a[1] * z + a[2] * z * z)


def k_weight(x: np.ndarray, rate: int) -> np.ndarray:
    """x through BS.1770's K-weighting, applied in the frequency domain (its magnitude response: the
    power per block is what matters, and this needs no filter library: scipy.signal alone costs ~80 MB)."""
    n = 1 << max(1, int(len(x) - 1).bit_length())
    (b1, a1), (b2, a2) = _k_filters(rate)
    gain = np.abs(_response(b1, a1, n) * _response(b2, a2, n))
    return np.fft.irfft(np.fft.rfft(x, n) * gain, n)[:len(x)]


def _block_powers(x: np.ndarray, rate: int) -> np.ndarray:
    """Mean square of the K-weighted signal over 400 ms blocks every 100 ms (one block if shorter)."""
    if len(x) == 0:
        return np.array([])
    y = k_weight(x, rate)
    sq = y * y
    block, step = int(_BLOCK_S * rate), int(_STEP_S * rate)
    if len(sq) <= block:
        return np.array([sq.mean()]) if len(sq) else np.array([])
    csum = np.concatenate(([0.0], np.cumsum(sq)))
    starts = np.arange(0, len(sq) - block + 1, step)
    return (csum[starts + block] - csum[starts]) / block


def _lufs(power: np.ndarray | float) -> np.ndarray | float:
    return -0.691 + 10 * np.log10(np.maximum(power, 1e-20))


def integrated_lufs(x: np.ndarray, rate: int) -> float:
    """Gated integrated loudness of float samples (full scale 1.0), LUFS; -inf for silence."""
    return _gated(_block_powers(np.asarray(x, dtype=np.float64), rate))


def _gated(powers: np.ndarray) -> float:
    """BS.1770 gating over block powers: absolute -70 LUFS, then relative -10 LU."""
    if powers.size == 0:
        return -math.inf
    powers = powers[_lufs(powers) > _ABSOLUTE_GATE]
    if powers.size == 0:
        return -math.inf
    gate = _lufs(powers.mean()) + _RELATIVE_GATE
    kept = powers[_lufs(powers) > gate]
    return float(_lufs(kept.mean()))


def true_peak_db(x: np.ndarray) -> float:
    """Peak level after 4x oversampling (an estimate of the inter-sample peak), dBTP."""
    if len(x) == 0:
        return -math.inf
    n = len(x)
    up = np.fft.irfft(np.fft.rfft(np.asarray(x, dtype=np.float64)), 4 * n) * 4  # band-limited 4x oversampling
    peak = float(np.max(np.abs(up)))
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def float_samples(pcm: bytes) -> np.ndarray:
    """16-bit PCM as float32 samples (full scale 1.0)."""
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / np.float32(_FULL_SCALE)


class Leveler:
    """Per-voice loudness matching: every line of a voice gets that voice's gain to the target.

    A voice's loudness is estimated from its first `measure_s` seconds of speech in the chapter (espeak-ng
    and Piper voices are steady, so that is plenty) and the estimate is refined line by line until then; a
    chapter is levelled the same way every time it is rendered. Peaks are left to the encoder's limiter.
    """

    def __init__(self, target: Target, rate: int, measure_s: float = 30.0) -> None:
        self.target = target
        self.rate = rate
        self.measure_s = measure_s
        self._blocks: dict[object, list[np.ndarray]] = {}
        self._seconds: dict[object, float] = {}
        self._estimate: dict[object, float] = {}

    def gain_db(self, voice: object, x: np.ndarray) -> float:
        """The gain for this line of `voice` (float samples), updating the voice's estimate first.

        The voice's blocks are gated together, as a meter gates the voice's speech run together: gating
        each line alone would leave out each line's quiet ends and read the voice ~0.5 LU too loud."""
        if self._seconds.get(voice, 0.0) < self.measure_s:
            blocks = _block_powers(np.asarray(x, dtype=np.float64), self.rate)
            self._blocks.setdefault(voice, []).append(blocks)
            self._seconds[voice] = self._seconds.get(voice, 0.0) + len(x) / self.rate
            self._estimate[voice] = _gated(np.concatenate(self._blocks[voice]))
        estimate = self._estimate.get(voice, -math.inf)
        if not math.isfinite(estimate):
            return 0.0
        return max(-_MAX_GAIN_DB, min(_MAX_GAIN_DB, self.target.lufs + self.target.makeup_db - estimate))

    def __call__(self, voice: object, pcm: bytes) -> np.ndarray:
        """16-bit PCM of one line -> float32 samples at the voice's level."""
        x = float_samples(pcm)
        return x * np.float32(10 ** (self.gain_db(voice, x) / 20))


def limiter_ceiling(target: Target) -> float:
    """The encoder's limiter threshold (linear): the true-peak ceiling less the encoder's overshoot."""
    return 10 ** ((target.true_peak_db - target.margin_db) / 20)
