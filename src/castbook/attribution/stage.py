"""Who is on stage: the narration's entrances (`Dev came in`), exits (`Mara walked out`) and sleepers."""

from __future__ import annotations

import re
from collections.abc import Sequence

from castbook.attribution.names import Cast, by_first

_IN_VERB = by_first(
    """came comes walked walks stepped steps strode strides burst bursts wandered wanders hurried hurries rushed
    rushes ran runs slipped slips marched marches stumbled stumbles shuffled shuffles swept sweeps breezed breezes
    popped pops barged barges limped limps padded pads stomped stomps stalked stalks sauntered saunters ducked
    ducks crept creeps bounded bounds jogged jogs trudged trudges staggered staggers strolled strolls bustled bustles""".split()
)
_THEN = r"(?:\s+[a-z][^.!?;,\u2014]{0,60}?\s+and(?:\s+then)?)?"
"""`Dev grabbed his coat and walked out`: a first verb phrase, then the movement."""
_ENTER_AFTER = re.compile(
    rf"{_THEN}\s+(?:\w+ly\s+)?(?:{_IN_VERB}\s+(?:\w+ly\s+)?(?:(?:back\s+)?in\b(?!\s+(?:front|the|a|an|his|her|their|my|our|its|time|circles|place|silence|step|"
    r"line|turn|unison|half|and\s+out|and\s+sat))|through\s+the\s+(?:door|doorway|gate)\b)"
    rf"|{_IN_VERB}\s+(?:\w+ly\s+)?(?:back\s+)?into\s+(?:the|his|her|their|our|my)\s"
    r"|(?:entered|enters|arrived|arrives|showed\s+up|shows\s+up|turned\s+up|turns\s+up)\b"
    r"|(?:appeared|appears|reappeared|reappears|emerged|emerges)(?=\s*[.,;!?\u2014]|\s+(?:in|at|on|beside|behind|from|"
    r"around|round|out|through|again)\b)"
    r"|(?:joined|joins)\s+(?:them|us|him|her|the\s+\w+)\b"
    r"|(?:was|is|stood|stands)\s+(?:standing\s+|hovering\s+|leaning\s+)?in\s+the\s+doorway\b)"
)
"""After a name: `Dev came in`, `Dev appeared in the doorway`, `Dev joined them`."""
_ENTER_BEFORE = re.compile(
    rf"(?:\b(?:[Ii]n|[Bb]ack)\s+(?:\w+ly\s+)?{_IN_VERB}\s+"
    r"|\b(?:was|were|is|are|had\s+been|has\s+been|gets|got)\s+(?:\w+ly\s+|soon\s+|then\s+|now\s+)?joined\s+by\s+"
    r"|\bdoor\s+(?:\w+\s+)?(?:opened|opens|open)\s+(?:and|to\s+reveal|on)\s+)(?:the\s+)?$"
)
"""Before a name: `In walked Dev`, `she was joined by Dev`, `the door swung open and Dev`."""
_AWAY_VERB = (
    r"jogged|jogs|ran|runs|raced|races|dashed|dashes|drove|drives|rode|rides|wandered|wanders|trudged|trudges|limped|"
    r"limps|sauntered|saunters|strolled|strolls|shuffled|shuffles|padded|pads|hobbled|hobbles|bolted|bolts|scurried|scurries"
)
"""Going by some gait (`Kai waves and jogs off toward the bus`, `She drove away`)."""
_EXIT_AFTER = re.compile(
    rf"{_THEN}\s+(?:\w+ly\s+)?(?:(?:walked|walks|went|goes|stormed|storms|stomped|stomps|strode|strides|slipped|slips|ducked|"
    rf"ducks|headed|heads|stalked|stalks|marched|marches|hurried|hurries|swept|sweeps|flounced|flounces|{_AWAY_VERB})"
    r"\s+(?:\w+ly\s+)?(?:out|off|away|upstairs|downstairs)\b(?!\s+(?:the\s+)?window|\s+of\s+(?!(?:the|his|her|their|my|our|its)\b)|\s+of\s+\w+\s+way\b|\s+(?:a\s+few|some|several|two|"
    r"three|a\s+little|a\s+step|a\s+pace)\b)"
    r"|(?:left|leaves)(?=\s*[.,;!?\u2014]|\s+(?:the\s+(?:room|house|office|kitchen|flat|apartment|table|bar|building)|"
    r"without|for|and|again|then)\b)"
    r"|(?:was|is)\s+gone\b"
    r"|(?:disappeared|disappears|vanished|vanishes)\b)"
)
"""After a name: `Mara walked out`, `Mara left the room`, `Jun was gone` (not `Jun hung up`: the one
holding the phone stays)."""
_EXIT_BEFORE = re.compile(
    r"\bdoor\s+(?:\w+ly\s+)?(?:shut|shuts|closed|closes|slammed\s+shut|slams\s+shut|slammed|slams|clicked\s+shut|clicks\s+shut|swung\s+shut|"
    r"swings\s+shut|banged\s+shut)\s+behind\s+$"
)
"""Before a name: `the door shut behind Jun`."""
_OUT_VERB = (
    r"(?:walked|walks|went|goes|stormed|storms|stomped|stomps|strode|strides|slipped|slips|ducked|ducks|headed|heads|"
    rf"stalked|stalks|marched|marches|hurried|hurries|swept|sweeps|flounced|flounces|{_AWAY_VERB})"
)
_GOES_OUT = re.compile(
    # Every alternative opens with one of these letters: the lookahead lets the scan pass any other character.
    r"(?=[bcdfghjlmprstvw])(?:"
    rf"{_OUT_VERB}\s+(?:\w+ly\s+)?(?:out|off|away|upstairs|downstairs)\b(?!\s+(?:the\s+)?window|\s+of\s+(?!(?:the|his|her|their|my|our|its)\b)|\s+of\s+\w+\s+way\b|\s+(?:a\s+few|some|several|"
    r"two|three|a\s+little|a\s+step|a\s+pace)\b)"
    r"|(?:left|leaves)(?=\s*[.!?\u2014]|\s+(?:the\s+(?:room|house|office|kitchen|flat|apartment|table|bar|building)|without)\b)"
    r"|(?:disappeared|disappears|vanished|vanishes)\s+(?:into|through|up|down|out)\b"
    r"|(?:went|goes|took|takes|carried|carries|retreated|retreats|disappeared|disappears|slipped|slips|ducked|ducks|"
    r"headed|heads)\s+(?:(?:his|her|their|the)\s+[\w-]+\s+)?(?:back\s+)?into\s+(?:the|his|her|their)\s+(?:[\w-]+\s+){0,2}?"
    r"[\w-]+\s+and\s+(?:shut|shuts|closed|closes|pulled|pulls)\s+the\s+door\b)"
)
"""An exit told of `he` or `she`, as the sentence's own predicate: `He just got up ... and took his coffee into the
back room and shut the door`, `She walked out.` (not `left the keys`, `had left`)."""
_PRONOUN_LEAD = re.compile(
    r"(?:^|(?<=[.!?\u201d\"])\s+|^\s*)(?:(?:Then|Finally|Eventually|Just|Now|So|And|Without\s+a\s+word,?|\w+ly,?)\s+)?"
    r"(He|She)\s+(?:\w+ly\s+)?"
)
_COORDINATED = re.compile(r"(?:,\s*|\s+)and(?:\s+then)?\s+$")
_OTHER_SUBJECT = re.compile(r"\b(?:I|we|they|you|We|They|You)\b|[.!?;:\u201c\u201d\"]")
_BACK = re.compile(r"[^.!?;]{0,80}?\b(?:came|comes|come|coming)\s+back\b|[^.!?;]{0,80}?\b(?:returned|returns|returning)\b")
"""`He went away and came back with the coffee`: no exit."""
_DOOR_BEHIND = re.compile(
    r"\bdoor\s+(?:\w+ly\s+)?(?:(?:slammed|slams|clicked|clicks|swung|swings|banged|bangs|fell|falls|snapped|snaps|"
    r"thudded|thuds)\s+shut|shut|shuts|closed|closes|slammed|slams)\s+behind\s+(him|her)\b"
)
"""`The door clicked shut behind her.`: she has gone out (unless she came in, in the same sentence)."""
_EXIT_CUES = ("out", "off", "away", "stairs", "left", "leaves", "into", "disappear", "vanish")
_ENTER_AFTER_WORDS = ("enter", "arriv", "show", "turn", "appear", "emerg", "join", "doorway")
"""Each `_ENTER_AFTER` match has one of these in it or an entering verb (`_IN_VERB_ANY`)."""
_EXIT_AFTER_WORDS = ("out", "off", "away", "stairs", "left", "leaves", "gone", "disappear", "vanish")
"""Each `_EXIT_AFTER` match has one of these in it."""
_ASLEEP_AFTER_WORDS = ("asleep", "unconscious", "cold", "dead", "pass", "snoring", "off", "died", "dies")
"""Each `_ASLEEP_AFTER` match has one of these in it."""
_ASLEEP_AFTER = re.compile(
    r"\s+(?:(?:was|is|had\s+been|has\s+been|lay|lies)\s+(?:still\s+|already\s+|now\s+)?(?:fast\s+|sound\s+|dead\s+)?"
    r"(?:asleep|unconscious|out\s+cold|dead|passed\s+out|snoring)\b"
    r"|(?:fell|falls|had\s+fallen|has\s+fallen|drifted|drifts|dozed|dozes)\s+(?:\w+\s+)?(?:asleep|off)\b"
    r"|(?:passed|passes)\s+out\b|(?:died|dies)\b)"
)
"""After a name: `Wren was asleep`, `Kai had fallen asleep`, `Jun passed out`."""

