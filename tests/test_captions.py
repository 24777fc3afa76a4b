"""Captions: sentence cues timed by characters, WebVTT and SRT read back with real parsers."""

from __future__ import annotations

import itertools
import re

import srt
import webvtt
from hypothesis import given, settings
from hypothesis import strategies as st

from castbook.captions import MIN_CUE_MS, Caption, split_sentences, to_srt, to_vtt


def _vtt_ms(clock: str) -> int:
    h, m, s = clock.split(":")
    return round((int(h) * 3600 + int(m) * 60 + float(s)) * 1000)


def test_one_cue_per_sentence_timed_by_characters():
    cap = Caption(1000, 7000, "Mara", "The tide turned. We ran for the boats! Did anyone look back?")
    cues = split_sentences(cap)
    assert [c.text for c in cues] == ["The tide turned.", "We ran for the boats!", "Did anyone look back?"]
    assert cues[0].start_ms == 1000 and cues[-1].end_ms == 7000
    assert all(a.end_ms == b.start_ms for a, b in itertools.pairwise(cues))
    assert all(c.speaker == "Mara" for c in cues)
    # "We ran for the boats!" is 21 of 58 characters (spaces between sentences not counted)
    total = sum(len(c.text) for c in cues)
    assert abs((cues[1].end_ms - cues[1].start_ms) - 6000 * 21 / total) <= 1


def test_abbreviations_and_initials_do_not_end_a_sentence():
    cap = Caption(0, 9000, None, "Mr. Quill met Dr. Ash at St. Ives. J. R. Hale was late. Then it rained.")
    assert [c.text for c in split_sentences(cap)] == [
        "Mr. Quill met Dr. Ash at St. Ives.", "J. R. Hale was late.", "Then it rained."]


def test_closing_quotes_stay_with_their_sentence():
    cap = Caption(0, 6000, None, 'She said "Go." Then "Wait!" he called. Nobody moved.')
    assert [c.text for c in split_sentences(cap)] == ['She said "Go."', 'Then "Wait!" he called.', "Nobody moved."]


def test_short_pieces_merge_so_no_cue_is_unreadably_short():
    cap = Caption(0, 2000, None, "Oh. A very much longer sentence comes right after that little one. Hm.")
    cues = split_sentences(cap)
    assert all(c.end_ms - c.start_ms >= MIN_CUE_MS for c in cues)
    assert cues[0].text.startswith("Oh. A very") and cues[-1].text.endswith("one. Hm.")
    assert " ".join(c.text for c in cues) == cap.text


def test_a_short_caption_stays_whole():
    cap = Caption(0, 500, None, "Yes. No.")
    assert split_sentences(cap) == [Caption(0, 500, None, "Yes. No.")]


def test_a_long_sentence_is_cut_at_a_clause():
    text = ("the lamps along the harbour wall went out one by one, " * 5).strip().rstrip(",") + "."
    cues = split_sentences(Caption(0, 20000, None, text), max_chars=120)
    assert len(cues) > 1 and all(len(c.text) <= 120 for c in cues)
    assert all(c.text.endswith((",", ".")) for c in cues)
    assert " ".join(c.text for c in cues) == text


def test_vtt_reads_back_with_voices_and_escapes():
    caps = [Caption(0, 1500, "Mara & <Co>", "a < b && c > d --> e"),
            Caption(1500, 61_234, None, "line one\n\nline two"),
            Caption(3_600_000, 3_600_001, "Ash", "late"), Caption(3_600_001, 3_600_900, "Ash--", "-->")]
    text = to_vtt(caps)
    assert text.startswith("WEBVTT\n\n")
    assert "00:01:01.234" in text and "01:00:00.001" in text
    cues = list(webvtt.from_string(text))
    assert len(cues) == 4 and cues[3].voice == "Ash" and cues[3].raw_text == "<v Ash>--&gt;</v>"
    assert cues[0].voice == "Mara &amp; &lt;Co&gt;"
    assert cues[0].raw_text == "<v Mara &amp; &lt;Co&gt;>a &lt; b &amp;&amp; c &gt; d --&gt; e</v>"
    assert cues[1].voice is None and cues[1].raw_text == "line one line two"
    assert [(_vtt_ms(c.start), _vtt_ms(c.end)) for c in cues] == [(0, 1500), (1500, 61234), (3600000, 3600001), (3600001, 3600900)]


def test_srt_reads_back_numbered_with_speaker_prefix():
    caps = [Caption(250, 1500, "Mara", "Hello ---> there"), Caption(1600, 62_005, None, "Narration\n\nhere")]
    subs = list(srt.parse(to_srt(caps)))
    assert [s.index for s in subs] == [1, 2]
    assert subs[0].content == "Mara: Hello -> there" and subs[1].content == "Narration here"
    assert [(s.start.total_seconds(), s.end.total_seconds()) for s in subs] == [(0.25, 1.5), (1.6, 62.005)]
    assert ",005" in to_srt(caps)


def test_overlaps_are_clipped_and_empty_cues_dropped():
    caps = [Caption(1000, 3000, None, "b"), Caption(0, 2000, None, "a"), Caption(2500, 2800, None, "inside"),
            Caption(4000, 4000, None, "zero"), Caption(5000, 6000, None, "   ")]
    cues = list(webvtt.from_string(to_vtt(caps)))
    assert [(c.text, _vtt_ms(c.start), _vtt_ms(c.end)) for c in cues] == [("a", 0, 2000), ("b", 2000, 3000)]
    assert to_srt([]) == "" and to_vtt([]) == "WEBVTT\n"


_text = st.text(alphabet=st.sampled_from(list("ab .!?\n&<>-\"'AZ")), min_size=1, max_size=80)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(-50, 5_000), st.one_of(st.none(), _text), _text),
                max_size=12))
def test_any_captions_give_valid_ordered_cues(raw):
    caps = [Caption(start, start + dur, speaker, text) for start, dur, speaker, text in raw]
    pieces = [p for c in caps for p in split_sentences(c)]
    vtt = to_vtt(pieces)
    cues = list(webvtt.from_string(vtt))
    times = [(_vtt_ms(c.start), _vtt_ms(c.end)) for c in cues]
    assert all(s < e for s, e in times)
    assert all(e1 <= s2 for (_, e1), (s2, _) in itertools.pairwise(times))
    for block in vtt.split("\n\n")[1:]:
        timing, body = block.split("\n", 1)
        assert re.fullmatch(r"\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}", timing)
        assert "\n" not in body.strip() and "-->" not in body
    subs = list(srt.parse(to_srt(pieces)))
    assert [(round(s.start.total_seconds() * 1000), round(s.end.total_seconds() * 1000)) for s in subs] == times
