"""Radio procedure: call signs (`Base`, `Two`, `Ridge Seven`) and the people behind them.

On a radio each call opens `X, Y.` (`Base, Two. Over.`): station Y calling station X. A call sign is nobody's name, so
the decoder cannot see that the line is Y's, nor that `Two, hold there.` speaks to someone. When the story ties a
call sign to a person (a line opening `Base, Two.` tagged `Callum said`, a reply to `Two, ...` tagged by name,
`Valley Base, which means Ines`), the sign counts as that person's name: the opener gives its speaker's name (a radio
check) and the address calls the one behind it."""

from __future__ import annotations

import re

from collections.abc import Sequence

from castbook.attribution.names import Cast
from castbook.attribution.quotes import Piece

_SIGN = r"[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2}"
_OPENER = re.compile(rf"^\W*(?:({_SIGN})|[\u2014\u2013-]+[a-z]+),\s+(?:this\s+is\s+)?({_SIGN})\s*(?:[.!]|,\W*$)")
"""`Base, Two.` / `Ridge Seven, Valley Base.` / `Base, this is Two.` / a call cut off (`\u2014ase, Two.`)."""
_SIGN_OFF = re.compile(rf"(?:^|[.!]\s+)({_SIGN})\s+out[.!]\W*$")
"""`Base out.`: a station ending the call with its own sign."""
_ADDRESS = re.compile(rf"^\W*({_SIGN})\s*[,!]|,\s+({_SIGN})\s*[.!?]\W*$")
"""A call sign at the edge of a line, set off by a comma (`Two, hold at the col.`, `Language, Two.`)."""
_RADIO = re.compile(r"\b(?:radio|handset|headset|mic|comms|transceiver|walkie(?:-talkie)?|intercom|earpiece)\b")
_TITLES = frozenset("Mr Mrs Ms Miss Dr Sir Madam Ma Pa St Mister Lady Lord".split())
_MEANS = re.compile(r"^,?\s+(?:which\s+|that\s+|who\s+)?(?:means|meant|is|was)\b")
_BY_TAG = frozenset({"tag_name", "split", "first_person", "desc_new", "desc_role", "desc_kin", "desc_contrast"})
"""Rules that name a line's speaker from a tag: a sure link between a call sign and a person."""
_BY_PRONOUN = frozenset({"pron_near", "pron_continues", "pron_fresh", "pron_last", "pron_turn", "pron_role"})
"""Rules that name a line's speaker through a pronoun: a weaker link (not decode's _HARD/_SOFT, which differ)."""


_OVER = re.compile(r"\b(?:[Oo]ver|[Oo]ut)[.!]\W*$")


def marked(text: str) -> bool:
    """A radio line by procedure: it ends `Over.` or `out.`."""
    return ("ver" in text or "out" in text) and bool(_OVER.search(text))