_SUBJECT_SLOT = re.compile(
    r"(?:^|[.!?;:,\u2014\u201c\u201d\"(]|\b(?:and|then|when|as|until|till|before|after|while|but|so|now|finally|"
    r"[Tt]hen|[Ww]hen|[Aa]s|[Uu]ntil|[Bb]efore|[Aa]fter|[Ww]hile|[Bb]ut|[Ss]o|[Nn]ow|[Ff]inally|[Jj]ust|[Aa]nd|later|"
    r"[Ss]uddenly|[Ss]oon|[Ee]ventually|[Aa]fterwards))\s*$"
)
"""What comes before a name that is a clause's subject: the start of a sentence or a clause, `and`, `when`, `A
second later`."""
_SLOT_LONGEST = 12
"""At least as long as the longest word `_SUBJECT_SLOT` matches (`afterwards`, `Eventually`: 10): every match starts
at most this far before the trailing whitespace."""


def _subject_slot(before: str) -> bool:
    """`_SUBJECT_SLOT.search(before)`, started where a match can start: a match is one mark or word and then only
    whitespace to the end (the scan still sees the text before where it starts, for `\\b`)."""
    return _SUBJECT_SLOT.search(before, max(0, len(before.rstrip()) - _SLOT_LONGEST)) is not None
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")
_SUBORDINATE = re.compile(r"\b(?:[Ww]hen|[Aa]s|[Uu]ntil|[Tt]ill|[Bb]efore|[Aa]fter|[Ww]hile|[Ii]f|[Uu]nless|[Oo]nce)\s+$")
_PAIR = re.compile(r"\s+and\s+$")

