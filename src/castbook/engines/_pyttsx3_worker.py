"""The pyttsx3 worker process: reads JSON requests on stdin, speaks chunks, writes checked WAVs.

Run by Pyttsx3Engine as `python -m castbook.engines._pyttsx3_worker`. It may die (espeak-ng can
crash on hostile input); the parent notices and starts a new one. Replies go to a private copy of
stdout, because pyttsx3 prints to stdout after every file it saves.
"""

from __future__ import annotations

import json
import os
import sys
import time
import types
import wave


def _quiet_stdout():
    """Keep fd 1 for replies only: pyttsx3's print() goes to /dev/null instead."""
    reply = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    return reply


def _engine():
    import pyttsx3
    import pyttsx3.drivers.espeak as espeak_driver

    # The driver's loop polls with time.sleep(0.01) after every utterance: 10 ms of idle per call,
    # more than espeak-ng needs to speak a sentence. A 1 ms poll keeps the GIL free for espeak's
    # callback thread (a busy loop without sleep is slower still) and is ~3x faster overall.
    espeak_driver.time = types.SimpleNamespace(sleep=lambda _s: time.sleep(0.001))
    return pyttsx3.init()


def _frames(path: str) -> tuple[int, bytes, int]:
    """(frames, 16-bit mono PCM, sample rate) of a complete WAV; wave.Error when it is cut short.

    pyttsx3 writes the header, with the final frame count, before the samples, and the kernel makes a
    big write visible a page at a time: a file read while espeak-ng's thread is still writing it has a
    full header and only its first 4 KB of samples. That is a truncated take, not a short one.
    """
    with wave.open(path, "rb") as w:
        n = w.getnframes()
        data = w.readframes(n)
        if w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise wave.Error(f"not 16-bit mono ({w.getnchannels()} channels, {8 * w.getsampwidth()} bits)")
        if len(data) != 2 * n:
            raise wave.Error(f"truncated: the header says {n} frames, the file holds {len(data) // 2}")
        return n, data, w.getframerate()


