"""Assembly with the fake engine: pauses by structure, trimming, frame alignment, cue times."""

from __future__ import annotations

from castbook.assemble import assemble, pause_ms
from castbook.casting import Line
from castbook.config import Pauses
from castbook.engines.fake import FakeEngine
from castbook.model import Break, Voice
from castbook.synthesize import SegmentCache, SynthStats, synthesize

P = Pauses(phrase_ms=100, paragraph_ms=600, turn_ms=400, scene_ms=1500, chapter_ms=900, title_ms=700, end_ms=1000)


def line(text, kind="narration", role="narrator", brk=Break.PARAGRAPH):
    return Line(chapter=1, kind=kind, text=text, speech=text, voice=Voice(voice="en-us" if role == "narrator" else role),
                role=role, break_before=brk)


def test_pause_rules():
    title, head = line("T", "title"), line("Chapter 1.", "heading")
    a, b = line("Hi.", "dialogue", "A"), line("Hello.", "dialogue", "B", Break.PARAGRAPH)
    assert pause_ms(None, title, P) == 0
    assert pause_ms(title, head, P) == 700
    assert pause_ms(head, a, P) == 900
    assert pause_ms(a, b, P) == 400  # turn
    assert pause_ms(a, line("He said.", brk=Break.PHRASE), P) == 100
    assert pause_ms(a, line("Later.", brk=Break.SCENE), P) == 1500
    assert pause_ms(line("x"), line("y"), P) == 600


def _render(tmp_path, lines):
    cache = SegmentCache(tmp_path / "cache")
    eng = FakeEngine()
    stats = SynthStats()
    rendered = synthesize(lines, lambda _n: eng, lambda _n: eng.version(), cache, stats)
    return rendered, stats, eng


def test_stream_has_exact_pauses_and_cues(tmp_path):
    lines = [line("one two", "heading"), line("three four five", "dialogue", "A"),
             line("six", "dialogue", "B", Break.PARAGRAPH), line("seven eight", brk=Break.SCENE)]
    rendered, stats, _ = _render(tmp_path, lines)
    chunks = []
    res = assemble(rendered, P, chunks.append, align=1024, lead=1024)
    pcm = b"".join(chunks)  # float32 samples
    assert (len(pcm) // 4 + 1024) % 1024 == 0 and res.samples == len(pcm) // 4 + 1024
    starts = [c.start_ms for c in res.cues]
    ends = [c.end_ms for c in res.cues]
    lead = 1024 * 1000 // 22050
    assert starts[0] == lead
    # fake speech is 250 ms a word; the gaps are exactly the configured pauses
    assert ends[0] - starts[0] == 500
    assert starts[1] - ends[0] == 900 and starts[2] - ends[1] == 400 and starts[3] - ends[2] == 1500
    assert [c.role for c in res.cues] == ["narrator", "A", "B", "narrator"]
    # the closing silence is the configured one, give or take half an AAC frame (23 ms)
    assert abs(res.duration_ms - ends[-1] - 1000) <= 24


def test_cache_reuses_identical_lines(tmp_path):
    lines = [line("same words"), line("same words"), line("other words")]
    rendered, stats, eng = _render(tmp_path, lines)
    assert eng.calls == 2 and stats.synthesized == 2 and stats.cached == 1
    assert rendered[0].wav_path == rendered[1].wav_path
    _, stats2, eng2 = _render(tmp_path, lines)
    assert eng2.calls == 0 and stats2.cached == 3


def test_cache_key_changes_with_voice_settings(tmp_path):
    cache = SegmentCache(tmp_path)
    a = line("Hello there.")
    b = Line(**{**{f: getattr(a, f) for f in a.__slots__}, "voice": Voice(voice="en-us", rate=180)})
    assert cache.key(a, "v1") != cache.key(b, "v1")
    assert cache.key(a, "v1") != cache.key(a, "v2")
    assert cache.key(a, "v1") == cache.key(line("Hello there."), "v1")
