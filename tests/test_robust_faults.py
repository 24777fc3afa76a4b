"""Robustness: missing tools, an engine that crashes or hangs on one line, a full or read-only disk, kill -9.

The real espeak-ng (through the pyttsx3 worker) and the real ffmpeg are used wherever the fault is theirs.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
import wave
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from castbook.cli import app
from castbook.encode import probe
from castbook.engines import pyttsx3_engine
from castbook.engines.pyttsx3_engine import Pyttsx3Engine

from .conftest import require_tools

runner = CliRunner()
AUDIO = (".m4a", ".m4b", ".mp3", ".wav", ".opus", ".flac")


def cli(*args):
    return runner.invoke(app, [str(a) for a in args])


def one_line_error(stderr: str, *needles: str) -> str:
    err = stderr.strip()
    assert err.startswith("error:") and "\n" not in err, err
    assert "Traceback" not in err and "internal error" not in err, err
    for n in needles:
        assert n in err, err
    return err


def story(path: Path, chapters: int = 2, extra: str = "") -> Path:
    parts = []
    for i in range(1, chapters + 1):
        parts.append(f"Chapter {i}\n\nThe lamp burned low over the harbour on night {i}. Mara climbed the stair.\n\n"
                     f"\u201cKeep it lit,\u201d said Mara.\n\nEli nodded and watched the water for a while.\n\n")
    path.write_text("".join(parts) + extra)
    return path


def final_audio(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in AUDIO and not p.name.startswith("."))


def parts(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.name.endswith(".part"))


def assert_cache_valid(cache: Path) -> int:
    """Every WAV in the cache opens and holds all the frames its header announces; returns their number."""
    wavs = sorted(cache.rglob("*.wav"))
    for p in wavs:
        with wave.open(str(p), "rb") as w:
            n = w.getnframes()
            assert len(w.readframes(n)) == n * w.getsampwidth() * w.getnchannels(), p
    return len(wavs)


def subprocess_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


# ---------------------------------------------------------------- missing tools


def _bin_with(tmp_path: Path, *tools: str) -> str:
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    for tool in tools:
        (folder / tool).symlink_to(shutil.which(tool))
    return str(folder)


def test_ffmpeg_missing_says_how_to_install(tmp_path):
    require_tools()
    work = story(tmp_path / "work.txt")
    proc = subprocess.run([sys.executable, "-m", "castbook", "render", str(work), "-o", str(tmp_path / "out"),
                           "--engine", "fake", "--cache", str(tmp_path / "cache")],
                          capture_output=True, text=True, timeout=60,
                          env=subprocess_env(PATH=_bin_with(tmp_path, "espeak-ng")))
    assert proc.returncode == 1, proc.stderr
    one_line_error(proc.stderr, "ffmpeg", "apt-get install ffmpeg")
    assert not final_audio(tmp_path)


def test_espeak_missing_says_how_to_install(tmp_path, monkeypatch):
    require_tools()
    work = story(tmp_path / "work.txt")
    monkeypatch.setenv("PATH", _bin_with(tmp_path, "ffmpeg", "ffprobe"))
    monkeypatch.setattr(pyttsx3_engine, "_espeak_library_present", lambda: False)
    res = cli("render", work, "-o", tmp_path / "out", "--cache", tmp_path / "cache")
    assert res.exit_code == 1, res.output
    one_line_error(res.stderr, "espeak-ng", "apt-get install espeak-ng")
    assert not final_audio(tmp_path)


def test_espeak_library_unloadable_says_how_to_install(tmp_path, monkeypatch):
    """The worker cannot load libespeak-ng (as when the package is half removed)."""
    require_tools()
    fake = tmp_path / "worker.py"
    fake.write_text("import json\nprint(json.dumps({'ok': False, 'fatal': "
                    "'OSError: libespeak-ng.so.1: cannot open shared object file'}), flush=True)\n")
    monkeypatch.setattr(Pyttsx3Engine, "worker_argv", (sys.executable, str(fake)))
    res = cli("render", story(tmp_path / "work.txt"), "-o", tmp_path / "out", "--cache", tmp_path / "cache")
    assert res.exit_code == 1, res.output
    one_line_error(res.stderr, "espeak-ng", "apt-get install espeak-ng")


# ---------------------------------------------------------------- an engine that crashes or hangs on one line

FAULTY_WORKER = """
import json, os, sys, time
from castbook.engines import _pyttsx3_worker as worker