def _plausible(chunk: str, frames: int, data: bytes, rate: int, wpm: int) -> bool:
    """Is this really the chunk spoken? A cancelled utterance leaves a file that is empty, a few ms long or
    silent, with no error anywhere. Speech lasts at least a quarter of its words at the set rate."""
    words = sum(1 for w in chunk.split() if any(ch.isalnum() for ch in w))
    frames = min(frames, len(data) // 2)  # the samples actually there, whatever the header claims
    if words == 0:
        return frames > 0
    if frames < 0.25 * words * 60 / max(wpm, 1) * rate:
        return False
    samples = memoryview(data).cast("h") if len(data) % 2 == 0 else memoryview(b"")
    return any(abs(samples[i]) > 300 for i in range(0, len(samples), 7))


def _wait_idle(driver, espeak) -> None:
    """Let espeak-ng's thread finish the last utterance (and pyttsx3's callback write its file).

    runAndWait usually returns when pyttsx3 has seen the end of the message (not always: see
    _speak_chunk), but espeak-ng can still be "playing" for a moment. pyttsx3's next runAndWait then sees IsPlaying(), cancels, and returns at
    once: the new file is missing, or a stale callback writes the old audio under the new name.
    """
    deadline = time.monotonic() + 5.0
    while espeak.IsPlaying() and time.monotonic() < deadline:
        time.sleep(0.0005)
    driver._stopping = False


def _speak_chunk(engine, driver, espeak, chunk: str, tmp: str, wpm: int) -> tuple[bytes, int]:
    """Speak one chunk into `tmp` and return its checked (PCM, sample rate); three tries, then RuntimeError.

    runAndWait does not always wait for the file: on a new pyttsx3 engine the queued save_to_file runs in
    the same pump as runAndWait's own endLoop, so the loop has already ended when synthesis starts, and
    the WAV is written by espeak-ng's thread while we read it. So wait for espeak-ng to go idle before
    reading, and reject a file whose samples stop short of its header (see _frames).
    """
    problem = "no file"
    for _attempt in range(3):  # pyttsx3 sometimes writes nothing (or too little): try again, then give up
        _wait_idle(driver, espeak)
        if os.path.exists(tmp):
            os.remove(tmp)
        engine.save_to_file(chunk, tmp)
        engine.runAndWait()
        _wait_idle(driver, espeak)  # the first runAndWait of an engine returns before the file is written
        try:
            frames, data, rate = _frames(tmp)
        except (OSError, EOFError, wave.Error) as exc:
            problem = ("no file written" if isinstance(exc, FileNotFoundError)
                       else "empty file" if isinstance(exc, EOFError) else str(exc) or type(exc).__name__)
            continue
        if _plausible(chunk, frames, data, rate, wpm):
            return data, rate
        problem = f"{frames} frames at {rate} Hz, too short or silent"
    raise RuntimeError(f"engine wrote no audio (or too little) for {chunk[:40]!r} after 3 tries ({problem})")


def _voice_ids(engine) -> dict[str, str]:
    """Voice file ids ("gmw/en-us") by their short id ("en-us") and by language code ("en-gb")."""
    ids: dict[str, str] = {}
    by_language: dict[str, str] = {}
    for v in engine.getProperty("voices"):
        ids[v.id.split("/")[-1].lower()] = v.id
        for lang in v.languages or []:
            by_language.setdefault(str(lang).lower(), v.id)
    return {**by_language, **ids}


def _resolve(voice: str, ids: dict[str, str]) -> str:
    """"en-gb+f3" -> "gmw/en+f3": espeak-ng wants a voice file id, users write language codes too."""
    base, plus, variant = voice.partition("+")
    full = ids.get(base.lower())
    if full is None:
        raise RuntimeError(f"unknown voice {voice!r}")
    return full + plus + variant


def main() -> None:
    reply = _quiet_stdout()
    try:
        engine = _engine()
    except Exception as exc:  # no libespeak-ng, no voices: the parent turns this into advice
        reply.write(json.dumps({"ok": False, "fatal": f"{type(exc).__name__}: {exc}"}) + "\n")
        return
    reply.write(json.dumps({"ok": True, "ready": True}) + "\n")
    # pyttsx3 queues setProperty behind its busy flag, and after some call orders the queued change
    # is applied late or never (rate changes lost, unknown voices silently ignored). The driver's own
    # setProperty acts at once and raises on a bad voice, so properties are set on it directly.
    driver = engine.proxy._driver
    from pyttsx3.drivers import _espeak
    voice_ids = _voice_ids(engine)
    current: dict = {}
    for line in sys.stdin:
        req = json.loads(line)
        if req.get("op") == "voices":
            voices = [{"id": v.id, "name": v.name, "languages": list(v.languages or []),
                       "gender": v.gender} for v in engine.getProperty("voices")]
            reply.write(json.dumps({"ok": True, "voices": voices}) + "\n")
            continue
        try:
            wanted = dict(req)
            wanted["voice"] = _resolve(req["voice"], voice_ids)
            if any(current.get(k) != wanted[k] for k in ("voice", "rate", "pitch", "volume")):
                # espeak-ng's own thread can still be closing the last utterance after pyttsx3's loop
                # returns; a parameter set in that window is lost. Wait for it to go idle first.
                _espeak.Synchronize()
            if current.get("voice") != wanted["voice"]:
                current.clear()  # a new voice brings its own defaults: set everything again
                try:
                    driver.setProperty("voice", wanted["voice"])
                except ValueError:
                    raise RuntimeError(f"unknown voice {req['voice']!r}") from None
                current["voice"] = wanted["voice"]
                _espeak.Synchronize()  # the voice change is queued too, and resets rate and pitch when it runs
            for prop in ("rate", "pitch", "volume"):
                if current.get(prop) != wanted[prop]:
                    driver.setProperty(prop, wanted[prop])
                    current[prop] = wanted[prop]
            pcm = []
            rate = 22050
            tmp = req["out"] + ".chunk.part"  # never a *.wav name: a killed worker leaves no half WAV in the cache
            for chunk in req["chunks"]:
                data, rate = _speak_chunk(engine, driver, _espeak, chunk, tmp, wanted["rate"])
                pcm.append(data)
            part = req["out"] + ".part"
            with wave.open(part, "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(rate)
                for data in pcm:
                    w.writeframes(data)
            os.replace(part, req["out"])
            if os.path.exists(tmp):
                os.remove(tmp)
            frames = sum(len(d) for d in pcm) // 2
            reply.write(json.dumps({"ok": True, "frames": frames, "rate": rate}) + "\n")
        except Exception as exc:  # reported to the parent, which retries or splits
            reply.write(json.dumps({"ok": False, "error": str(exc), "errno": getattr(exc, "errno", None)}) + "\n")


if __name__ == "__main__":
    main()