_DOOR_OPENS = re.compile(
    r"\b(?:door|doors)\b[^.!?]{0,40}?\b(?:opened|opens|(?:slid|slides|swung|swings|banged|bangs|flew|flies|creaked|creaks|"
    r"burst|bursts|was\s+flung|is\s+flung|was\s+thrown|is\s+thrown)\s+open)\b[^.!?]*[.!?]?\s*"
)
"""`The balcony door slides open again. Minho stands there ...`: whoever is named next, as a subject, comes in."""

_SLEEPING = re.compile(r"\b(?:asleep|snoring|sleeping|unconscious|out\s+cold)\b")
"""`Ellis asleep on the couch`, `Fujimoto in a folding chair, quietly snoring`: the sleeper is the one named last
before the word, in its sentence (not `not asleep`, `pretending to be asleep`)."""
_NOT_SLEEPING = re.compile(
    r"(?:\bnot|n't|n\u2019t|\bpretend\w*(?:\s+to\s+be)?|\bhalf|\balmost|\bbarely|\bnearly|\bstop|\bthe|\ban?|\bhis|\bher|"
    r"\btheir|\bits|\bmy|\bour|\byour)\s+$")
_NOT_SLEEP_AFTER = re.compile(r"\s+(?:of|that|noises?|sounds?)\b")
_PAST_OR_UNREAL = re.compile(r"\b(?:though|if|been|when|before|after|until|while|whether|because|fake|I|he|she|they|we|you)\b")
_WAKES = re.compile(r"\b(?:woke|wakes|awoke|awakes|awakened|awakens|waked|wakened|wakens|woken|awake|yawned|yawns)\b")
"""Someone waking (`Ines woke`, `he awakened her`): whoever slept is back."""