class Faulty:
    '''The real worker's input, except that a request holding a trigger word crashes or hangs the worker.'''
    def __iter__(self):
        for line in sys.__stdin__:
            text = " ".join(json.loads(line).get("chunks", []))
            if "Zebracrash" in text:
                os._exit(3)
            if "Zebrahang" in text:
                time.sleep(600)
            yield line

sys.stdin = Faulty()
worker.main()
"""


HEALTHY_WORKER = Pyttsx3Engine.worker_argv


@pytest.fixture
def faulty_engine(tmp_path, monkeypatch):
    script = tmp_path / "faulty_worker.py"
    script.write_text(FAULTY_WORKER)
    monkeypatch.setattr(Pyttsx3Engine, "worker_argv", (sys.executable, str(script)))
    return script


@pytest.mark.parametrize("trigger", ["Zebracrash", "Zebrahang"])
def test_engine_fault_on_one_line_is_reported_and_render_completes(tmp_path, faulty_engine, caplog, monkeypatch,
                                                                   trigger):
    """The shipped timeout: a hang costs one wait, then one more with shorter utterances, then a marker tone."""
    require_tools()
    work = story(tmp_path / "work.txt", 2, extra=f"Chapter 3\n\nThe {trigger} lamp went dark.\n\nMara slept.\n")
    out, cache = tmp_path / "out", tmp_path / "cache"
    t0 = time.monotonic()
    res = cli("render", work, "-o", out, "--cache", cache, "--jobs", "2")
    elapsed = time.monotonic() - t0
    assert res.exit_code == 0, res.output
    assert elapsed < 60
    files = final_audio(out)
    assert len(files) == 4  # three chapters and the .m4b
    [book] = out.glob("*.m4b")
    assert len(probe(book)["chapters"]) == 3
    warnings = [r.getMessage() for r in caplog.records if r.name == "castbook.synthesize"]
    assert len(warnings) == 1 and trigger in warnings[0] and "chapter 3" in warnings[0], warnings
    n_cached = assert_cache_valid(cache)
    assert not parts(out) and not parts(cache)

    # the next run (engine healthy again) speaks the missing line and re-encodes only that chapter
    caplog.clear()
    monkeypatch.setattr(Pyttsx3Engine, "worker_argv", HEALTHY_WORKER)
    res = cli("render", work, "-o", out, "--cache", cache, "--jobs", "2")
    assert res.exit_code == 0, res.output
    assert res.stdout.count("unchanged") == 2
    assert "1 lines synthesized" in res.stdout
    assert assert_cache_valid(cache) == n_cached + 1


# ---------------------------------------------------------------- full disk, read-only folder


@contextmanager
def small_disk(path: Path, size: str):
    """A tiny tmpfs at `path` when this machine lets us mount one; else None (the caller uses RLIMIT_FSIZE)."""
    path.mkdir()
    mounted = False
    if os.geteuid() == 0 and shutil.which("mount"):
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                                 capture_output=True).returncode == 0
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(path)], capture_output=True)


def _limit_file_size(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_disk_full_while_encoding(tmp_path):
    """A chapter that does not fit: one clear line, no file under a final name, the cache intact."""
    require_tools()
    body = " ".join(["The lamp burned low and the keeper watched the dark water below the rocks."] * 4)
    work = tmp_path / "work.txt"  # chapter 2: three 14 s lines, about 2 MB as WAV
    work.write_text(f"Chapter 1\n\nShort first chapter.\n\nChapter 2\n\n{body}\n\n{body}\n\n{body}\n")
    cache = tmp_path / "cache"
    with small_disk(tmp_path / "disk", "1m") as mounted:
        argv = [sys.executable, "-m", "castbook", "render", str(work), "-o", str(tmp_path / "disk" / "out"),
                "--engine", "fake", "--cache", str(cache), "--format", "wav", "--jobs", "1", "--no-m4b"]
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=subprocess_env(),
                              preexec_fn=None if mounted else _limit_file_size(1_500_000))
        assert proc.returncode == 1, proc.stdout + proc.stderr
        err = one_line_error(proc.stderr, "02 - Chapter 2.wav")
        assert ("disk space" if mounted else "size limit") in err
        out = tmp_path / "disk" / "out"
        assert not parts(out)
        for f in final_audio(out):  # chapter 1 was finished before the disk filled: it is whole
            assert f.name.startswith("01 - ")
            assert probe(f)["format"]["duration"]
        assert assert_cache_valid(cache) > 3
        # room again (a folder on the big disk): the rerun completes from the cache
        proc = subprocess.run(argv[:6] + [str(tmp_path / "out2")] + argv[7:], capture_output=True, text=True,
                              timeout=60, env=subprocess_env())
        assert proc.returncode == 0, proc.stderr
        assert "0 lines synthesized" in proc.stdout


def test_output_folder_cannot_be_created(tmp_path):
    work = story(tmp_path / "work.txt")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    res = cli("render", work, "-o", blocker / "out", "--engine", "fake", "--cache", tmp_path / "cache")
    assert res.exit_code == 1, res.output
    one_line_error(res.stderr, "a-file")


@contextmanager
def read_only_folder(path: Path):
    """`path` as a folder nobody may write to: chmod for a normal user, a read-only tmpfs for root."""
    path.mkdir()
    if os.geteuid() != 0:
        path.chmod(0o555)
        try:
            yield
        finally:
            path.chmod(0o755)
        return
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(path)],
                      capture_output=True).returncode != 0:
        pytest.skip("running as root without permission to mount: cannot make a read-only folder")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


@pytest.mark.parametrize("where", ["output", "cache"])
def test_read_only_folder(tmp_path, where):
    require_tools()
    work = story(tmp_path / "work.txt")
    folder = tmp_path / "locked"
    with read_only_folder(folder):
        out = folder if where == "output" else tmp_path / "out"
        cache = folder / "cache" if where == "cache" else tmp_path / "cache"
        res = cli("render", work, "-o", out, "--cache", cache, "--engine", "fake", "--jobs", "1")
        assert res.exit_code == 1, res.output
        err = one_line_error(res.stderr, str(folder))
        assert "write to" in err
        assert not final_audio(out) and not parts(out)
        if where == "output":
            assert_cache_valid(cache)


# ---------------------------------------------------------------- kill -9 in the middle of a render


def test_kill_9_then_resume(tmp_path):
    require_tools()
    work = story(tmp_path / "work.txt", 6)
    out, cache = tmp_path / "out", tmp_path / "cache"
    argv = [sys.executable, "-m", "castbook", "render", str(work), "-o", str(out), "--cache", str(cache),
            "--jobs", "1"]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=subprocess_env())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None and not list(out.glob("02 - *.m4a")):
        time.sleep(0.02)
    assert proc.poll() is None, "the render ended before it could be killed: " + proc.stderr.read().decode()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stderr.close()
    done_before = final_audio(out)
    assert 2 <= len(done_before) < 6
    time.sleep(0.5)  # the orphaned engine worker and encoder see their pipes close and exit

    t0 = time.monotonic()
    rerun = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=subprocess_env())
    assert rerun.returncode == 0, rerun.stderr
    assert time.monotonic() - t0 < 60
    files = final_audio(out)
    assert [f.name for f in files if f.suffix == ".m4a"] == [f"0{i} - Chapter {i}.m4a" for i in range(1, 7)]
    [book] = out.glob("*.m4b")
    assert len(probe(book)["chapters"]) == 6
    assert "unchanged" in rerun.stdout  # chapters finished before the kill are not encoded again
    for f in files:
        assert float(probe(f)["format"]["duration"]) > 1
    assert not parts(out) and not parts(cache)
    assert assert_cache_valid(cache) > 6
    state = json.loads((out / ".castbook-state.json").read_text())
    assert len(state["chapters"]) == 6