def call_signs(cast: Cast, paragraphs: Sequence[list[Piece]], resets: Sequence[bool], quotes: list) -> None:
    """Link call signs to people and mark the lines that give or address them (`q.intro`, `q.vocatives`)."""
    openers = []
    offs = []
    for k, q in enumerate(quotes):
        if ", " in q.text[:40]:
            m = _OPENER.match(q.text)
            if m:
                openers.append((k, m))
        if " out" in q.text[-12:]:
            m = _SIGN_OFF.search(q.text)
            if m:
                offs.append((k, m.group(1)))
    if len(openers) < 2:
        return
    pairs: dict[tuple[str, str], int] = {}
    for _, m in openers:
        x, y = m.groups()
        if y not in _TITLES and x not in _TITLES:
            pairs[x or "", y] = pairs.get((x or "", y), 0) + 1
    # A station gives its call sign again and again (`Base, Two.` ... `Base, Two.`), after the one it calls.
    mine: dict[str, int] = {}
    for (x, y), n in pairs.items():
        mine[y] = mine.get(y, 0) + n
    for _, y in offs:
        mine[y] = mine.get(y, 0) + 1
    signs = {y for y, n in mine.items() if n >= 2 and not cast.find(y)}
    # A call sign taken for a character (`Lodge, Four.` read as calling someone named Lodge): one never heard by name
    # nor named in the narration.
    as_person = {y: f[0][2] for y, n in mine.items() if n >= 2 and len(f := cast.find(y)) == 1 and f[0][:2] == (0, len(y))}
    if as_person:
        spoke = {q.speaker for q in quotes if q.why in _BY_TAG}
        told = {pid for ps in paragraphs for p in ps if p.kind == "narration" for _, _, pid in cast.find(p.text)}
        as_person = {y: pid for y, pid in as_person.items() if pid not in spoke and pid not in told}
        signs |= set(as_person)
    # (`Copy, Three.` acknowledges: Copy is nobody.)
    if not signs or sum(marked(q.text) for q in quotes) < 2 and not any(
            _RADIO.search(p.text) for ps in paragraphs for p in ps if p.kind == "narration"):
        return
    votes: dict[str, dict[int, float]] = {}

    def vote(sign: str, pid: int | None, w: float) -> None:
        if pid is not None and pid >= 0:
            votes.setdefault(sign, {})[pid] = votes.setdefault(sign, {}).get(pid, 0.0) + w

    for k, m in openers:
        x, y = m.groups()
        q = quotes[k]
        if y in signs and q.speaker is not None and q.why in _BY_TAG | _BY_PRONOUN:
            vote(y, q.speaker, 2.0 if q.why in _BY_TAG else 1.0)
        if x in signs:
            nxt = next((o for o in quotes[k + 1 :] if o.para > q.para), None)
            if nxt is not None and nxt.para <= q.para + 2 and nxt.why in _BY_TAG and nxt.speaker is not None:
                vote(x, nxt.speaker, 1.0)
    for k, y in offs:
        q = quotes[k]
        if y in signs and q.speaker is not None and q.why in _BY_TAG | _BY_PRONOUN:
            vote(y, q.speaker, 2.0 if q.why in _BY_TAG else 1.0)
    for ps in paragraphs:
        for p in ps:
            if p.kind != "narration":
                continue
            for sign in signs:
                at = p.text.find(sign)
                if at < 0:
                    continue
                rest = p.text[at + len(sign) : at + len(sign) + 40]
                if _MEANS.match(rest):
                    found = cast.find(rest)
                    if found:
                        vote(sign, found[0][2], 2.0)
    who = {s: max(v, key=v.get) for s, v in votes.items()}
    if not who:
        return
    for k, m in openers:
        x, y = m.groups()
        q = quotes[k]
        if y in who and (x is None or x in signs or cast.find(x)):
            q.intro.add(who[y])
            q.vocatives.discard(as_person.get(y))
            q.checks_in = True
        if x in who and who[x] != who.get(y):
            q.vocatives.discard(as_person.get(x))
            q.vocatives.add(who[x])
    for k, y in offs:
        if y in who:
            quotes[k].intro.add(who[y])
            quotes[k].vocatives.discard(who[y])
    closing = {q.para: q for q in quotes}
    # Those whose calls end by the book (`Over.`, `Three out.`): a line without it is seldom theirs.
    ends: dict[int, list[int]] = {}
    for k, m in openers:
        x, y = m.groups()
        if y in who and (x is None or x in signs or cast.find(x)):
            ends.setdefault(who[y], []).append(marked(closing[quotes[k].para].text))
    # ...and who are only ever heard on the radio: not the one at the desk, tagged talking in the room too.
    for q in quotes:
        if q.why in _BY_TAG and q.speaker in ends and not (q.checks_in or marked(closing[q.para].text)):
            ends[q.speaker] += [False, False]
    cast.over_style = {pid for pid, e in ends.items() if sum(e) * 2 > len(e)}
    for q in quotes:
        if "," in q.text or "!" in q.text:
            for m in _ADDRESS.finditer(q.text):
                s = m.group(1) or m.group(2)
                if s in who and who[s] not in q.intro:
                    q.vocatives.discard(as_person.get(s))
                    q.vocatives.add(who[s])