_PRONOUN_SLEEPS = re.compile(
    r"(?:^|(?<=[.!?\u201d\"])\s+|^\s*|,?\s+and\s+(?:then\s+)?)(?:(?:Then|Now|Soon|Finally|Eventually|\w+ly),?\s+)?"
    r"(?:([Hh]e|[Ss]he)(?:'s|\u2019s|\s+is)\s+(?:(?:still|already|now|fast|sound|dead)\s+)*"
    r"(?:asleep|unconscious|snoring|dozing|passed\s+out|out\s+cold)\b"
    r"|([Hh]e|[Ss]he)\s+(?:\w+ly\s+)?(?:(?:has|had|'s|\u2019s)\s+)?(?:fell|falls|fallen)\s+asleep\b"
    r"|([Hh]e|[Ss]he)\s+(?:\w+ly\s+)?(?:(?:has|had)\s+)?(?:drifted|drifts|dozed|dozes|nodded|nods|passed|passes|conked|conks)"
    r"\s+(?:off|out)(?=\s*[.,;!?\u2014]|\s+(?:again|on|in|at|against|cold|to\s+sleep|mid)\b)"
    r"|(His|Her)\s+eyes\s+(?:are|were|have|had|'re)\s+(?:(?:been|already|still|now|fallen)\s+)*(?:shut|closed)\s*[.!]"
    r"|(His|Her)\s+breathing\s+(?:has\s+|had\s+)?(?:evened|evens|slowed|slows|deepened|deepens)\s+out\b)"
)
"""An unnamed sleeper: `She's asleep on the couch.`, `He dozed off.`, `Her eyes are already shut.` (the pronoun
resolved only when one person of that gender is named before it, or, with none, is on stage)."""
_NAMED_EYES_SHUT = re.compile(r"(?:'s|\u2019s)\s+eyes\s+(?:are|were|have|had)\s+(?:(?:been|already|still|now)\s+)*(?:shut|closed)\s*[.!]")
"""After a name: `Juno's eyes are already shut.`"""
_SLEEP_CUES = ("asleep", "snoring", "dozing", "cold", "breathing", "unconscious")
_DRIFT_CUES = ("drift", "doz", "nod", "pass", "conk")


def _may_sleep(text: str) -> bool:
    """Whether `_PRONOUN_SLEEPS` or `_NAMED_EYES_SHUT` can match: a word each alternative needs (cheap, before the
    regexes)."""
    return (any(w in text for w in _SLEEP_CUES) or "eyes" in text and ("shut" in text or "closed" in text)
            or ("off" in text or "out" in text) and any(w in text for w in _DRIFT_CUES))


_STIRS = re.compile(
    r"\s+(?:\w+ly\s+)?(?:sits|sat)\s+up\b|\s+(?:\w+ly\s+)?(?:mumbles|mumbled|stirs|stirred|groans|groaned|grumbles|grumbled)\b"
    r"|\s+(?:\w+ly\s+)?(?:opens|opened|cracks|cracked)\s+(?:one\s+|an\s+|his\s+|her\s+)*eyes?\b"
)
"""After a name or a sentence-opening `he`/`she`: `Juno sits up`, `He mumbles something`: a sleeper stirring is
awake (not everyone who slept: WAKE)."""
_STIR_CUES = ("sits up", "sat up", "mumble", "stir", "groan", "grumble")
STIR = "stir"
"""(offset, person id, STIR): that one (if asleep) is awake; (offset, WAKE_MALE/WAKE_FEMALE, STIR): a `he`/`she`."""
WAKE_MALE, WAKE_FEMALE = -2, -3
_SLEEPING_WORDS = ("asleep", "snoring", "sleeping", "unconscious", "cold")
"""A word each `_SLEEPING` match has in it; `_WAKES` matches all have `wak`, `wok` or `yawn`."""
_IN_VERB_ANY = re.compile(_IN_VERB)
"""An entering verb anywhere (`_ENTER_BEFORE` needs one, `joined` or `door`)."""

