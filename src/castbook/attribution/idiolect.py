"""Idiolects: how each character talks (pet words, forms of address, tics), learnt from their surely tagged lines."""

from __future__ import annotations

import math
import re

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

_WORD = re.compile(r"[a-z][a-z]*(?:['\u2019][a-z]+)*")
_MARKS = (("!", "!"), ("?", "?"), ("...", "\u2026"), ("\u2014", "--"))
_PRIOR = 4.0
"""Pseudo-lines of everyone's sure lines mixed into each character's counts (Dirichlet smoothing)."""
_MIN_LINES = 10
"""Characters with fewer sure lines get no model."""
_CLIP = 1.5
"""No single word counts for more than this (a word a character happened to use once or never)."""
_UNSEEN = object()
"""(`Idiolects.ratios`: a feature not looked at yet for the character.)"""


def features(text: str) -> frozenset[str]:
    """The distinct words of a line (lower case, contractions kept), its first and last word (where
    forms of address and tics sit: `Mate, ...`, `..., kid.`) and its punctuation habits (`!`, `...`, dashes)."""
    words = _WORD.findall(text.lower())
    out = set(words)
    if words:
        out.add("^" + words[0])
        out.add(words[-1] + "$")
    for mark, *forms in _MARKS:
        if mark in text or any(f in text for f in forms):
            out.add("#" + mark)
    return frozenset(out)


@dataclass(slots=True)
class Idiolects:
    """Per character: in how many of their sure lines each feature occurs; and over all the sure lines of the work."""

    lines: dict[int, int] = field(default_factory=dict)
    counts: dict[int, Counter] = field(default_factory=dict)
    total_lines: int = 0
    total: Counter = field(default_factory=Counter)
    ratios: dict[int, dict[str, float | None]] = field(default_factory=dict)
    """Each character's clipped log-ratio per feature, worked out when first needed (None: a feature never used)."""

    @classmethod
    def learn(cls, sure: Iterable[tuple[int, str]]) -> Idiolects:
        """From the work's lines whose speaker is sure; together they stand for how anyone in the work talks."""
        model = cls()
        for pid, text in sure:
            feats = features(text)
            model.total_lines += 1
            model.total.update(feats)
            model.lines[pid] = model.lines.get(pid, 0) + 1
            model.counts.setdefault(pid, Counter()).update(feats)
        for pid in [p for p, n in model.lines.items() if n < _MIN_LINES]:
            del model.lines[pid], model.counts[pid]
        return model

    def score(self, pid: int, feats: frozenset[str]) -> float | None:
        """How much likelier `pid` says a line with these features than the work's sure lines at large (a sum of
        clipped log-ratios); None when `pid` has too few sure lines to tell."""
        n = self.lines.get(pid)
        if n is None:
            return None
        ratios = self.ratios.get(pid)
        if ratios is None:
            ratios = self.ratios[pid] = {}
        terms = []
        unused = 0
        for f in feats:
            r = ratios.get(f, _UNSEEN)
            if r is _UNSEEN:
                # Worked out once per character and feature: None for a feature the character never used.
                c = self.counts[pid]
                if f in c:
                    bg = (self.total[f] + 0.5) / (self.total_lines + 1)
                    r = math.log((c[f] + _PRIOR * bg) / (n + _PRIOR) / bg)
                    r = _CLIP if r > _CLIP else -_CLIP if r < -_CLIP else r
                else:
                    r = None
                ratios[f] = r
            if r is None:
                unused += 1
            else:
                terms.append(r)
        # A feature the character never used: the same log-ratio for every such feature.
        terms.append(unused * max(-_CLIP, math.log(_PRIOR / (n + _PRIOR))))
        # fsum: the features come from a set, whose order changes from run to run with string hashing, and a plain
        # sum in another order can differ in the last bit and so break a tie the other way.
        return math.fsum(terms)