ENTER, EXIT, ASLEEP = "enter", "exit", "asleep"
WAKE = -1
"""The person id of `(offset, WAKE, ENTER)`: someone woke up, whoever slept is back."""


def movements(
    cast: Cast, text: str, last: int | None = None, stage: set[int] | None = None,
) -> list[tuple[int, int, str]]:
    """Who comes on or goes off stage in a stretch of narration: (offset, person id, ENTER, EXIT or ASLEEP), in order.
    `last` is who spoke the line just before the stretch (tagged by name), if it is the first narration after it: a
    `he`/`she` opening it before any name is them (`"Fine," Mara said.` -- `She walked out.`).

    Falling asleep, passing out or dying (ASLEEP) is going off too: the sleeper says nothing until woken (or tagged):
    (offset, WAKE, ENTER).
    """
    out = []
    found = cast.find(text)
    # Cheap checks on the whole stretch first: a pattern that cannot match anywhere in it need not be tried.
    has_door = "door" in text
    entering = bool(found) and (has_door or "joined" in text or _IN_VERB_ANY.search(text) is not None)
    door = _DOOR_OPENS.search(text) if has_door else None
    if door is not None:
        # The door opens, and the next one named as the subject, in that sentence or the next, is there.
        upto = _SENTENCE_END.search(text, door.end())
        for s, e, pid in found:
            if door.start() < s < (upto.end() if upto else len(text)):
                if _subject_slot(text[max(0, s - 60) : s]) and not text.startswith(("'s", "\u2019s"), e):
                    out.append((s, pid, ENTER))
                break
    afters = None
    for i, (s, e, pid) in enumerate(found):
        before = text[max(0, s - 60) : s]
        if text.startswith(("'s", "\u2019s"), e):
            continue
        # `Jun and Mara walked in`: the second one's verb is the first one's too.
        end = e
        while i + 1 < len(found) and _PAIR.fullmatch(text, end, found[i + 1][0]):
            i += 1
            end = found[i][1]
        if out and out[-1][0] == s:
            continue
        if entering and _ENTER_BEFORE.search(before):
            out.append((s, pid, ENTER))
        elif has_door and _EXIT_BEFORE.search(before):
            out.append((s, pid, EXIT))
        elif not _subject_slot(before):
            continue
        else:
            if afters is None:
                # (Which of the patterns after a name can match anywhere in the stretch: a word each one needs.)
                afters = (
                    any(w in text for w in _ENTER_AFTER_WORDS) or _IN_VERB_ANY.search(text) is not None,
                    any(w in text for w in _EXIT_AFTER_WORDS),
                    any(w in text for w in _ASLEEP_AFTER_WORDS),
                )
            if afters[0] and _ENTER_AFTER.match(text, end):
                out.append((s, pid, ENTER))
            elif _SUBORDINATE.search(before):
                continue  # `When Miss Thorne drove off she said:`, `until the old Squire was dead`: not gone yet
            elif afters[1] and _EXIT_AFTER.match(text, end):
                out.append((s, pid, EXIT))
            elif afters[2] and _ASLEEP_AFTER.match(text, end):
                out.append((s, pid, ASLEEP))
    if ((" He " in text or " She " in text or text.startswith(("He ", "She "))) and any(w in text for w in _EXIT_CUES)
            or "behind h" in text and has_door):
        out += _pronoun_exits(cast, text, found, {o[0] for o in out}, last)
    for m in _SLEEPING.finditer(text) if any(w in text for w in _SLEEPING_WORDS) else ():
        if _NOT_SLEEPING.search(text, max(0, m.start() - 25), m.start()) or _NOT_SLEEP_AFTER.match(text, m.end()):
            continue
        named = [(s, e, pid) for s, e, pid in found if e <= m.start() and not _SENTENCE_END.search(text, e, m.start())]
        if (named and m.start() - named[-1][1] <= 100 and all(o[0] != named[-1][0] for o in out)
                and not _PAST_OR_UNREAL.search(text, named[-1][1], m.start())):
            out.append((named[-1][0], named[-1][2], ASLEEP))
    if _may_sleep(text):
        taken = {o[0] for o in out}
        for m in _PRONOUN_SLEEPS.finditer(text):
            word = next(g for g in m.groups() if g)
            g = "male" if word.lower() in ("he", "his") else "female"
            at = m.start(m.lastindex)
            who = _resolve(cast, [pid for s, _, pid in found if s < at], g, None)
            if who is None and not any(s < at and cast.gender(pid) in (g, None) for s, _, pid in found):
                same = {p for p in stage or () if cast.gender(p) == g}
                who = same.pop() if len(same) == 1 else None
            if who is not None and at not in taken:
                out.append((at, who, ASLEEP))
        if "eyes" in text:
            for s, e, pid in found:
                if _NAMED_EYES_SHUT.match(text, e) and _subject_slot(text[max(0, s - 60) : s]):
                    out.append((s, pid, ASLEEP))
    if any(w in text for w in _STIR_CUES) or "eye" in text and ("open" in text or "crack" in text):
        for s, e, pid in found:
            if _STIRS.match(text, e) and _subject_slot(text[max(0, s - 60) : s]):
                out.append((s, pid, STIR))
        for m in _PRONOUN_LEAD.finditer(text):
            if _STIRS.match(text, m.end(1)):
                out.append((m.start(1), WAKE_MALE if m.group(1) == "He" else WAKE_FEMALE, STIR))
    if "wak" in text or "wok" in text or "yawn" in text:
        out += [(m.start(), WAKE, ENTER) for m in _WAKES.finditer(text)]
    out.sort()
    return out


def _pronoun_exits(
    cast: Cast, text: str, found: Sequence[tuple[int, int, int]], taken: set[int], last: int | None = None,
) -> list[tuple[int, int, str]]:
    """`Marek saw. ... He just got up ... and took his coffee into the back room and shut the door.`: a sentence whose
    subject is `he` or `she` and whose own predicate is an exit, or `the door shut behind him` (with no one coming in),
    the pronoun resolved only when it is clear (`_resolve`)."""
    out = []
    for x in _GOES_OUT.finditer(text):
        m = None
        for m in _PRONOUN_LEAD.finditer(text, max(0, x.start() - 300), x.start()):
            pass  # the last sentence opening with `he`/`she` before the exit
        if m is None or _SENTENCE_END.search(text, m.end(), x.start()):
            continue
        g = "male" if m.group(1) == "He" else "female"
        between = text[m.end() : x.start()]
        if between and not _COORDINATED.search(between):
            continue
        other = "she" if g == "male" else "he"
        if _OTHER_SUBJECT.search(between) or re.search(rf"\b{other}\b", between) or any(
                m.end() <= s < x.start() for s, _, _ in found):
            continue
        who = _resolve(cast, [pid for s, _, pid in found if s < m.start()], g, last)
        if who is not None and not _BACK.match(text, x.end()) and m.start(1) not in taken:
            out.append((m.start(1), who, EXIT))
    if "behind" in text:
        for x in _DOOR_BEHIND.finditer(text):
            g = "male" if x.group(1) == "him" else "female"
            start = max((e.end() for e in _SENTENCE_END.finditer(text, 0, x.start())), default=0)
            if _IN_VERB_ANY.search(text, start, x.start()) or "enter" in text[start : x.start()]:
                continue
            who = _resolve(cast, [pid for s, _, pid in found if s < x.start()], g, last)
            if who is not None and x.start(1) not in taken:
                out.append((x.start(1), who, EXIT))
    return out


def _resolve(cast: Cast, named: list[int], g: str, last: int | None) -> int | None:
    """Whom a `he`/`she` clearly stands for: the only one of that gender named before it in the stretch (with nobody
    of no known gender named there), else, with nobody of that gender named, the one who spoke just before."""
    same = {p for p in named if cast.gender(p) in (g, None)}
    if len(same) == 1:
        who = same.pop()
        return who if cast.gender(who) == g else None
    if not same and last is not None and last >= 0 and cast.gender(last) == g:
        return last
    return None
