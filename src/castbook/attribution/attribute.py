"""Attribution passes: explicit tags, anaphora through the paragraph and conversation, then turn-taking."""

from __future__ import annotations

import itertools
from bisect import bisect_right
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Callable, Sequence

from castbook.attribution.decode import DEVICES, _told_by_i, called_only, called_soon, decode, replied
from castbook.attribution.radio import call_signs
from castbook.attribution.names import (
    _ABBREVIATED, _FAMILY_CALLS, _KIN_CALL_GENDER, _NAME_TITLES, _NOT_NAMES, _OBJECT_AFTER, _PREV_WORD, TITLES, Cast, _key, _merge_into, may_hold,
    split_title, starts_on, title_gender)
from castbook.attribution.quotes import Piece
from castbook.attribution.tags import _OPENERS, _POSS_BEAT, _SENTENCES, Tag, _last_sentence, last_actor, tag_after, tag_before, tag_next

NARRATOR = -1
"""Placeholder speaker for a first-person narrator (`I said`), named at the end."""
_CONTINUING = re.compile(
    r"^\W*(?:(?:he|she|they|I)\s+(?:\w+ly\s+)?(?:continued|resumed|went\s+on|added|pursued|proceeded|persisted)"
    r"|(?:continued|resumed|added|pursued|proceeded|persisted)\s+(?:he|she))\b", re.I)
_WAITS = re.compile(
    r"[\w'\u2019.\- ]{1,30}?\s+(?:waits|waited|(?:is|was)\s+silent|says\s+nothing|said\s+nothing|"
    r"(?:doesn|didn|couldn)['\u2019]t\s+(?:answer|reply|say\s+anything)|(?:does|did|could)\s+not\s+(?:answer|reply)|"
    r"(?:made|makes|gave|gives)\s+no\s+(?:answer|reply))\b")
"""A beat of waiting or silence: its subject is the one listening, not the one who speaks next."""
_SILENT_ANSWER = re.compile(r"\b(?:h(?:olds|eld)\s+up|point(?:s|ed)\s+(?:at|to))\b")
"""`Is that cheese toast?` -- `Ash holds up the pan.`: a question answered by showing; the asker reacts."""
_NOD = re.compile(r"\b(?:shrug(?:s|ged)?|nod(?:s|ded)?|sh(?:akes|ook)\s+(?:his|her|their)\s+head)\b")
"""`Hamish nodded.` after a question: a silent answer only when the asker goes on with a question of one sentence
(`From Gran?`); before anything else it opens the nodder's own answer (`I do. You noticed the beard?`)."""
_PRONOUN_NOD = re.compile(r"(?:He|She|They)\s+(?:just\s+|only\s+)?(?:shrug|nod|shake|shook)")
"""A silent answer told with a pronoun as its subject (`He nods.`, `She shakes her head.`)."""
_SILENT_TURNS = frozenset({"nod"})
"""Listener beats that are the actor's own (silent) turn, so the next line is the other one's. Not a look or being
busy with something: the one looking often speaks next after all (`Quennell eyed her narrowly.`)."""
_ONGOING = re.compile(r"^\S+(?:\s+\S+)?\s+(?:is|was|are|were)\s+(?:already\s+|still\s+|just\s+)?[a-z]{2,}ing\s+(?:a|an|the|his|her|their|its|at|for|with)\b")
"""`Davor is polishing a glass.`: a beat of what someone is busy with sets the scene; it does not hand them the line."""
_BARE_LOOK = re.compile(r"^\S+(?:\s+\S+)?\s+(?:just\s+)?(?:(?:looks|looked|stares|stared|glares|glared|gazes|gazed|glances|glanced|"
                        r"peers|peered|blinks|blinked)\s+(?:up\s+|back\s+)?at|g[ai]ves?)\s+(?:him|her|me|them|us)"
                        r"(?:\s+a\s+(?:\w+\s+)?look|\s+\w+ly)?[.!]$")
"""`Rowan stared at him.` and nothing more: a look that answers the other one without a word."""
_I_SILENT = re.compile(
    r"I\s+(?:just\s+|only\s+)?(?:nod(?:s|ded)?|shrug(?:s|ged)?|sh(?:ake|ook)\s+my\s+head|s(?:ay|aid)\s+nothing|"
    r"(?:don|didn|couldn)['\u2019]t\s+(?:answer|reply|say\s+anything)|(?:did|could)\s+not\s+(?:answer|reply|say\s+anything)|"
    r"was\s+silent|(?:made|make|gave|give)\s+no\s+(?:answer|reply))"
    r"(?:[,.;!]|\s+(?:\w+ly|again|at\s+first)[.!])")
"""`I shook my head.` alone before a bare line: the narrator's own silent turn; whoever spoke goes on."""
_INTRODUCES = (",", ":", "--", "\u2014")
"""Narration ending like this leads into the quotation that follows it."""
_UNNAMED = -1000
"""Turns taken by someone unnamed are counted in the alternation with ids at or below this."""
_GAP_CHARS = 0
"""Narration longer than this between two quotations ends the exchange: a paragraph of narration resets the turns
(who was speaking stays on stage as a candidate for the next exchange)."""


@dataclass(slots=True)
class Quote:
    """One dialogue piece and what is known about its speaker."""

    para: int
    piece: int
    text: str
    tag: Tag | None = None
    speaker: int | None = None
    cue: str | None = None
    confidence: float = 0.0
    vocatives: set[int] = field(default_factory=set)
    given: frozenset[int] = frozenset()
    """A name given in answer (`"Who's at the door?"` -- `"Nadim," she said.`): not someone called."""
    intro: set[int] = field(default_factory=set)
    """Characters the quotation names as its speaker: "I'm Eli", "This is Dana", a name given to "Who are you?"."""
    conv: int = 0
    tag_at: tuple[int, int] | None = None
    """(narration piece, offset) the tag was read from."""
    why: str = ""
    """Which rule chose the speaker (for tuning and debugging)."""
    shares: bool = False
    """Split by its tag from the previous quotation (`"I know," he said, "but not now."`): the same speaker."""
    checks_in: bool = False
    """It opens by giving its speaker's name on a radio check or a call (`Kestrel, up top.`, `Rennick here.`)."""
    listener: int | None = None
    """Whom the beat paragraph just before shows answering a question without words (`Hamish nodded.` before the
    asker's next question): that was their turn; this line is seldom theirs."""
    nodder: tuple[str, str] | None = None
    """A nod told with a pronoun (`He nods.`) after a question: (gender, "nod" | "answer"). The nodder is the one
    the question was put to, the one before its asker (found when decoding): before the asker's next one-sentence
    question it was their silent turn ("nod"); before anything else they answer ("answer", `Been there the whole
    time. You drove past it twice.`)."""


@dataclass(slots=True)
class Conversation:
    """Who has been speaking and who has been mentioned lately."""

    speakers: list[int] = field(default_factory=list)
    mentions: list[int] = field(default_factory=list)
    last_quote: Quote | None = None
    fresh: list[int] = field(default_factory=list)
    """Characters named in narration paragraphs since the last line of dialogue, in order."""
    seen: list[int] = field(default_factory=list)
    """Everyone named in the narration of this conversation, heard speaking or not, in order."""
    recent: list[str] = field(default_factory=list)
    """The narration of the last paragraphs, oldest first (where a pronoun's antecedent is looked for)."""
    heard: set[int] = field(default_factory=set)
    """Everyone heard speaking so far in the work (shared by the conversations of one work)."""

    def mention(self, pid: int) -> None:
        if pid in self.mentions:
            self.mentions.remove(pid)
        self.mentions.append(pid)

    def spoke(self, pid: int) -> None:
        if not self.speakers or self.speakers[-1] != pid:
            self.speakers.append(pid)
        self.mention(pid)


def _set(q: Quote, pid: int | None, cue: str | None, confidence: float, why: str) -> None:
    q.speaker, q.cue, q.confidence, q.why = pid, cue, confidence, why


_ADDRESS_TITLES = frozenset({*TITLES, "ser", "dame", "sir"})


_NESTED = re.compile(r"\u201c[^\u201d]*\u201d?|(?:^|(?<=\s))\u2018(?=\w)(?:[^\u2019]|\u2019(?=\w))*\u2019(?!\w)")
"""A quotation inside a line: `“...”` in a British line, `‘...’` in an American one."""


def _vocatives(cast: Cast, text: str) -> set[int]:
    """Names used to address someone: at the edges of the quote or set off by commas (`Mara, wait`); not inside a
    quotation the line quotes (`He said, "Don't drink the tea, Wys," and I laughed.`: the one quoted called Wys)."""
    out = set()
    nested = [m.span() for m in _NESTED.finditer(text)] if "\u201c" in text or "\u2018" in text else ()
    for s, e, pid in cast.find(text):
        if nested and any(a <= s < b for a, b in nested):
            continue
        before = text[:s].rstrip()
        after = text[e:].lstrip()
        lead = not before or before[-1] in ",!?;.\u2014-" or before.rsplit(None, 1)[-1].lower() in _LEAD_WORDS
        if not lead and before[-1:].isalpha() and before[-1:].islower():
            # `Ser Aldric, ...`: a title the cast's form left out, at the start of the address.
            head, _, word = before.rpartition(" ")
            head = head.rstrip()
            lead = word[:1].isupper() and word.lower().rstrip(".") in _ADDRESS_TITLES and (
                not head or head[-1] in ",!?;.\u2014-")
        trail = not after or after[0] in ",!?;.\u2014-"
        if not lead and trail and after[:1] == "?" and before.endswith(" to") and ("speak" in before[-30:] or "talk" in before[-30:]):
            lead = True  # `Am I speaking to Kari?`: asking the one on the line
        if not lead and trail and after[:1] in "?." and _YOU_ARE.search(before):
            lead = True  # `You're Jory?`, `You must be Jory.`: asking or telling the one spoken to who they are
        if lead and trail and not before and after[:1] == "." and _SPOKEN_OF.match(after, 1) and cast.gender(pid) in (
                None, "male" if _SPOKEN_OF.match(after, 1).group(1) == "He" else "female"):
            continue  # `"Sota-kun. He finally hit the glove."`: a name then `he`, told about, not called
        if lead and trail:
            out.add(pid)
    return out


def _only_name(cast: Cast, text: str) -> bool:
    """The line is a name and nothing else (`"Nora,"`)."""
    bare = text.strip(" *")
    return any(s == 0 and not bare[e:].strip(" ,.!?*") for s, e, _ in cast.find(bare))


_LEAD_WORDS = frozenset(("dear", "o", "oh", "my", "poor"))
"""Words a name is called after (`my dear Mara`, `O Mara`): whole words, not the end of `to` or `Theo`."""
_SPOKEN_OF = re.compile(r"\s+(He|She)\b")
_YOU_ARE = re.compile(r"(?:\b[Yy]ou['\u2019]re|\b[Yy]ou\s+(?:must|should|would|might)\s+be|^[Aa]re\s+you|[.!?]\s+[Aa]re\s+you)$")


_GIVES_NAME = r"I['\u2019]m|I\s+am|[Mm]y\s+name(?:['\u2019]s|\s+is)|[Cc]all\s+me"
"""The words before one's own name: `I'm`, `my name is`, `call me`."""
_SELF_NAMING = starts_on("CIMTcimt", rf"\b(?:{_GIVES_NAME}|[Tt]his\s+is|[Ii]t['\u2019]s\s+me,?|[Ii]t['\u2019]s\s+only)\s+$")
"""Words giving one's own name right before the end of the text searched (`starts_on`: a yes/no search)."""
_ASKS_WHO = re.compile(
    r"\b(?:[Ww]ho(?:\s+(?:are\s+you|is\s+(?:it|this|that)|wants\s+to\s+know)|['\u2019]s\s+(?:there|that|this|asking))"
    r"|your\s+name|got\s+a\s+name)\b"  # (`Who's asking?` -- `Bea. I'm new.`: a name asked for)
    r"|^\W*(?:[Aa]nd\s+)?(?:[Yy]ou|[Yy]ours)\?\W*$"  # asking back after giving one's own name: "You?"
)
_ITS = re.compile(r"\W*(?:[Ii]t['\u2019]s|[Ii]t\s+is)\s+")
"""`It's Mara.` in answer to `Who's there?`: the one at the door or on the line, giving her name."""
_GAVE_NAME = re.compile(rf"\b(?:{_GIVES_NAME})\s+([A-Z][\w'\u2019-]+)")
""""I'm Luka." -- "Ellis.": a name given in reply to someone giving theirs is the replier's own."""


def _listed(cast: Cast, text: str, e: int) -> bool:
    """`Miss Varga here. Mr. Ostrow.`: those present, named one after another, not a speaker giving a name."""
    rest = text[_HERE.match(text, e).end():].lstrip(" .,;!\u2014-")
    return any(s == 0 for s, _, _ in cast.find(rest[:60]))


def _introductions(cast: Cast, text: str, asked: str, roll: bool = False, given: str = "") -> set[int]:
    """Names a speaker gives as their own: after "I'm", "my name is", "this is", or in answer to "Who are you?";
    opening a line with `X here`, or, in a radio check (`roll`), with a name and a place (`Kestrel, up top.`)."""
    out = set()
    found = cast.find(text)
    if not found:
        return out
    who = bool(asked) and _ASKS_WHO.search(asked) is not None  # (once per line, not per name in it)
    its = _ITS.match(text) if who else None
    for s, e, pid in found:
        opening = not text[:s].strip(" ,.-\u2014")
        if _SELF_NAMING.search(text, 0, s) or who and (opening or its is not None and its.end() == s):
            out.add(pid)
        elif opening and (_HERE.match(text, e) and not _listed(cast, text, e) or roll and (
                (st := _STATION.match(text, e)) and not _ORDERS.search(st.group()) or _ROLL_ANSWER.match(text, e))):
            out.add(pid)
        elif opening and (text[e : e + 1] in (".", "!") or text[e:] == ",") and (gave := _GAVE_NAME.search(given or asked)) and pid not in {
                p for _, _, p in cast.find(gave.group(1))}:
            # ("I'm Noor, by the way," Noor said. "..." -- "Tess," she said.: the name given back, before its tag)
            out.add(pid)
        elif opening and text[e:].strip() in ("", ".") and asked and pid in _vocatives(cast, asked) and all(
                text[s:e] != asked[a:b] for a, b, p in cast.find(asked) if p == pid):
            # "Anytime, Mr. Penhallow." -- "Al.": the one just addressed, giving the name he would rather be called.
            out.add(pid)
        elif opening and (full := _FULL_NAME.match(text, s)) and full.end() >= e and text[s:e].split()[0].lower() not in (
                _ADDRESS_TITLES) and (
            text[full.end():].strip() in (".", "") or text[full.end()] == "."
        ) and not asked.rstrip().endswith("?") and not _TITLED_CALL.fullmatch(full.group()):
            # "Jonah Vale." alone, or "Felix Abernathy. Would you like...", not in answer to a question: people give
            # their own full name, they seldom call others by it. (In answer to a question, `Who said so?`
            # `Mrs Ashdown.`, it names someone else; `Ser Caspar. Still tall, I see.` greets someone by title.)
            out.add(pid)
    return out


_NAME_ALONE = re.compile(r"\W*(?:[Ii]t['\u2019]s\s+|[Ii]t\s+is\s+)?([A-Z][\w'\u2019-]+)(?:\s+[A-Z][\w'\u2019-]+)?\s*(?:[.!]|,$)")
"""`"It's Wren."`, `"Marisol."`: a line opening with a name alone (and perhaps `it's`); or a name alone before its
tag (`"Teodric," he said.`)."""
_HAND_OUT = re.compile(r"\b(?:(?:held|holds|stuck|sticks|put|puts)\s+(?:out\s+(?:a|his|her|their)\s+hand|(?:a|his|her|their)\s+hand\s+out)"
                       r"|(?:offered|offers|extended|extends)\s+(?:a|his|her|their)\s+hand|(?:hand|palm)\b[^.!?]{0,40}\b(?:held|holds)\s+it\s+out)\b")
"""A hand held out to shake just before a name alone (`He held out his hand. "Oskar."`): the speaker's own name."""
_MY_NAME_TRAIL = re.compile(r"\b[Mm]y\s+name(?:['\u2019]s|\s+is)?\W*$")


_GIVEN_FIRST = re.compile(r"(?:[A-Z][a-z]+ )?")
"""A given name the cast may not hold before the family name it does (`Petra Lindqvist`, with only `Lindqvist`)."""


def _introduced_after(cast: Cast, paragraphs: Sequence[list[Piece]], pi: int, text: str, at: int, tag: Tag,
                      memo: dict) -> Tag:
    """`"He's not fine," said the charge nurse. Roz Halloran had worked nights on the ward for years.`: a role tag, then
    a sentence opening on a name the work has not used before: the role was that person, brought on by it."""
    found = cast.find(text[at:])
    if not found or not _GIVEN_FIRST.fullmatch(text, at, at + found[0][0]) or (pid := found[0][2]) < 0 or None not in (cast.gender(pid), tag.gender) and (
            cast.gender(pid) != tag.gender):
        return tag
    first = memo.get("first")
    if first is None:
        first = memo["first"] = {}
        for k, pieces in enumerate(paragraphs):
            for p in pieces:
                for _, _, who in cast.find(p.text):
                    first.setdefault(who, k)
    if first.get(pid, pi) < pi or any(who == pid for _, _, who in cast.find(text[:at])):
        return tag
    for p in paragraphs[pi]:
        if p.text is text:
            break
        if any(who == pid for _, _, who in cast.find(p.text)):
            return tag
    return Tag("name", pid, tag.gender, tag.strength * 0.95, tag.pos, tag.text, tag.ends)


def _name_given(cast: Cast, paragraphs: Sequence[list[Piece]], pi: int, m: re.Match, own: str, memo: dict) -> set[int]:
    """`"My name," she said. "It's Wren."`, or `"It's Wren."` / `"Marisol."` / `"Teodric," he said.` when the story
    has never written that name before and someone asked for a name a little before (`a name?`, `your name?`, `you
    never told us your name, friend`): the speaker giving their own name (one cannot call someone by a name nobody
    has heard yet)."""
    found = cast.find(m.group(1))
    if len(found) != 1 or found[0][0] != 0:
        return set()
    pid = found[0][2]
    if pid < 0:
        return set()
    if _MY_NAME_TRAIL.search(own):
        return {pid}
    its = "t" in m.string[m.start() : m.start(1)]  # (the optional `it's`: all else before the name is punctuation)
    if m.end() < len(m.string.rstrip()) and not its or m.group(0).endswith("!"):
        return set()  # (`"Marisol. Come here."`, `"Marisol!"` call her; the name alone, or `it's` and the name, gives it)
    forms = [f for f in cast.people[pid].forms if len(f) >= 2]
    if "text" not in memo:  # the whole text once, and where each paragraph starts in it
        memo["at"], n = [], 0
        for pieces in paragraphs:
            memo["at"].append(n)
            n += sum(len(p.text) + 1 for p in pieces)
        memo["text"] = " ".join(p.text for pieces in paragraphs for p in pieces) + " "
    end = memo["at"][pi]
    if all(memo["text"].find(ask, max(0, end - 4000), end) < 0 for ask in (" a name?", "your name?", "your name,")):
        # (nobody has asked a newcomer's name: `"It's Nadia."` reads a caller's name off a phone; `"What is his
        # name?" "Tobin."` names a third)
        return set()
    text = memo["text"]
    for f in forms:  # (a whole word: `Wren` is new though `Wrench` was written)
        at = text.find(f, 0, end)
        while at >= 0:
            if not text[at - 1 : at].isalnum() and not text[at + len(f) : at + len(f) + 1].isalnum():
                return set()
            at = text.find(f, at + 1, end)
    return {pid}


_FULL_NAME = re.compile(r"[A-Z][\w'\u2019-]+(?: [A-Z][\w'\u2019-]+)+(?<!['\u2019]s)")
_TITLED_CALL = re.compile(r"(?:Mister|Mr)\.? [A-Z][\w'\u2019-]+")
"""`Mister Kask.` alone: a title and one name is how others call someone, not how one gives one's own name."""
_HERE = re.compile(r"\s+here(?=\s*[.,!;:\u2014-]|\s*$)(?!\s*,?\s*(?:now|please)\b)")
"""`Kestrel here.`: a name and `here` with no comma between (and nothing after: not `Tobiah here is dead`)
opens a call or a radio check by giving one's name."""
_OPENS_HERE = re.compile(r"\W*[A-Z][\w'\u2019-]*(?:\s+[A-Z][\w'\u2019-]*)?" + _HERE.pattern)
_ROLL_CALL = re.compile(r"\b(?:check(?:ing)?[- ]in|sound\s+off|report\s+in|status\s+(?:check|report)|come\s+in|roll\s+call)\b", re.I)
"""A line asking those on a radio or a call to give their names and places (`Switchboard to team, check in.`)."""
_ROLL_CALL_STEMS = ("check", "sound", "report", "status", "come", "roll")
"""Each match of `_ROLL_CALL` holds one of these: a line without one is not searched."""
_STATION = re.compile(r"\s*[,.]\s+(?:[Uu]m\.\s+)?(?:[a-z][\w'\u2019-]*|Here|Ready|Clear|Copy|Standing|In|On|At|Up|Front|North|South|East|West|Back|Rear)(?:\s+[a-z][\w'\u2019-]*){0,3}\s*[.!]")
"""After one's name in a radio check, where or how one is, in a few words with no verb for anyone else to do:
`Kestrel, up top.`, `Bulwark, front gate.`, `Vesper. Um. Here.`"""
_ROLL_ANSWER = re.compile(r"\s*[,.]\s+(?:(?:also|all|still|and)\s+)?(?:loud|clear|here|ready|present|online|copy|check|"
                          r"in\s+position|on\s+station|standing\s+by)\b|\.\s+I['\u2019]m\s")
"""A radio check's answer that goes on past its place (`Quill, loud and clear, and hungry.`, `Whitlock, also clear,
and I want it on record ...`, `Quill. I'm sitting right here.`): the name opening it is still the speaker's own."""
_ORDERS = re.compile(r"\b(?:you|your|come|go|get|stop|wait|look|listen|hold|take|give|stay|move|help|let|don['\u2019]t|please)\b", re.I)


def _compatible(cast: Cast, pid: int, gender: str | None) -> bool:
    if gender is None or pid == NARRATOR:
        return gender != "first" if pid != NARRATOR else gender in (None, "first")
    g = cast.gender(pid)
    return g is None or g == gender


_PLURAL_SUBJECT = re.compile(
    r"\b(?:[A-Z][\w'\u2019-]+|the\s+[a-z]+)\s+and\s+(?:[A-Z][\w'\u2019-]+|the\s+[a-z]+)\b|\b(?:the\s+others|everyone|everybody|"
    r"both|all\s+of\s+them|the\s+(?:two|three|four|five)\s+of\s+them|the\s+(?:group|crew|team|kids|boys|girls|men|women|rest))\b")
"""Before a `they` tag in its paragraph: a plural subject (`Marcus and Priya`, `the others`), whom `they` means."""


_THEY_ALL = re.compile(r"[Tt]hey\s+(?:all|both|each|together|two|three|four)\b")
"""`They all froze.`: plural."""


def _singular_they(pieces: list[Piece], at: int, tag: Tag) -> Tag:
    """`"I'm fine," they said.`, `"Good." They took one step.`: where a character's own pronoun is singular they, a
    `they` tag is that one's (gender "they"), unless a plural subject comes before it in the paragraph."""
    text = pieces[at].text
    if tag.pos < 0 or not text.startswith(("they", "They"), tag.pos):
        return tag
    before = " ".join(p.text for p in pieces[:at] if p.kind == "narration") + " " + text[: tag.pos]
    if _PLURAL_SUBJECT.search(before) or _THEY_ALL.match(text, tag.pos):
        return tag
    return Tag(tag.kind, tag.pid, "they", tag.strength, tag.pos, tag.text, tag.ends)


def attribute(cast: Cast, paragraphs: Sequence[list[Piece]], resets: Sequence[bool]) -> list[Quote]:
    """Attribute every dialogue piece; `resets[i]` marks a chapter start or scene break before paragraph i."""
    quotes: list[Quote] = []
    named: set[int] = set()
    by_para: dict[int, list[Quote]] = {}
    if cast.epithets:
        _link_epithets(cast, paragraphs, resets)
    they = any(cast.gender(pid) == "they" for pid in range(len(cast.people)))  # a singular-they character
    memo: dict = {}  # (the text, built only if a line gives a name alone: `_name_given`)
    for pi, pieces in enumerate(paragraphs):
        qs = [Quote(pi, k, p.text) for k, p in enumerate(pieces) if p.kind == "dialogue"]
        if pi > 0 and not resets[pi] and pieces and pieces[0].kind == "narration" and paragraphs[pi - 1] and (
                paragraphs[pi - 1][-1].kind == "dialogue" and by_para.get(pi - 1)):
            # "That was what Emil said, anyway." / "This from Dee.": whose the speech just before was.
            said = tag_next(cast, pieces[0].text)
            for q in reversed(by_para[pi - 1] if said is not None else []):
                if q.tag is not None and q.tag.strength >= 0.9:
                    break
                q.tag, q.tag_at = Tag(said.kind, said.pid, said.gender, said.strength, -1, said.text), None
        if not qs:
            continue
        for q in qs:
            k = q.piece
            after = pieces[k + 1] if k + 1 < len(pieces) and pieces[k + 1].kind == "narration" else None
            before = pieces[k - 1] if k > 0 and pieces[k - 1].kind == "narration" else None
            t_after = tag_after(cast, after.text) if after else None
            t_before = tag_before(cast, before.text) if before else None
            cands = [t for t in (t_after, t_before) if t and not (
                t.kind == "descriptor" and (h := t.text.lower().split()[-1]) in _OBJECT_HEADS
                and not (h in _MACHINE_HEADS and _capitals_named(cast)))]
            named.update(t.pid for t in cands if t.kind == "name" and t.pid is not None)
            q.tag = max(cands, key=lambda t: t.strength) if cands else None
            lead = before.text.rstrip() if before else ""
            if t_before is not None and t_before.strength >= 0.9 and (lead.endswith(_INTRODUCES) or lead[-1:].isalpha()):
                q.tag = t_before  # "Brannock laughed, and said," introduces the speech; what follows is a beat
            prior = next((o for o in reversed(qs[: qs.index(q)]) if o.piece == k - 2), None)
            if (t_before is not None and q.tag is t_before and t_before.strength < 0.9 and prior is not None and prior.tag is not None
                    and prior.tag.strength >= 0.9 and prior.tag.kind == "name" and prior.tag_at is not None
                    and prior.tag_at[0] == k - 1 and prior.tag.pos < t_before.pos and t_before.pid != prior.tag.pid
                    and _POSS_BEAT.match(before.text, t_before.pos)):
                # "“Wait,” Vesper says, and goes red. Ka'lin's head turns. “Sorry.”": someone's look at the
                # speaker while he talks is no turn of theirs; he goes on.
                q.tag = prior.tag
            if (q.tag is not None and q.tag is t_after and t_after.kind == "descriptor" and t_after.strength >= 0.9
                    and t_after.text[:4].lower() == "the " and (nxt := _SENTENCES.search(after.text, t_after.pos)) is not None):
                t_after = q.tag = _introduced_after(cast, paragraphs, pi, after.text, nxt.end(), t_after, memo)
            if q.tag is not None:
                q.tag_at = (k + 1, q.tag.pos) if q.tag is t_after else (k - 1, q.tag.pos)
                if they and q.tag.kind == "pronoun" and q.tag.gender is None:
                    q.tag = _singular_they(pieces, q.tag_at[0], q.tag)
            q.vocatives = _vocatives(cast, q.text)
            near = quotes[-1] if quotes and quotes[-1].para >= pi - 2 else None
            # A radio check: asked for, or the line before was one (each gives a name and a place in turn).
            roll = near is not None and (
                may_hold(near.text.lower(), _ROLL_CALL_STEMS) and bool(_ROLL_CALL.search(near.text)) or near.checks_in)
            q.intro = _introductions(cast, q.text, near.text if near else "", roll, " ".join(
                o.text for o in quotes[-3:] if o.para == near.para) if near is not None and "," in q.text else "")
            if not q.intro and (m := _NAME_ALONE.match(q.text)) is not None:
                own = qs[qs.index(q) - 1] if qs.index(q) > 0 else None
                q.intro = _name_given(cast, paragraphs, pi, m, own.text if own is not None else "", memo)
                if not q.intro and before is not None and m.end() >= len(q.text.rstrip()) and ("hand" in before.text or "palm" in before.text) and (
                        _HAND_OUT.search(before.text)) and len(found := cast.find(m.group(1))) == 1 and found[0][2] >= 0:
                    q.intro = {found[0][2]}  # `He wiped his palm on his jeans and held it out. "Oskar."`: a handshake
            q.checks_in = bool(q.intro) and (roll or bool(_OPENS_HERE.match(q.text)))
            q.vocatives -= q.intro
        for a, b in zip(qs, qs[1:]):
            b.shares = b.piece == a.piece + 2 and a.tag_at is not None and a.tag_at == b.tag_at
        _spread_in_paragraph(qs)
        _share_beat(qs)
        prev_para = paragraphs[pi - 1] if pi > 0 and not resets[pi] else []
        # A part's beat alone in the paragraph before (`Bill's face changed.`) is a reaction, not the next speaker.
        t = tag_before(cast, prev_para[-1].text, near=False) if prev_para and prev_para[-1].kind == "narration" else None
        end = prev_para[-1].text.rstrip() if t is not None else ""
        leads_in = t is not None and t.strength >= 0.9 and (end.endswith(_INTRODUCES) or end[-1:].isalpha())
        if (qs[0].tag is None and prev_para and quotes and quotes[-1].para >= pi - 2 and len(prev_para) == 1
                and prev_para[0].kind == "narration" and "I " in prev_para[0].text):
            last = _last_sentence(prev_para[0].text.rstrip())
            if _I_SILENT.match(last) and len(_SENTENCES.findall(prev_para[0].text)) <= 1:
                qs[0].listener = NARRATOR  # `"Is it him?"` -- `I said nothing.` -- `"It's him, isn't it?"`
        if t is not None and (t.ends or leads_in) and (qs[0].tag is None or qs[0].tag.strength < 0.9):
            # A paragraph that ends by introducing the speech ("..., and Wren said, very quietly,") tags it.
            qs[0].tag = Tag(t.kind, t.pid, t.gender, t.strength, -1, t.text)
        elif qs[0].tag is None and t is not None and all(p.kind == "narration" for p in prev_para) and (silent := _listener_beat(
                prev_para[-1].text, quotes, pi, " ".join(q.text for q in qs))):
            if t.kind == "name" and t.pid is not None and t.pid not in qs[0].vocatives and (silent in _SILENT_TURNS or (
                    silent == "look" and quotes and quotes[-1].para == pi - 2 and t.pid in quotes[-1].vocatives)):
                # `Hamish nodded.`: a silent turn of Hamish's; the other one speaks next. So too a look answering a
                # call by name (`"Wes."` -- `Wes looked at him.` -- `"Is she right?"`): the caller goes on.
                qs[0].listener = t.pid
            elif t.kind == "pronoun" and t.gender in ("male", "female") and silent in ("nod", "answer") and _PRONOUN_NOD.match(
                    _last_sentence(prev_para[-1].text.rstrip())):
                qs[0].nodder = (t.gender, silent)  # `He nods.`: the same, whoever `he` is (the one asked)
        elif qs[0].tag is None and t is not None and all(p.kind == "narration" for p in prev_para) and not (
                t.pos >= 0 and _WAITS.match(prev_para[-1].text, t.pos)) and not replied(pieces, qs[0].piece) and not (
                qs[0].checks_in and t.pid not in qs[0].intro) and not _hung_up_last(prev_para[-1].text):
            # (Nor when the line gives its speaker's name, `Rennick here.`, or is `the reply` to the one acting.)
            # (Nor after `He hung up and tossed the phone onto the couch.`: the one in the room asks `Who was that?`.)
            # (`Cas waits.`: someone waiting for an answer, which the other one gives.)
            # "Odile looked up from her ledger." then a bare line: the last actor on stage speaks.
            later = last_actor(cast, prev_para[-1].text)
            voice = t.kind == "descriptor" and t.text == "someone" and (later is None or later.pos < t.pos)
            if not voice and later is not None and later.kind == "name" and later.pid is not None and later.pid not in qs[0].vocatives:
                t = later
            if voice:
                # `A voice floats over from the stacks.` then a bare line: the voice's, no one's on stage.
                qs[0].tag = Tag(t.kind, None, t.gender, t.strength, -1, t.text)
            elif t.kind == "name" and t.pid is not None or t.kind == "pronoun" and t.gender in ("male", "female"):
                qs[0].tag = Tag(t.kind, t.pid, t.gender, min(t.strength, 0.6), -1)
        by_para[pi] = qs
        quotes.extend(qs)
    _introduced_gender(cast, quotes)
    known = named
    known |= {pid for pid, person in enumerate(cast.people) if person.hinted}
    called = Counter(pid for q in quotes for pid in q.vocatives if pid >= 0 and pid not in known)
    if called:
        # Never tagged by name, but called by name again and again and named in the narration too (`Hinode set his
        # feet.`, `"Sota."`, `"Sit down, Sota-kun."`): someone on stage who talks, their lines left bare.
        told = Counter(pid for pieces in paragraphs for p in pieces if p.kind == "narration"
                       for st, _, pid in cast.find(p.text)
                       if pid in called and (st == 0 or p.text[st - 2 : st] in (". ", "? ", "! ")))
        known |= {pid for pid, n in called.items() if n >= _CALLED_MIN and told[pid] >= _TOLD_MIN
                  and cast.gender(pid) in ("male", "female")}  # (not a crowd called to, `Friends, ...`)
    places = set(_places(cast, paragraphs)) - {pid for q in quotes for pid in q.intro}
    spoke = {q.tag.pid for q in quotes if q.tag is not None and q.tag.kind == "name" and q.tag.strength >= 0.9}
    things = _things(cast, paragraphs, spoke)
    places |= things
    for q in quotes:
        if q.intro & things:
            q.intro -= things  # "Mister Lumps." names a pet, not the one speaking
    for pid in places:
        # A place ("in Coketown", "to Iping") is nobody who speaks, and the pronouns near it were someone else's.
        known.discard(pid)
        cast.people[pid].gender_votes.clear()
    heads = {q.tag.text.split()[-1].lower() for q in quotes if q.tag is not None and q.tag.kind == "descriptor"
             and q.tag.text.lower().startswith("the ")}
    cast.roles = _appositives(cast, paragraphs, heads)
    _pronoun_held_roles(cast, paragraphs, heads, places, cast.roles)
    _machine_roles(cast, heads, spoke, cast.roles, quotes)
    _called_roles(cast, quotes, resets, heads, cast.roles)
    _topic_roles(cast, paragraphs, resets, heads, places, cast.roles)
    _focal_roles_named(cast, paragraphs, resets, heads, places, cast.roles)
    cast.copulas = _copula_roles(cast, paragraphs, heads)
    cast.answered = _answered_roles(quotes, resets)
    cast.looks = _looks(cast, paragraphs, quotes, resets)
    cast.named_later = {}
    _epithets(cast, resets, quotes, paragraphs)
    cast.speaking_heads = _speaking_heads(quotes)
    said = Counter(q.tag.text.lower().split()[-1] for q in quotes if q.tag is not None and q.tag.kind == "descriptor"
                   and q.tag.strength >= 0.9 and q.tag.text.lower().startswith("the ") and len(q.tag.text.split()) <= 3)
    cast.role_speakers = {h for h, n in said.items() if n >= 2 and h in cast.speaking_heads and not (
        h in _GENERIC or h in _STRANGER_HEADS or h in _KIN or h in DEVICES)}
    cast.role_genders = _role_genders(paragraphs, cast.role_speakers) if cast.role_speakers else {}
    fresh_before: dict[int, list[int]] = {}
    _resolve(cast, paragraphs, resets, quotes, known, fresh_before)
    called_only(cast, paragraphs, quotes, places)
    kept = {id(q) for q in quotes if called_soon(cast, q)} if cast.called_first else set()
    _fill_backwards(quotes, kept)
    _realign_turns(quotes, kept)
    _voice_named_after(cast, paragraphs, quotes)
    _role_vocatives(cast, paragraphs, quotes, fresh_before)
    _short_name_vocatives(cast, paragraphs, quotes, places, resets)
    cast.first_named = _first_named(cast, paragraphs, quotes, resets)
    call_signs(cast, paragraphs, resets, quotes)
    me = name_narrator(cast, quotes, paragraphs)
    also = _other_names(cast, quotes, paragraphs, me, places) | _called_i(cast, quotes, paragraphs, me)
    decode(cast, paragraphs, resets, quotes, known, NARRATOR, fresh_before, me, places, also)
    _declared_roles(cast, paragraphs, quotes)
    if also and any(q.speaker is None for q in quotes):
        _named_after_opening(cast, paragraphs, resets, quotes, me, also)
    _rename_strangers(cast, resets, quotes)
    _strangers_named_by_others(cast, paragraphs, quotes)
    _roles_linked_late(cast, quotes)
    if cast.newcomer_at:
        _arrivals_named(cast, paragraphs, resets, quotes)
    return quotes


def _introduced_gender(cast: Cast, quotes: list[Quote]) -> None:
    """`"Four minutes is enough." He dropped his bag on the net. "Teodor Lind. You're the new one."`: someone the
    narration never gives a pronoun, who gives their own name in a line its paragraph tags `he`/`she`, is of that
    gender (the pronoun is the one introducing themself)."""
    for q in quotes:
        t = q.tag
        if len(q.intro) != 1 or t is None or t.kind != "pronoun" or t.gender not in ("male", "female") or q.tag_at is None:
            continue
        pid = next(iter(q.intro))
        if pid < 0:
            continue
        votes = cast.people[pid].gender_votes
        if votes["male"] or votes["female"] or votes["they"]:
            continue
        s, e = next(((s, e) for s, e, who in cast.find(q.text) if who == pid), (-1, -1))
        full = _FULL_NAME.match(q.text, s) if s >= 0 and not q.text[:s].strip(" ,.-\u2014") else None
        if full is not None and full.end() >= e:
            # (Given in full, not a name alone in answer to a question or after `I'm`, which may be no name at all:
            # `I'm Welsh.`)
            votes[t.gender] += 1


_NAMED_AFTER = 3
"""How many paragraphs after an unnamed arrival's last line the narration may name them (`Manager Park checks it`)."""


def _arrivals_named(cast: Cast, paragraphs: Sequence[list[Piece]], resets: Sequence[bool], quotes: list[Quote]) -> None:
    """`A broad man in a windbreaker shoulders through the crowd.` -- `"Your pass. Is it on?"` -- `"It's on."` --
    `Manager Park checks it, grunts, and moves on.` -- `"Is that a banana?" Park said.`: someone brought on unnamed
    whom the narration names for the first time in the scene just after their lines, and who is then tagged by that
    name, was that person all along. Only the names on the lines change (decoding is done)."""
    scene, k = [], 0
    for r in resets:
        k += bool(r)
        scene.append(k)
    lines: dict[int, list[Quote]] = {}
    for q in quotes:
        if q.speaker in cast.newcomer_at:
            lines.setdefault(q.speaker, []).append(q)
    for pid, qs in lines.items():
        at, last = cast.newcomer_at[pid], qs[-1].para
        if any(scene[q.para] != scene[at] for q in qs):
            continue
        # (scenes only grow along the text: the scene's paragraphs up to the last line run from its first)
        seen = {who for pi in range(scene.index(scene[at]), last + 1) for p in paragraphs[pi] for _, _, who in cast.find(p.text)}
        named = None
        for pi in range(last + 1, min(len(paragraphs), last + 1 + _NAMED_AFTER)):
            if scene[pi] != scene[at]:
                break
            new = {who for p in paragraphs[pi] if p.kind == "narration" for _, _, who in cast.find(p.text)} - seen - {pid}
            if new:
                named = new
                break
            seen |= {who for p in paragraphs[pi] for _, _, who in cast.find(p.text)}
        if named is None or len(named) != 1:
            continue
        who = next(iter(named))
        if who < 0 or who in cast.newcomer_at or None not in (g := cast.gender(pid), cast.gender(who)) and g != cast.gender(who) or not any(
                q.speaker == who and q.why == "tag_name" and scene[q.para] == scene[at] for q in quotes if q.para > last):
            continue
        for q in qs:
            q.speaker = who


def _named_after_opening(cast: Cast, paragraphs: Sequence[list[Piece]], resets: Sequence[bool], quotes: list[Quote],
                         me: int | None, also: frozenset[int]) -> None:
    """`"Keane. Are you awake?"` / `"No."` / `"You're talking."` / `"I talk in my sleep."` / `Mateo did not close the
    door.`: a scene of a first-person story opening on lines nobody is found for, between the narrator's own (called
    by a name of theirs), whose narration right after names one person, who then speaks in the scene: theirs."""
    mine = {NARRATOR} | also | ({me} if me is not None else set())
    n = len(quotes)
    i = 0
    while i < n:
        q = quotes[i]
        if not (resets[q.para] or i == 0 or any(resets[pi] for pi in range(quotes[i - 1].para + 1, q.para + 1))):
            i += 1
            continue
        j = i
        while j < n and quotes[j].speaker in mine | {None} and (j == i or not any(
                resets[pi] for pi in range(quotes[j - 1].para + 1, quotes[j].para + 1))) and (
                j == i or quotes[j].para - quotes[j - 1].para <= 1):
            j += 1
        run = quotes[i:j]
        if not run or not any(r.speaker is None for r in run) or not any(v in mine for r in run for v in r.vocatives):
            i = max(j, i + 1)
            continue
        last = run[-1].para
        named: set[int] = set()
        for pi in range(last + 1, min(len(paragraphs), last + 2)):
            if resets[pi] or any(p.kind != "narration" for p in paragraphs[pi]):
                break
            named = {who for p in paragraphs[pi] for _, _, who in cast.find(p.text)} - mine
        if len(named) == 1:
            who = next(iter(named))
            if who >= 0 and any(o.speaker == who for o in quotes[j:j + 6]):
                for r in run:
                    if r.speaker is None:
                        r.speaker = who
                        r.why = "named_after"
        i = max(j, i + 1)


_VOICE_CAME = re.compile(
    r"(?:(?:The|That|A|His|Her)\s+(?:\w+\s+)?(?:voice|shout|yell|call|bellow|roar|holler)\s+(?:had\s+)?"
    r"(?:came|come|belonged|was|rang\s+out|carried)\b|It\s+was\s+(?=[A-Z]))")
"""`The voice came from the clubhouse window, where Coach Fujikawa was leaning out`, `It was Tamsin, at the door`."""


_CALLED_MIN = 2
_TOLD_MIN = 3
"""...and how many sentences of the narration must open on their name."""
"""How many lines must call someone never tagged by name before they count among those who speak."""
_TAGGED_WHYS = frozenset({"tag_name", "first_person", "desc_new", "desc_role", "desc_kin", "desc_contrast", "desc_look",
                          "pron_role", "newcomer", "pron_stranger"})


def _voice_named_after(cast: Cast, paragraphs: Sequence[list[Piece]], quotes: list[Quote]) -> None:
    """A bare line, then a paragraph of narration that opens by telling whose voice it was (`The voice came from the
    window, where Coach Hale was leaning out.`): the one named in that sentence said it (a voice heard before its
    speaker is seen)."""
    by_para: dict[int, list[Quote]] = {}
    for q in quotes:
        by_para.setdefault(q.para, []).append(q)
    for pi, qs in by_para.items():
        if (pi + 1 < len(paragraphs) and qs[0].tag is not None and qs[0].tag.kind == "descriptor"
                and qs[0].tag.text.lower() == "a voice"):
            _voice_seen_after(cast, paragraphs[pi + 1], qs)
        if pi + 1 >= len(paragraphs) or any(p.kind == "narration" for p in paragraphs[pi]):
            continue
        nxt = paragraphs[pi + 1]
        if len(nxt) != 1 or nxt[0].kind != "narration":
            continue
        text = nxt[0].text
        if "voice" not in text and not text.startswith("It was ") and not any(
                w in text for w in ("shout", "yell", "call", "bellow", "roar", "holler")):
            continue
        m = _VOICE_CAME.match(text)
        if m is None or any(q.why in _TAGGED_WHYS for q in qs):
            continue
        end = _SENTENCES.search(text, m.end())
        found = cast.find(text[: end.start() if end else len(text)])
        who = {pid for s, _, pid in found if s >= m.end() and pid >= 0}
        if len(who) != 1:
            continue
        (pid,) = who
        for q in qs:
            _set(q, pid, "implicit", 0.8, "voice_named")


_SEE_WHO = re.compile(r"\b(?:(?:turn|look|whirl|wheel|jump|start)(?:s|ed|ing)?|spun|spin(?:s|ning)?)\b")
"""A first sentence that only turns to see who spoke (`I turned around.`, `Sora spun round and nearly dropped it.`)."""


def _voice_seen_after(cast: Cast, nxt: list[Piece], qs: list[Quote]) -> None:
    """`"Ninety," said a voice from the doorway.` and then the narration turns to see who: the next paragraph opens on
    a name (`Coach Rhee was leaning on the frame`), or on that name after turning (`I turned around. Mr. Abara had
    lowered his paper.`). The one seen said it."""
    if not nxt or nxt[0].kind != "narration":
        return
    text = nxt[0].text
    first = _SENTENCES.search(text)
    start = 0
    if first is not None and _SEE_WHO.search(text, 0, first.start()) is not None and first.start() < 60:
        start = first.end()  # `I turned around.`, `We all looked up.`
    head = text[start:start + 80]
    found = [pid for s, e, pid in cast.find(head) if s == 0 and pid >= 0
             and not head[e:].startswith((" and ", ", "))]  # (not `Theo and Noor exchanged a look`: the listeners)
    if not found and start and (m := re.match(r"The ([a-z]+) (?!and\b)", head)) is not None:
        # `Sora spun round. The captain was leaning in the doorway.`: a role the story speaks as.
        pid = _known_role(cast, m.group(1))
        if pid is None:
            pid = cast.resolve("the " + m.group(1))
        found = [pid] if pid is not None and pid >= 0 else []
    if not found:
        return
    for q in qs:
        if q.tag is not None and q.tag.kind == "descriptor" or q.cue in ("implicit", None):
            _set(q, found[0], "anaphoric", 0.8, "voice_seen")


def _rename_strangers(cast: Cast, resets: Sequence[bool], quotes: list[Quote]) -> None:
    """`"Hi," the stranger says.` ... `"You got a name?" "Jonah."`: the stranger's lines are Jonah's."""
    if not cast.named_later:
        return
    scene, k = [], 0
    for r in resets:
        k += bool(r)
        scene.append(k)
    names: dict[int, list[str]] = {}  # (the cast does not change here)
    for q in quotes:
        if q.speaker is None or q.speaker < 0:
            continue
        words = names.get(q.speaker)
        if words is None:
            words = names[q.speaker] = cast.name(q.speaker).lower().split()
        if len(words) == 2 and words[0] == "the":
            pid = cast.named_later.get((scene[q.para], words[1]))
            if pid is not None:
                q.speaker = pid


def _roles_linked_late(cast: Cast, quotes: list[Quote]) -> None:
    """`"Nothing but weather," said the sergeant.` ... later `Brannoch came back with a torch.` -- `"So," the sergeant
    said.`: a role that spoke as a character of its own before the text tied it to one name (`cast.roles`) was that
    character all along. Only the names on the lines change (decoding is done)."""
    if not cast.roles:
        return
    to: dict[int, int | None] = {}
    for q in quotes:
        pid = q.speaker
        if pid is None or pid < 0:
            continue
        if pid not in to:
            to[pid] = None
            words = cast.name(pid).lower().split()
            linked = cast.roles.get(words[-1]) if len(words) == 2 and words[0] == "the" else None
            if linked:
                top = linked.most_common(2)
                if (len(top) == 1 or top[0][1] > top[1][1]) and top[0][0] != pid and top[0][0] >= 0:
                    to[pid] = top[0][0]
        if to[pid] is not None:
            q.speaker = to[pid]


_NAMING = re.compile(r"\b(?:([Hh]e|[Ss]he)|[Tt]hat|[Yy]ou|(?:[Hh]is|[Hh]er)\s+name)(?:['\u2019](?:s|re|ll be)| is| are| was| must be| will be)\s+(?=[A-Z])")
"""`He's Cassian Dray.`, `That'll be Callum.`, `You're Ilse Brandt`, `His name's Wendel.`: a line saying who someone
is by name."""
_NAMED_BY_SPAN = 30
"""How many paragraphs after a stranger's last line someone else may say who they were."""


def _strangers_named_by_others(cast: Cast, paragraphs: Sequence[list[Piece]], quotes: list[Quote]) -> None:
    """`"Open the gate," said the stranger.` ... (the stranger speaks no more) ... `"He's Cassian Dray," the boy said.`
    and Cassian Dray speaks from then on: a stranger's epithet (`the stranger`, `the newcomer`) left as a character of
    its own is the one character someone else names in a line like `He's X` / `That'll be X` after the stranger's last
    line, when that name was never written before the stranger first spoke. Only the names on the lines change."""
    lines: dict[int, list[Quote]] = {}
    for q in quotes:
        if q.speaker is not None and q.speaker >= 0:
            words = cast.name(q.speaker).split()
            if len(words) == 2 and words[0].lower() == "the" and words[1].lower() in _UNKNOWN_HEADS:
                lines.setdefault(q.speaker, []).append(q)
    for pid, qs in lines.items():
        first, last, g = qs[0].para, qs[-1].para, cast.gender(pid)
        who = None
        for k, q in enumerate(quotes):
            if q.para <= last:
                continue
            if q.para > last + _NAMED_BY_SPAN or who is not None:
                break
            if " be " not in q.text and "'" not in q.text and "\u2019" not in q.text and " is " not in q.text and (
                    " are " not in q.text and " was " not in q.text):
                continue
            for m in _NAMING.finditer(q.text):
                rest = q.text[m.end():]
                found = cast.find(rest)
                if not found or not _GIVEN_FIRST.fullmatch(rest, 0, found[0][0]) or (c := found[0][2]) < 0 or c == pid or c == q.speaker or c in q.vocatives:
                    continue
                said = m.group(1) and ("female" if m.group(1).lower() == "she" else "male")
                if cast.name(c).lower().startswith("the ") or None not in (g, cast.gender(c)) and g != cast.gender(c) or (
                        said and cast.gender(c) not in (said, None)) or not any(e.speaker == c for e in quotes[k + 1 :]):
                    continue
                if any(w == c for pieces in paragraphs[:first] for p in pieces for _, _, w in cast.find(p.text)):
                    continue  # (someone known before the stranger came: not who the stranger was)
                who = c
                break
        if who is not None:
            for q in qs:
                q.speaker = who


_EPITHET_SUBJECT = re.compile(r"\b[Tt]he ([A-Z][\w\-]*)(?= [a-z])")
_OBJECT_PRONOUN = re.compile(r"\b(?:him|her|them)\b")
_EPITHET_BACK = 3
"""How many paragraphs back the topic of an epithet's sentence is looked for."""


def _topic(cast: Cast, text: str, skip: set[int]) -> int | None:
    """The character the last sentence opening on a name is about (`Voss was already there. He looked up.`)."""
    for sent in reversed(_SENTENCES.split(text)):
        sent = _OPENERS.sub("", sent.lstrip("\"'\u201c\u2018*_ "))
        found = cast.find(sent)
        if found and found[0][0] == 0 and found[0][2] >= 0 and found[0][2] not in skip:
            return found[0][2]
    return None


def _link_epithets(cast: Cast, paragraphs: Sequence[list[Piece]], resets: Sequence[bool]) -> None:
    """`Voss was already there ... "Oh, wonderful," the Slytherin drawled.`: a group epithet the subject of a
    sentence right after sentences about one named character (`Hollis looked ... The Hufflepuff pressed the parcel
    into Rowan's hands`) means that character; when most such uses agree, the epithet becomes their alias. An
    epithet linked to nobody stays a character of its own (`the ferryman` who is named only later)."""
    votes: dict[str, Counter[int]] = {}
    own = {word: cast.resolve("the " + word) for word in cast.epithets}
    skip = {pid for pid in own.values() if pid is not None}
    for pi, pieces in enumerate(paragraphs):
        for k, p in enumerate(pieces):
            if p.kind != "narration" or "he " not in p.text:
                continue
            for m in _EPITHET_SUBJECT.finditer(p.text):
                word = m.group(1).casefold()
                if word not in cast.epithets:
                    continue
                starts = [0] + [x.end() for x in _SENTENCES.finditer(p.text, 0, m.start())]
                lead = p.text[starts[-1] : m.start()]
                if _OPENERS.sub("", lead.strip("\"'\u201c\u2018*_ ,")):
                    continue  # not the subject of its sentence (`at the Slytherin table`)
                end = _SENTENCES.search(p.text, m.end())
                sent = p.text[m.end() : end.start() if end else len(p.text)]
                if _OBJECT_PRONOUN.search(sent):
                    continue  # `The Slytherin turned and glared at him`: him, the one just named, is someone else
                # The topic: earlier in this narration, in this paragraph's narration before it, or just before.
                texts = [p.text[: starts[-1]]] + [q.text for q in pieces[:k][::-1] if q.kind == "narration"]
                for back in range(1, _EPITHET_BACK + 1):
                    if pi - back < 0 or resets[pi - back + 1]:
                        break
                    texts += [q.text for q in paragraphs[pi - back][::-1] if q.kind == "narration"]
                who = next((t for t in (_topic(cast, x, skip) for x in texts if x.strip()) if t is not None), None)
                if who is None or any(pid == who for _, _, pid in cast.find(sent)):
                    continue
                votes.setdefault(word, Counter())[who] += 1
    for word, counter in votes.items():
        top = counter.most_common(2)
        if (len(top) == 1 or top[0][1] > top[1][1]) and own[word] is not None:
            _merge_into(cast, own[word], top[0][0])


_DECLARES = re.compile(
    r"(?=[IiTt])\b(?:[Ii](?:['\u2019]m| am)|[Tt]his is) (?:only |just |still |also )?(?:the|a|an|your) ([a-z]+(?: [a-z]+)?)(?= speaking\b|[.,!?;:\u2014]|--|$)")
"""`I'm the caretaker.`, `I am a pastry chef.`, `This is your captain speaking`: the speaker names their role."""
_CHAT_LINE = re.compile(r"[A-Z][\w'\u2019-]*(?: [A-Z][\w'\u2019-]*)?: ")


def _declared_roles(cast: Cast, paragraphs: Sequence[list[Piece]], quotes: list[Quote]) -> None:
    """A role that speaks on its own (`says the pastry chef`, a character `the chef`) is whoever declares it theirs
    somewhere in the work ("I am a pastry chef", said by Bea): one voice for the person, not a second one."""
    said = [(q.speaker, q.text) for q in quotes]
    for pieces in paragraphs:
        # A group-chat line, `Minho: i am the leader`, is said by the name before the colon.
        m = _CHAT_LINE.match(pieces[0].text) if len(pieces) == 1 and pieces[0].kind == "narration" else None
        found = cast.find(m.group(0)) if m else []
        if found and found[0][0] == 0:
            said.append((found[0][2], pieces[0].text[m.end() :]))
    declared: dict[str, Counter[int]] = {}
    epithet: dict[int, bool] = {}  # speaker -> named by an epithet (`the chef`); the cast does not change here
    for who, text in said:
        if who is None or who < 0:
            continue
        if who not in epithet:
            epithet[who] = cast.name(who).lower().startswith("the ")
        if epithet[who]:
            continue
        for m in _DECLARES.finditer(text.replace("*", "").replace("_", "")):
            words = m.group(1).split()
            if words[-1] in _GENERIC or words[-1] in _NOT_NAMES or words[-1] in _KIN or words[-1] in _STRANGER_HEADS:
                continue
            declared.setdefault(words[-1], Counter())[who] += 1
    _said_to_hold(cast, paragraphs, quotes, declared)
    for q in quotes:
        # "Why do you care?" The blond's jaw is tight. -- a beat's epithet on a line given to a named character.
        t = q.tag
        if (t is not None and t.kind == "descriptor" and t.text.lower().startswith("the ") and q.speaker is not None
                and q.speaker >= 0 and not cast.name(q.speaker).lower().startswith("the ")):
            head = t.text.lower().split()[-1]
            if head.isalpha() and not (head in _GENERIC or head in _NOT_NAMES or head in DEVICES or head in _STRANGER_HEADS):
                declared.setdefault(head, Counter())[q.speaker] += 1
    if not declared:
        return
    talks: set[tuple[int | None, int | None]] = set()
    for a, b in zip(quotes, quotes[1:]):
        if a.conv == b.conv:
            talks |= {(a.speaker, b.speaker), (b.speaker, a.speaker)}
    moved: dict[int, int | None] = {}
    for q in quotes:
        if q.speaker is None or q.speaker < 0:
            continue
        if q.speaker not in moved:
            name = cast.name(q.speaker).lower().split()
            top = declared.get(name[-1], Counter()).most_common(2) if len(name) == 2 and name[0] == "the" else []
            moved[q.speaker] = top[0][0] if top and (len(top) == 1 or top[0][1] > top[1][1]) else None
            if (q.speaker, moved[q.speaker]) in talks:
                moved[q.speaker] = None  # "I am a lifeguard," says Corvin to the lifeguard: two people
        if moved[q.speaker] is not None:
            q.speaker = moved[q.speaker]




_HOLDER_BACK = 4
"""...named in this many paragraphs before `He is also Warden`, or in its own."""


def _said_to_hold(cast: Cast, paragraphs: Sequence[list[Piece]], quotes: list[Quote], declared: dict[str, Counter[int]]) -> None:
    """The roles that speak as characters of their own (`the courier`) which the text says a named character holds:
    `Pell's our ferryman` (a name), or in speech `He is also Warden` after a line naming one other person
    (`"Mr. Abernot for you, sir."`): role -> who."""
    speakers = {q.speaker for q in quotes if q.speaker is not None and q.speaker >= 0}
    role_of = {w for pid in speakers
               for n in [cast.name(pid).lower().split()] if len(n) == 2 and n[0] == "the"
               for w in [n[1]] if w.isalpha() and not (w in _GENERIC or w in _NOT_NAMES or w in _KIN or w in _STRANGER_HEADS)}
    if not role_of:
        return
    # `the Cat` speaking is a name of its own, not `Pepper was the cat`: the tie writes the role as the tags do.
    capital = {w for pid in speakers
               for f in cast.people[pid].forms for n in [f.split()] if len(n) >= 1 and n[-1][:1].isupper()
               and n[-1].lower() in role_of for w in [n[-1].lower()]}
    # A lower-case role (`the officer`) may be many people's over a book; an office written as a title (`the
    # Warden`) is one person's.
    role_of &= capital
    if not role_of:
        return
    alt = "|".join(sorted(map(re.escape, role_of)))
    cheap = starts_on("".join({w[0] for w in role_of}), r"\b(?:" + alt + r")\b", ignorecase=True)  # (yes/no)
    after_name = re.compile(_HELD_ROLE.format(alt), re.I)
    after_pronoun = re.compile(r"(?:^|[.!?\u2014]\s+|--\s*)(?:[Hh]e|[Ss]he)" + _HELD_ROLE.format(alt), re.I)
    by_piece = {(q.para, q.piece): q for q in quotes}
    for pi, pieces in enumerate(paragraphs):
        for j, p in enumerate(pieces):
            if not cheap.search(p.text):
                continue
            for s, e, pid in cast.find(p.text):
                m = after_name.match(p.text, e) if pid >= 0 else None
                if m is not None and not cast.name(pid).lower().startswith("the ") and (
                        m.group(1)[0].isupper() == (m.group(1).lower() in capital)):
                    declared.setdefault(m.group(1).lower(), Counter())[pid] += 1
            q = by_piece.get((pi, j))
            m = after_pronoun.search(p.text) if q is not None and p.kind != "narration" else None
            if m is None or m.group(1)[0].isupper() != (m.group(1).lower() in capital):
                continue
            # `"He is also Warden."`: the one person the last lines named, besides the speaker and whom they address.
            g = "male" if m.group(0).lstrip(".!?\u2014- ").lower().startswith("he") else "female"
            for k in range(pi, max(-1, pi - _HOLDER_BACK - 1), -1):
                # The nearest paragraph naming someone else decides; two there, no link.
                named = {pid for piece in paragraphs[k] for _, _, pid in cast.find(piece.text)
                         if pid >= 0 and pid != q.speaker and pid not in q.vocatives and _compatible(cast, pid, g)
                         and not cast.name(pid).lower().startswith("the ")}
                if named:
                    if len(named) == 1:
                        declared.setdefault(m.group(1).lower(), Counter())[named.pop()] += 1
                    break


_PLACE_BEFORE = re.compile(
    r"(?=[abfilnortuvw])\b(?:in|at|to|from|into|near|towards|toward|through|across|of|round|around|within|outside|reached|leave|left|"
    r"visit|visited|for|on|upon|by|with)\s+(?:the\s+)?$", re.I)
_PLACE_SHARE = 0.6
_PLACE_MIN = 5


_ANIMALS = (r"(?:dog|dogs|puppy|pup|cat|kitten|kitty|frog|toad|tadpole|bird|parrot|budgie|canary|chick|horse|pony|mare|"
            r"stallion|foal|donkey|mule|goat|sheep|lamb|cow|calf|pig|piglet|hen|chicken|rooster|duck|duckling|goose|owl|"
            r"crow|raven|fish|goldfish|hamster|gerbil|rabbit|bunny|mouse|rat|snake|lizard|gecko|turtle|tortoise|ferret|"
            r"hedgehog|spider|beetle|snail|slug|worm|squirrel|plant|cactus|toy|doll|teddy|car|truck|van|bike|pet)")
_PET_NAMED = re.compile(
    rf"\b{_ANIMALS}\b[^.!?;\u201c\u201d\"]{{0,60}}?\b(?:named|called|christened|dubbed|name|names|call|calls)\s+(?:it\s+|him\s+|her\s+)?$"
    r"|\b(?:named|called|christened|dubbed|name|names|call|calls)\s+it\s+$")
"""`a frog, who they had named Kevin`, `a dog called Rex`, `He called it Mister Lumps`: an animal's or a thing's name."""
_PET_APPOSED = re.compile(rf"\s*,?\s+the\s+(?:[a-z]+\s+)?{_ANIMALS}\b")
"""`Kevin the frog`, `Rex, the old dog,`: a name set beside an animal noun."""


_OBJECT_HEADS = frozenset(
    """machine machines dryer washer message voicemail recording tape video clip television tv kettle microwave toaster fridge oven
    door doors bell alarm clock engine car van truck computer laptop printer kettle camera monitor""".split())
"""Things a beat or a tag may have as subject (`The message cut off.`, `The machine thought about it`): no speaker."""


def _things(cast: Cast, paragraphs: Sequence[list[Piece]], speakers: set[int]) -> set[int]:
    """Names the text gives an animal or a thing (`a frog, who they named Kevin`, `called it Mister Lumps`,
    `Kevin the frog`): nobody who speaks, unless a speech tag says they do (the animals of a fable)."""
    out = set()
    for pieces in paragraphs:
        for p in pieces:
            if not ("named" in p.text or "called" in p.text or " the " in p.text
                                              or "name" in p.text or "call" in p.text or "dubbed" in p.text):
                continue
            for s, e, pid in cast.find(p.text):
                if pid < 0 or pid in speakers or pid in out:
                    continue
                if _PET_NAMED.search(p.text, max(0, s - 90), s) or _PET_APPOSED.match(p.text, e):
                    out.add(pid)
    return out


def _first_named(cast: Cast, paragraphs: Sequence[list[Piece]], quotes: list[Quote], resets: Sequence[bool]) -> dict[int, int]:
    """Where the scene starts in which the text first names each character (or tags a line as theirs): before it,
    in an earlier scene or chapter, they are not on stage yet."""
    starts, start = [], 0
    for pi, r in enumerate(resets):
        start = pi if r else start
        starts.append(start)
    first: dict[int, int] = {}
    exact: dict[int, int] = {}
    for pi, pieces in enumerate(paragraphs):
        for p in pieces:
            for _, _, pid in cast.find(p.text):
                first.setdefault(pid, starts[pi])
                exact.setdefault(pid, pi)
    asked, heard = "", [None] * 6
    for q in quotes:
        if q.vocatives and len(q.vocatives) == 1 and len(q.text) < 30 and asked.endswith("?") and (
                "who" in asked or "name" in asked) and not q.vocatives & set(heard) and _NAME_ALONE.fullmatch(q.text) and (
                exact.get(next(iter(q.vocatives))) == q.para):
            # `"Who's at the door?"` -- `"Nadim," she said.`: a name given in answer, not someone called, so not the
            # one to answer next (when the name is new here: not one of those talking, `"Who did this?"` -- `"Poll,"`).
            q.given = frozenset(q.vocatives)
        asked = q.text[-40:].lower()
        heard = heard[1:] + [q.speaker]
    for q in quotes:
        for pid in (q.tag.pid if q.tag is not None else None, *q.intro):
            if pid is not None and first.get(pid, len(starts)) > starts[q.para]:
                first[pid] = starts[q.para]
    return first


def _places(cast: Cast, paragraphs: Sequence[list[Piece]]) -> set[int]:
    """Names mostly read after a preposition (`in Coketown`, `to the Maidan`): places, not people."""
    seen: dict[int, int] = {}
    after: dict[int, int] = {}
    for pieces in paragraphs:
        for p in pieces:
            if p.kind != "narration":
                continue
            for s, _, pid in cast.find(p.text):
                seen[pid] = seen.get(pid, 0) + 1
                if _PLACE_BEFORE.search(p.text, max(0, s - 20), s):
                    after[pid] = after.get(pid, 0) + 1
    return {
        pid for pid, n in seen.items()
        if n >= _PLACE_MIN and after.get(pid, 0) >= _PLACE_SHARE * n or n >= 2 and after.get(pid, 0) == n
    }


def _spread_in_paragraph(qs: list[Quote]) -> None:
    """Untagged quotes in a paragraph take the tag of the nearest tagged quote (earlier first)."""
    for i, q in enumerate(qs):
        if q.tag is not None:
            continue
        prev = next((qs[j].tag for j in range(i - 1, -1, -1) if qs[j].tag and qs[j].tag.strength >= 0.9), None)
        nxt = next((qs[j].tag for j in range(i + 1, len(qs)) if qs[j].tag and qs[j].tag.strength >= 0.9), None)
        q.tag = prev or nxt


def _listener_beat(text: str, quotes: list[Quote], pi: int, said: str) -> str:
    """A beat paragraph that shows someone listening rather than taking the floor: busy with something
    (`Davor is polishing a glass.`: "busy"), only looking at the other one (`Rowan stared at him.`: "look"), or
    answering a question by showing something (`Is that cheese toast?` -- `Ash holds up the pan.`: "show") or with
    a nod when the next line (`said`) is the asker's next question, one sentence (`Is this for me?` -- `Hamish
    nodded.` -- `From Gran?`: "nod"; not `I do. Did you see it had been mended?`: the nodder goes on).
    The line after it is not given to them by the beat ("answer": a nod before anything else, whoever speaks)."""
    last = _last_sentence(text.rstrip())
    if "ing" in last and _ONGOING.match(last):
        return "busy"
    if len(last) < 60 and _BARE_LOOK.match(last):
        return "look"
    if not (quotes and quotes[-1].para >= pi - 2 and quotes[-1].text.rstrip().endswith("?")):
        return ""
    if _SILENT_ANSWER.search(last):
        return "show"
    if not _NOD.search(last):
        return ""
    return "nod" if _one_question(said) else "answer"


def _one_question(text: str) -> bool:
    """A line that is a single question (`From Gran?`, `But you told Mr. Abernot?`)."""
    text = text.strip(" '\"\u201c\u201d\u2018\u2019")
    return text.endswith("?") and "?" not in text[:-1] and not _SENTENCES.search(text)


def _share_beat(qs: list[Quote]) -> None:
    """`“Hey.” Yoongi can’t help but glare. “That’s enough.”`: a beat between two quotes of a paragraph is its
    speaker's, for the quote before it as well as the one after, when nothing else in the paragraph tags them."""
    for i, q in enumerate(qs):
        if q.tag is not None:
            continue
        for o in qs[i + 1 : i + 2] + qs[max(0, i - 1) : i]:
            mid = (q.piece + o.piece) // 2
            if (abs(o.piece - q.piece) == 2 and o.tag is not None and o.tag_at is not None and o.tag_at[0] == mid
                    and all(x.tag is None or x.tag_at is not None and x.tag_at[0] == mid for x in qs)):
                q.tag, q.tag_at = o.tag, o.tag_at
                break


def _resolve(
    cast: Cast, paragraphs: Sequence[list[Piece]], resets: Sequence[bool], quotes: list[Quote], known: set[int],
    fresh_before: dict[int, list[int]],
) -> None:
    heard: set[int] = set()
    conv = Conversation(heard=heard)
    conv_id = 0
    qi = 0
    gap = 0
    heads = _Heads()  # person nouns the scene's narration has used, up to the paragraph before the last
    heads_last: list[str] = []  # the narration of the last paragraph
    newcomers: dict[str, int] = {}  # a newcomer's epithet in this scene -> their character
    for pi, pieces in enumerate(paragraphs):
        if resets[pi]:
            conv = Conversation(heard=heard)
            conv_id += 1
            gap = 0
            heads, heads_last, newcomers = _Heads(), [], {}
        narration = [p for p in pieces if p.kind == "narration"]
        para_quotes = []
        while qi < len(quotes) and quotes[qi].para == pi:
            para_quotes.append(quotes[qi])
            qi += 1
        if not para_quotes:
            conv.recent = (conv.recent + [" ".join(p.text for p in narration)])[-_RECENT:]
            heads.texts += heads_last
            heads_last = [p.text for p in narration]
            gap += sum(len(p.text) for p in narration)
            for p in narration:
                for s, _, pid in cast.find(p.text):
                    if pid in known:
                        conv.mention(pid)
                    if _WAITS.match(p.text, s):
                        conv.fresh = [x for x in conv.fresh if x != pid]
                        continue  # `Cas waits.`: the one waiting is not who speaks next
                    conv.fresh.append(pid)
                    conv.seen.append(pid)
            if gap > _GAP_CHARS:
                conv.speakers.clear()
                conv_id += 1
                conv.last_quote = None
            continue
        gap = 0
        fresh_before.setdefault(conv_id, list(conv.fresh))
        first_speaker_here: int | None = None
        for i, q in enumerate(para_quotes):
            prev_here = para_quotes[i - 1] if i else None
            # (Not when this one calls that speaker by name and only a beat tags them both: `“It's unbelievable,” said
            # Ansel. “...” From his smile, Cato guessed it. “Cato, listen.”`)
            if prev_here is not None and prev_here.speaker is not None and not (
                    prev_here.speaker in q.vocatives and q.tag is not None and q.tag.strength < 0.9) and (
                    q.shares or (q.tag is not None and q.tag is prev_here.tag and prev_here.why in ("desc_kin", "desc_role"))):
                # Split by its tag, or untagged after a tagged line of the same paragraph: the same speaker.
                _set(q, prev_here.speaker, prev_here.cue, prev_here.confidence, "split")
            elif prev_here is not None and prev_here.why == "described" and q.shares and id(prev_here) in cast.arrivals:
                # (Split by the tag of someone come in, not named yet: theirs too, found by the decoder.)
                _set(q, None, None, 0.0, "described")
                cast.arrivals.add(id(q))
            else:
                _decide(cast, pieces, q, conv, first_speaker_here, known)
                if i == 0 and q.why not in ("tag_name", "same_para", "continued", "described") and (q.tag is None or (
                        q.tag.kind in ("pronoun", "descriptor") and q.tag.gender != "first")):
                    _take_newcomer(cast, paragraphs, pi, q, heads, heads_last, newcomers, resets[pi], conv.recent)
            if q.speaker is not None:
                first_speaker_here = q.speaker if first_speaker_here is None else first_speaker_here
                conv.spoke(q.speaker)
                heard.add(q.speaker)
            conv.last_quote = q
            q.conv = conv_id
        for p in narration:
            for _, _, pid in cast.find(p.text):
                if pid in known:
                    conv.mention(pid)
        conv.recent = (conv.recent + [" ".join(p.text for p in narration)])[-_RECENT:]
        heads.texts += heads_last
        heads_last = [p.text for p in narration]
        if para_quotes[-1].speaker is not None:
            conv.mention(para_quotes[-1].speaker)
        elif first_speaker_here is None and conv.speakers:
            # Someone we cannot name took this turn: keep the alternation counting (A, ?, A).
            conv.speakers.append(_UNNAMED - qi)
        conv.fresh.clear()


_NEWCOMER_HEADS = {
    "man": "male", "boy": "male", "guy": "male", "lad": "male", "gentleman": "male", "barman": "male", "landlord": "male",
    "woman": "female", "girl": "female", "lady": "female", "lass": "female", "waitress": "female", "barmaid": "female",
    "landlady": "female", "kid": None, "child": None, "teenager": None, "youth": None, "bartender": None, "waiter": None,
    "nurse": None, "cop": None, "guard": None, "driver": None, "cashier": None, "barista": None, "clerk": None,
    "receptionist": None, "paramedic": None, "bouncer": None, "porter": None, "courier": None,
}
_NEWCOMER_OCCUPATIONS = frozenset(h for h in _NEWCOMER_HEADS if h not in
                                  ("man", "boy", "guy", "lad", "gentleman", "woman", "girl", "lady", "lass", "kid", "child", "teenager", "youth"))
_HEADS_RE = "|".join(sorted(_NEWCOMER_HEADS, key=len, reverse=True))
_NEWCOMER_INDEF = re.compile(r"(?:^|,\s+|\band\s+|\bthen\s+|\bopen(?:ed|s)?\s+(?:on|to\s+reveal)\s+|\breveal(?:ed|ing|s)?\s+)[Aa]n?\s+(?:([a-z][\w\-]*)\s+){0,3}?(" + _HEADS_RE + r")\b(?!['\u2019-])")
"""`A broad man in a navy windbreaker shoulders through`, `..., and an old woman in a pink bathrobe`, `The door opened
on a boy of ten`: someone new."""
_NEWCOMER_DEF = re.compile(r"[Tt]he\s+(?:([a-z][\w\-]*)\s+)?(" + _HEADS_RE + r")\s+(who\s|[a-z]+s\b|[a-z]+ed\b)")
"""`The bartender drifts over.`, `The boy who came in was perhaps twelve`: a first mention as a sentence's subject."""
_NEWCOMER_GOES_ON = re.compile(r"(?:He|She|His|Her|They|Their)\b")


def _newcomer(cast: Cast, text: str, before: Callable[[], set[str]], gender: str | None) -> tuple[str, bool] | None:
    """The person the narration just before a line introduces, unnamed, and goes on about up to the line
    (`A broad man in a navy windbreaker shoulders through the crowd ... He taps the clipboard.`): their epithet
    (`the old woman`) and whether they came in with `a`. `before` gives the person nouns of the scene's earlier narration:
    a definite first mention (`The bartender drifts over.`) counts only when the scene has not spoken of a bartender yet."""
    sents = [x for x in _SENTENCES.split(text) if x.strip()]
    for at in range(len(sents) - 1, max(-1, len(sents) - 4), -1):
        sent = _OPENERS.sub("", sents[at].lstrip("\"'\u201c\u2018*_ "))
        m = _NEWCOMER_INDEF.search(sent)
        if m is None:
            m = _NEWCOMER_DEF.match(sent)
            if m is None or not (m.group(3).startswith("who") or m.group(2) in _NEWCOMER_OCCUPATIONS) or m.group(2) in before():
                m = None
        if m is None:
            if cast.find(sent) and not _NEWCOMER_GOES_ON.match(sent):
                return None  # someone named acts after the description
            continue
        head = m.group(2)
        g = _NEWCOMER_HEADS[head]
        if cast.find(sent[: m.start()]) or (gender is not None and g is not None and g != gender):
            return None
        if g is None:
            # the gender of the sentences that go on about them
            for rest in sents[at + 1 :]:
                w = rest.lstrip().split(" ", 1)[0]
                g = {"He": "male", "His": "male", "She": "female", "Her": "female"}.get(w, g)
        if gender is not None and g is not None and g != gender:
            return None
        adj = m.group(1)
        name = "the " + (adj + " " if adj and adj in ("old", "young", "little", "older", "younger", "new") else "") + head
        return name, m.re is _NEWCOMER_INDEF
    return None


_FIRST_PERSON = re.compile(r"\b(?:I|me|my|we|us|our)\b")
_ARRIVAL_BACK = 4
"""How far back (paragraphs) a tagged epithet (`the old man said`) looks for the unnamed arrival it stands for."""
_HEADS_ANY = re.compile(
    # (The lookahead on the heads' first letters lets the scan skip other words quickly.)
    r"(?=[" + "".join(sorted({re.escape(w[0].lower()) for w in _NEWCOMER_HEADS})) + r"])\b(?:" + _HEADS_RE + r")\b", re.I)


class _Heads:
    """The person nouns (`_HEADS_ANY`) of a scene's narration so far, lower case. Only a definite first mention
    (`The bartender drifts over.`) asks for them, so the texts are scanned then, each once: most scenes never ask."""

    __slots__ = ("texts", "found")

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.found: set[str] = set()

    def get(self, more: Sequence[str] = ()) -> set[str]:
        """The nouns found, with those of `more` (a new set then)."""
        if self.texts:
            self.found |= _heads_in(self.texts)
            self.texts = []
        return self.found | _heads_in(more) if more else self.found


def _heads_in(texts: Sequence[str]) -> set[str]:
    return {m.group(0).lower() for t in texts for m in _HEADS_ANY.finditer(t)}


def _take_newcomer(cast: Cast, paragraphs: Sequence[list[Piece]], pi: int, q: Quote, heads: _Heads,
                   heads_last: list[str], newcomers: dict[str, int], opens: bool, recent: list[str]) -> None:
    """A paragraph's first line right after narration that brings someone new on stage, unnamed, and stays with
    them (`The bartender drifts over. He has a name tag.` "What can I get you?"): theirs, not one of the pair
    already talking. Their epithet used again in the scene (`the old woman shrieked`) means them again."""
    pieces = paragraphs[pi]
    t = q.tag
    if t is not None and t.kind == "descriptor" and t.strength >= 0.9:
        pid = newcomers.get(t.text.lower())
        if pid is not None and q.why not in ("desc_role", "desc_kin", "desc_contrast", "desc_look"):
            _set(q, pid, "anaphoric", 0.6, "newcomer")
        elif pid is None and not opens and q.why not in ("desc_role", "desc_kin", "desc_contrast", "desc_look"):
            # `A small man in a tweed cap came in.` -- "Good morning." -- "I'm sorry, Mr. Pruitt." -- `"Ah," the old
            # man said.`: the tag's epithet names the one who came in a few paragraphs back, unnamed: theirs, and
            # the decoder looks for the name a line gives them (`called_only`).
            head = t.text.lower().rsplit(" ", 1)[-1]
            for back in range(pi - 1, max(-1, pi - _ARRIVAL_BACK - 1), -1):
                if all(p.kind == "narration" for p in paragraphs[back]):
                    found = _newcomer(cast, " ".join(p.text for p in paragraphs[back]), set, t.gender)
                    if found is not None and found[1] and found[0].rsplit(" ", 1)[-1] == head:
                        _set(q, None, None, 0.0, "described")
                        cast.arrivals.add(id(q))
                    break
        return
    lead = " ".join(p.text for p in pieces[: q.piece] if p.kind == "narration")
    prev = paragraphs[pi - 1] if pi > 0 and not opens else []
    last: list[str] = []  # the last paragraph's narration counts as earlier when the line's own paragraph leads
    if prev and all(p.kind == "narration" for p in prev):
        lead = " ".join(p.text for p in prev) + (" " + lead if lead else "")
    elif lead:
        last = heads_last
    else:
        return
    own = not last and not (prev and all(p.kind == "narration" for p in prev))
    if (t is None and not own) or _HEADS_ANY.search(lead) is None or any(_FIRST_PERSON.search(x) for x in recent + [lead]):
        # (an untagged line counts only after its own paragraph's beat: `A waitress came over with the pot. "More?"`;
        # a first-person narrator on stage talks with the newcomer: left to the decoder)
        return
    g = t.gender if t is not None and t.gender in ("male", "female") else None
    found = _newcomer(cast, lead, lambda: heads.get(last), g)
    if found is None:
        return
    name, indefinite = found
    if not indefinite or (t is not None and t.strength >= 0.9):
        # `The bartender drifts over.`, `a woman in a lilac dress walks in. "Where is she?" she demands.`: someone
        # not named yet; the decoder looks for the name they are given soon after.
        _set(q, None, None, 0.0, "described")
        if indefinite:
            cast.arrivals.add(id(q))
        return
    pid = newcomers.get(name)
    if pid is None:
        pid = newcomers[name] = cast.add(name)
        cast.newcomer_ids.add(pid)
        cast.newcomer_at[pid] = pi
    _set(q, pid, "anaphoric" if t is not None else "implicit", 0.6, "newcomer")


_RECENT = 3
"""Paragraphs of narration before a quotation searched for a pronoun's antecedent."""
_SENTENCES_BACK = 12
"""Sentences read back from a pronoun's tag for its antecedent."""
_PRONOUN_SUBJ = re.compile(r"[hsHS](?<!\w[hsHS])(?:(?<=[hH])e|(?<=[sS])he)\b")
"""`\b(?:he|she|He|She)\b`, first letter first (then the look back for `\b`), so the scan stops only at those."""
_POSSESSIVE_SUBJ = re.compile(r"\W*(His|Her)\s+[a-z]")
"""A sentence opening on a possessive (`His voice was rough.`), whose subject belongs to the one already followed."""


def _antecedent(
    cast: Cast, recent: list[str], pieces: list[Piece], q: Quote, gender: str, known: set[int],
    conv: Conversation | None = None, trail: list[int] | None = None,
) -> int | None:
    """Who `he`/`she` in a tag refers to: the subject of the latest sentence that names someone of that gender.

    Sentences are read backwards from the tag; one whose subject is the same pronoun continues the chain
    (`He had heard Okonjo say ... He steadied his voice and said`), so the search goes on to the sentence before.
    Within a sentence the subject (its first name) is preferred over names later in it. `trail`, if given, gets
    [sentences the chain ran through, sentences passed over that did not continue it] up to the one found.
    """
    if trail is None:
        trail = [0, 0]
    texts = list(recent)
    for k, p in enumerate(pieces if q.tag_at is not None else ()):
        if p.kind != "narration" or k > q.tag_at[0]:
            continue
        texts.append(p.text[: q.tag.pos] if k == q.tag_at[0] and q.tag.pos >= 0 else p.text)
    sentences = [x for t in texts for x in _SENTENCES.split(t) if x.strip()][-_SENTENCES_BACK:]
    trail[:] = [0, 0]
    for at in range(len(sentences) - 1, -1, -1):
        sent = sentences[at]
        body = _OPENERS.sub("", sent.lstrip("\"'\u201c\u2018*_ "))
        epithet = _EPITHET_OPENS.match(body) if body[:3] != "It " else _CLEFT_EPITHET.match(body)
        head = epithet.group(1).lower() if epithet else ""
        if head in cast.speaking_heads and _DESCRIBED_GENDER.get(head, gender) == gender and not (
                _OBJECT_PRON[gender].search(sent)):
            # `The lieutenant took the sponge from him.`: a word the book tags people by (`said the lieutenant`) as
            # the subject, held by one character (`Lieu`, `Lieutenant Bellini`, `Bellini, the lieutenant,`).
            pid = _known_role(cast, head)
            if pid is None and head in cast.role_speakers and conv is not None:
                # `The mariner was very red; he clenched his hands.` with `said the mariner` elsewhere: the role
                # as the character it is.
                pid = _role(cast, "the " + head, conv)
                if pid is not None and (cast.gender(pid) not in (None, gender) or pid not in conv.speakers and not (
                        body[:3] == "It " and pid in conv.heard and _role_goes_on(cast, pid, sent, len(sent) - len(body) + epithet.end(1), gender))):
                    # (only one already heard in this conversation: `the bartender` may be one named later; or one
                    # heard earlier in the work whom a cleft puts first, `It was the knight who broke first.`)
                    pid = None
            if pid is not None and pid >= 0 and pid not in q.vocatives and (
                    _compatible(cast, pid, gender) or cast.role_genders.get(head) == gender) and _role_may_speak(
                    sent, len(sent) - len(body) + epithet.end(1), gender):
                q.why = "pron_role"
                return pid
        kin = _KIN_SUBJECT.match(body)
        if kin is not None and conv is not None and _KIN[kin.group(2).lower()] == gender:
            # `Her mother was surprised.` / `Wren's mother looked at him.`: the relative is the one followed, when
            # the cast holds them (a parent sharing the family name of the one they belong to).
            near = [pid for x in sentences[at - 1 :: -1][:3] if at for _, _, pid in reversed(cast.find(x))]
            pid = _kin(cast, f"{kin.group(1)} {kin.group(2)}", near, conv, q.vocatives)
            if pid is not None:
                return pid
        found = [(s, pid) for s, _, pid in cast.find(sent)]
        prons = [(m.start(), m.group().lower()) for m in _PRONOUN_SUBJ.finditer(sent)]
        owner = _POSSESSIVE_SUBJ.match(sent)
        if owner:
            # `His hands come up to frame Cas's face.`: the sentence is about the pronoun's antecedent too.
            prons.append((owner.start(1), "he" if owner.group(1) == "His" else "she"))
        items = sorted([(s, "name", pid) for s, pid in found] + [(s, "pron", w) for s, w in prons], key=lambda x: x[0])
        described = _DESCRIBED.match(_OPENERS.sub("", sent.lstrip()))
        if described and (not items or items[0][0] > described.end()) and _DESCRIBED_GENDER.get(
                described.group(1).lower(), gender) == gender and not _OBJECT_PRON[gender].search(sent):
            # (`The man glances up at him`: two of that gender, and the pronoun may be either.)
            return STRANGER  # "The man who stepped out ... 'Sorry,' he said": someone not named yet
        if not items:
            trail[1] += 1
            continue
        fits = [(s, pid) for s, kind, pid in items if kind == "name" and (
            cast.gender(pid) == gender or (cast.gender(pid) is None and pid in known))]
        # Someone coming on stage (`She was soon joined by Bryony.`, `in walked Arlo`), of that gender or not known
        # to be otherwise: the newcomer speaks first to the one already there.
        comers = [(s, pid) for s, kind, pid in items if kind == "name" and cast.gender(pid) in (None, gender) and (
            _JOINED_BY.search(sent, 0, s) or _ENTERS.search(sent, 0, s))]
        joined = next((pid for s, pid in comers if _JOINED_BY.search(sent, 0, s)), None)
        if joined is not None:
            return joined
        fits = sorted(set(fits) | set(comers))
        first = items[0]
        if fits and first[1] == "name" and sent.rstrip().endswith(":") and _TO_ADDRESSEE.match(sent, 0, first[0]):
            # `She said, not turning around. To Theo: "Sunday, then."` -- `"I'd like that," he said.`: the one a
            # line was said to answers it.
            return first[2]
        if fits and first[1] == "name" and len(sent.split()) <= _FRAGMENT_WORDS and _FRAGMENT.fullmatch(sent, 0, first[0]) and len(
                _FRAGMENT_REST.findall(sent, next(e for st, e, _ in cast.find(sent) if st == first[0]))) <= 1:
            # `Rafe looked at Dov for a long moment. Then at Owen.`, `Younger than Rourke expected.`: a sentence with
            # no subject of its own goes on with the one before; the name in it is only looked at or compared.
            trail[0] += 1
            continue
        chained = first[1] == "pron" and _PRON_WORDS_G.get(first[2]) == gender
        if fits and (chained or len({pid for _, pid in fits}) > 1):
            # Two of that gender in one sentence (`Idris went after him, and Tom shut the gate.`), or the
            # chain's pronoun handing over to a name (`He sat, and Rhys looked at the stitches.`): the subject of
            # the last main clause is the one the story follows into the speech.
            mains = _clause_subjects(cast, sent, {pid for _, pid in fits})
            if mains:
                return mains[-1]
        if chained:
            trail[0] += 1
            continue  # the same pronoun as subject: the chain goes on
        if fits and _pronoun_goes_on(cast, sent, fits, gender):
            trail[0] += 1
            continue
        if fits and _other_one(sent, max(s for s, _ in fits), gender):
            trail[0] += 1
            continue
        if fits:
            # Someone looked at or spoken to (`turning to Okonjo`) is the subject only when no one else is named.
            objects = _objects(cast, sent)
            subjects = [pid for s, pid in fits if s not in objects]
            return (subjects or [fits[0][1]])[0]
        trail[1] += 1
    return None


_FRAGMENT = re.compile(
    r"[\s\"'\u201c\u2018*_]*(?:(?:[Aa]nd|[Bb]ut|[Oo]r|[Tt]hen|[Nn]ot|[Oo]nly|[Jj]ust|[Ee]ven|[Ss]till|[Aa]gain|[Nn]ow|[Aa]lso|[Ff]irst)\s+)*"
    r"(?:[A-Za-z]+er\s+than|[Mm]ore\s+\w+\s+than|[Aa]t|[Tt]o|[Tt]owards?|[Oo]n|[Oo]nto|[Ii]nto|[Ww]ith|[Ff]rom|[Pp]ast|[Oo]ver|[Ll]ike|[Tt]han)\s+")
"""The opening of a verbless sentence before a name (`Then at Owen.`, `Younger than Rourke expected.`)."""
_FRAGMENT_WORDS = 8
_TO_ADDRESSEE = re.compile(r"[\s\"'\u201c\u2018*_]*(?:[Tt]hen\s+|[Aa]nd\s+)?[Tt]o\s+$")
"""`To Theo:`, `Then to Wren:` before a line: the name is the one it is said to."""
_FRAGMENT_REST = re.compile(r"[A-Za-z]+")
"""...ending on the name, or one word after it (`expected`): not `To Mara it seemed strange.`"""

_MAIN_PRON = {g: re.compile(r"(?:[;:\u2014]|,(?:\s+(?:and|but|yet|then|so))?)\s+" + w + r"\s+(?!who\b|that\b)[a-z]")
              for g, w in (("male", "he"), ("female", "she"))}
"""A pronoun opening a main clause after a clause before it (`..., she turned away`, `...; he ought to go`)."""
_EMBEDS = frozenset("""when while as though although if after before since because once until unless whereas whether which whom
    who whose that than""".split())
"""Words opening a clause inside the sentence (`as soon as Marit arrived`, `which Wren had never heard`)."""
_SUBORDINATE_OPENS = frozenset("when while as though although if after before since because once until unless whereas".split())


def _pronoun_goes_on(cast: Cast, sent: str, fits: list[tuple[int, int]], gender: str) -> bool:
    """The pronoun is the subject of the sentence's main clause, after every name of its gender, and those names
    sit inside it as objects or in clauses of their own (`And with a warmth which Wren had never heard from her,
    she looked away.`, `As soon as the kettle was on and Perpetua had been sent off, she brought the tray in.`):
    the pronoun goes on with whoever the chain followed before, not with them. A name as the subject of an opening
    clause (`When Mrs. Hollis got back, she ...`) is the pronoun's antecedent."""
    last = max(s for s, _ in fits)
    if _PRONOUN_SUBJ.search(sent, last) is None:
        return False  # (cheap test first)
    m = _MAIN_PRON[gender].search(sent, last)
    if m is None:
        return False
    for s, e, pid in cast.find(sent[: m.start()]):
        if (s, pid) not in fits:
            continue
        prev = _PREV_WORD.search(sent, max(0, s - 64), s)  # (near the name first: the same match)
        if prev is None and s > 64:
            prev = _PREV_WORD.search(sent, 0, s)
        w = prev.group(1).lower() if prev else ""
        if w in _SUBORDINATE_OPENS and _NEXT_WORD.match(sent, e):
            return False  # the subject of a clause before the main one: the pronoun stays with them
        if not (w in _OBJECT_AFTER or w in _EMBEDS):
            return False
    return not _clause_subjects(cast, sent[: m.start()], {pid for _, pid in fits})


_OBJ_THEN_SUBJ = {g: re.compile(rf"\b{o}\b(?:(?![.;]).)*?\b{w}\b") for g, o, w in (("male", "him", "he"), ("female", "her", "she"))}


def _other_one(sent: str, last: int, gender: str) -> bool:
    """After the last name of the pronoun's gender, the sentence speaks of another of that gender as `him`, then as
    `he` (`It was only when Bram stood beside him that he stopped`): not the one named, whom the chain passes."""
    m = _OBJ_THEN_SUBJ[gender].search(sent, last)
    return m is not None and _OBJECT_PRON[gender].match(sent, m.start()) is not None


_KIN_SUBJECT = re.compile(
    r"(His|Her|Their|[A-Z][\w\-]*['\u2019]s)\s+(?:(?:own|old|young|little|elder|younger|poor|dear)\s+)?"
    r"(mother|mamma|mama|father|papa|husband|wife|sister|brother|son|daughter|grandmother|grandfather)\s+(?!of\b)[a-z]")
"""A sentence whose subject is someone's relative (`Her mother was surprised`, `Wren's mother looked up`)."""

_OWN_PRON = {"male": re.compile(r"\b(?:he|his|himself)\b"), "female": re.compile(r"\b(?:she|her|herself)\b")}
"""A pronoun of each gender that a sentence's subject may own."""
_SAYS_NOTHING = re.compile(r"\b(?:said|says) nothing\b")
_ROLE_PRON = re.compile(r"\b(?:(he|his|himself)|(she|herself|her\s+own))\b")
"""Pronouns that can only be a role's own in a sentence it opens (not `him` or `her`, as likely someone else)."""


def _role_genders(paragraphs: Sequence[list[Piece]], heads: set[str]) -> dict[str, str]:
    """The gender the narration gives each role that speaks (`The knight rode at her side, because he would not be
    argued out of it.`): the pronouns after `the knight` as a subject in its sentence, when two in three agree."""
    # (The `T` first and where it stands looked back at after it: the scan only stops at `T` and `t`.)
    pat = re.compile(r"[Tt](?:(?<=^[Tt])|(?<=[.!?]\s[Tt]))he\s+(?:[a-z][\w\-]*\s+){0,2}?(" + "|".join(sorted(map(re.escape, heads)))
                     + r")\s+[a-z][^.!?]*")
    votes: dict[str, list[int]] = {}
    for pieces in paragraphs:
        for p in pieces:
            if p.kind != "narration":
                continue
            for m in pat.finditer(p.text):
                v = votes.setdefault(m.group(1), [0, 0])
                for x in _ROLE_PRON.finditer(m.group(0)):
                    v[0 if x.group(1) else 1] += 1
    return {h: "male" if m > f else "female" for h, (m, f) in votes.items() if max(m, f) >= 2 * min(m, f) and max(m, f) >= 1}


_THEIR_PRON = {"female": re.compile(r"\b(?:he|his|himself)\b"), "male": re.compile(r"\b(?:she|herself|her\s+own)\b")}
"""The other gender's pronouns that can only be the subject's own (`The knight looked down at his own hands`)."""


def _role_may_speak(sent: str, at: int, gender: str) -> bool:
    """The role opening the sentence may be the one who speaks next, with a `he`/`she` tag: the sentence gives them
    no pronoun of the other gender only (`The knight looked at his hands.` before `she asked`) and does not make
    them silent (`...and said nothing.`, `The wizard snored on.`)."""
    if _THEIR_PRON[gender].search(sent, at) and not _OWN_PRON[gender].search(sent, at):
        return False
    return "snor" not in sent and "sleep" not in sent and ("nothing" not in sent or _SAYS_NOTHING.search(sent) is None)


def _role_goes_on(cast: Cast, pid: int, sent: str, at: int, gender: str) -> bool:
    """A role heard earlier in the work (`said the knight`), not in this conversation, put first by a cleft before a
    pronoun tag (`It was the knight who broke first.` `"You could have told us," he said`): the pronoun is the
    role's when the role is known to have the pronoun's gender (from the narration: `The knight rode on, because he
    ...`) or the sentence gives it (`his`), and the sentence names no one."""
    if cast.gender(pid) not in (gender, None) or cast.gender(pid) is None and cast.role_genders.get(
            cast.name(pid).split()[-1].lower()) != gender and not _OWN_PRON[gender].search(sent, at) or cast.find(sent):
        return False  # (`The blond looks down, his jacket round Emil's shoulders`: the role may be the one named)
    return True


_CLEFT_EPITHET = re.compile(r"It\s+was\s+[Tt]he\s+(?:[a-z][\w\-]*\s+){0,2}?([a-z][\w\-]*)\s+who\s+[a-z]")
"""`It was the knight who broke first.`: the epithet is the subject all the same."""
_EPITHET_OPENS = re.compile(r"[Tt]he\s+(?:[a-z][\w\-]*\s+){0,2}?([a-z][\w\-]*)\s+(?!of\b|and\b|or\b|who\b|which\b|that\b)[a-z]")
"""A sentence opening on `the` and a noun, then a lower-case word (its verb): `The caretaker squinted at Wes`."""


def _speaking_heads(quotes: list[Quote]) -> set[str]:
    """The nouns the book tags speech or beats with (`said the caretaker`, `The medic sighed.`): words for people."""
    heads = set()
    for q in quotes:
        t = q.tag
        if t is not None and t.kind == "descriptor" and t.text.lower().startswith("the ") and len(t.text.split()) <= 4:
            h = t.text.lower().split()[-1]
            if h.isalpha() and h not in DEVICES and h not in _NOT_NAMES:
                heads.add(h)
    return heads


_JOINED_BY = re.compile(
    r"\b(?:was|were|is|are|had\s+been|has\s+been|gets|got)\s+(?:\w+ly\s+|soon\s+|presently\s+|then\s+|now\s+)?"
    r"(?:joined|approached|accosted|addressed|greeted|hailed|interrupted)\s+by\s+(?:the\s+)?$")
"""Someone coming up to a character, told from that character's side (`she was joined by Bryony`): the newcomer."""
_ENTERS = re.compile(
    r"\b(?:[Ii]n|[Uu]p|[Oo]ut|[Bb]ack|[Dd]own|[Oo]ver|[Tt]hrough|[Tt]here|[Hh]ere)\s+(?:\w+ly\s+)?(?:came|walked|stepped|strode|"
    r"stamped|stalked|burst|rushed|ran|marched|wandered|strolled|hurried|bustled|sauntered|trooped|limped|swept|breezed|"
    r"popped|crept|slipped|stumbled|shuffled|lumbered|padded|swaggered|tramped|trudged|staggered|danced|skipped|raced)\s*$")
"""An entrance told with the subject after its verb (`in walked Arlo`, `up came Mara`)."""
_CLAUSE_LINKS = frozenset("and but yet then so".split())
_NOT_A_VERB = frozenset("and or nor who whom whose which that were are".split())
"""Not the verb of one character (`Indians were`: a group)."""
_LAST_WORD = re.compile(r"([A-Za-z]+)$")
_NEXT_WORD = re.compile(r"\s+([a-z]+)")


def _clause_subjects(cast: Cast, sent: str, among: set[int]) -> list[int]:
    """Those of `among` named as the subject of a main clause in `sent`, in order: a name opening the sentence or a
    clause (after a comma, a semicolon or `, and`) and followed by a lower-case word, its verb. A clause opened by
    `as`, `when`, `while`... is subordinate and does not count (only `and`, `but`, `yet`, `then`, `so` after a comma
    open a main one)."""
    out = []
    for s, e, pid in cast.find(sent):
        if pid not in among:
            continue
        before = sent[:s].rstrip()
        inverted = _ENTERS.search(before)
        if inverted:
            before = before[: inverted.start()].rstrip()  # `..., and then in stamped Arlo`: Arlo is the subject
        word = _LAST_WORD.search(before)
        w = word.group(1).lower() if word else ""
        if before and not before.endswith((",", ";", ":", "\u2014")):
            if w not in _CLAUSE_LINKS or not before[: word.start()].rstrip().endswith((",", ";")):
                continue
        verb = _NEXT_WORD.match(sent, e)
        if inverted or verb and verb.group(1) not in _NOT_A_VERB:
            out.append(pid)
    return out


def _objects(cast: Cast, text: str) -> set[int]:
    """Where characters are named after a preposition or a verb that takes them as its object (`looking towards
    Mara`, `upon Mara's shoulder`): the offsets of those mentions."""
    out = set()
    for s, _, pid in cast.find(text):
        prev = _PREV_WORD.search(text, max(0, s - 64), s)  # (near the name first: the same match)
        if prev is None and s > 64:
            prev = _PREV_WORD.search(text, 0, s)
        if prev and prev.group(1).lower() in _OBJECT_AFTER:
            out.add(s)
    return out


_PRON_WORDS_G = {"he": "male", "she": "female"}
STRANGER = -3
"""A pronoun whose antecedent is someone described but not named (`The new girl ... she says`)."""
_DESCRIBED = re.compile(
    r"(?:[Tt]he|[Aa]n?|[Tt]his|[Tt]hat)\s+(?:[a-z][\w\-]*\s+){0,3}?(man|woman|girl|boy|lady|gentleman|guy|kid|child|stranger|newcomer|"
    r"figure|youth|lad|lass|teenager|teen|voice)\b(?!['\u2019])")
"""A sentence whose subject is a person described, not named (`A very large man in a wet coat filled the hall`,
`This little girl sat down beside him`)."""
_DESCRIBED_GENDER = {"man": "male", "boy": "male", "gentleman": "male", "guy": "male", "lad": "male",
                     "woman": "female", "girl": "female", "lady": "female", "lass": "female"}
_OBJECT_PRON = {"male": re.compile(r"\bhim(?:self)?\b"),
                "female": re.compile(r"\bher(?:self)?\b(?=\s*[.,;:!?]|\s+(?:and|with|to|in|on|at|from|for|as|like)\b)")}
"""Someone else of the pronoun's gender in the sentence (`The man glances up at him`): the pronoun may be either."""


_REPLY_HEAD = re.compile(r"(?:the|an?)\s+(?:\w+\s+)?(?:answer|reply|response|retort|rejoinder)")
"""`came the answer`, `came a quick reply`: an inverted tag that names no one; the turn goes to whoever answers."""
_HIDDEN_HEADS = frozenset("lump heap bundle mound pile duvet blanket blankets covers quilt pillow cocoon burrito".split())
"""`said the lump` (someone under the duvet): a shape, not a new person; the turn goes to whoever is hidden there."""


def _names_before(cast: Cast, pieces: list[Piece], q: Quote, known: set[int], gender: str | None = None) -> list[int]:
    """Characters named in the paragraph's narration before the tag, latest first.

    Someone not yet heard speaking counts only when known to have the pronoun's gender.
    """
    found: list[int] = []
    tag_piece = q.piece + 1 if q.tag and q.piece + 1 < len(pieces) else q.piece - 1
    for k, p in enumerate(pieces):
        if p.kind != "narration" or k > max(tag_piece, q.piece):
            continue
        text = p.text if k != tag_piece or q.tag is None else p.text[: q.tag.pos]
        found.extend(
            pid for _, _, pid in cast.find(text)
            if pid in known or (gender and cast.gender(pid) == gender and not cast.name(pid).startswith("The "))
        )
    return found[::-1]


def _decide(
    cast: Cast, pieces: list[Piece], q: Quote, conv: Conversation, same_para: int | None, known: set[int]
) -> None:
    prev = conv.last_quote
    last = conv.speakers[-1] if conv.speakers else None
    unnamed_last = last is not None and last <= _UNNAMED
    if unnamed_last:
        last = None
    if pieces[q.piece].continued and prev is not None and same_para is None:
        # A speech running on into this paragraph: whoever said its start (decided later if not known yet).
        _set(q, prev.speaker, prev.cue, prev.confidence * 0.95, "continued")
        return
    tag = q.tag
    if tag and tag.kind == "name" and tag.pid is not None and (tag.pid not in q.vocatives or tag.strength >= 0.9 and _only_name(cast, q.text)):
        # (`"Nora," Nora said`: a speech verb names the speaker even when the line is only her own name)
        _set(q, tag.pid, "explicit", 0.95 * tag.strength, "tag_name")
        return
    if same_para is not None and (tag is None or tag.strength < 0.9):
        _set(q, same_para, "implicit", 0.8, "same_para")
        return
    if tag and tag.kind == "descriptor" and tag.text.lower().split()[-1] in DEVICES:
        _set(q, None, None, 0.0, "remote")  # "says the phone": whoever is on the other end (found by decoding)
        return
    if tag and tag.kind == "descriptor" and (_REPLY_HEAD.fullmatch(tag.text.lower())
                                              or tag.text.lower().rpartition(" ")[2] in _HIDDEN_HEADS):
        # "came the answer", "said the lump": no one new, whoever answers (found by decoding)
        _set(q, None, None, 0.0, "reply")
        return
    if tag and tag.kind == "descriptor" and tag.strength >= 0.9:
        pid = _role(cast, tag.text, conv, new=False)
        if pid is None:
            pid = _described_one(cast, pieces, q, conv, prev, last) if q.tag_at is not None else None
            if pid is not None and pid not in q.vocatives:
                _set(q, pid, "anaphoric", 0.7, "desc_stage")
                return
            pid = _role_subject(cast, pieces, q, conv)
            if pid is None:
                pid = _role(cast, tag.text, conv)
        if pid is not None and pid not in q.vocatives:
            _set(q, pid, "anaphoric", 0.75, "desc_role")
            return
        pid = _looked(cast, tag.text, tag.gender, conv, known, q.para)
        if pid is not None and pid not in q.vocatives:
            _set(q, pid, "anaphoric", 0.7, "desc_look")
            return
        near = []
        for k, p in enumerate(pieces):
            if p.kind == "narration" and q.tag_at is not None and k <= q.tag_at[0]:
                text = p.text[: q.tag.pos] if k == q.tag_at[0] and q.tag.pos >= 0 else p.text
                near.extend(pid for _, _, pid in cast.find(text))
        owner = _owner(cast, tag.text)
        skip = q.vocatives if owner is None else q.vocatives | {owner}
        pid = _kin(cast, tag.text, near[::-1], conv, skip)
        if pid is not None:
            _set(q, pid, "anaphoric", 0.7, "desc_kin")
            return
    if tag and tag.kind == "descriptor" and tag.strength < 0.9 and cast.answered:
        # `"Odran, tell him."` -- `The steward opened the ledger. "The barges are late."`: the role that answered the
        # one called by name is that one.
        words = tag.text.lower().split()
        top = cast.answered.get(words[-1], Counter()).most_common(2) if words[0] == "the" and len(words) <= 3 else ()
        if top and (len(top) == 1 or top[0][1] >= ANS_RATIO * top[1][1]) and top[0][0] not in q.vocatives and all(
                pid == top[0][0] for p in pieces if p.kind == "narration" for _, _, pid in cast.find(p.text)):
            # (Not when the narration names someone else: `The barman slid Nell a glass.`)
            _set(q, top[0][0], "anaphoric", 0.7, "desc_answered")
            return
    if tag and tag.kind == "descriptor":
        pid = _contrast(cast, pieces, q, conv, last, known)
        if pid is not None:
            _set(q, pid, "anaphoric", 0.7, "desc_contrast")
            return
    expected = _turn(conv, q, prev, last)
    if tag and tag.kind == "descriptor" and tag.strength >= 0.9 and (tag.text.lower().startswith(("a ", "an ")) or tag.text == "someone"):
        return  # "said a voice", "a stranger asked": someone not named yet, not anyone on stage
    if tag and tag.kind == "pronoun" and tag.gender != "first" and q.tag_at is not None:
        # "she continued", "he went on": the one who was speaking goes on speaking.
        prior = same_para if same_para is not None else last
        text = pieces[q.tag_at[0]].text
        if prior is not None and _CONTINUING.match(text) and _compatible(cast, prior, tag.gender):
            _set(q, prior, "anaphoric", 0.7, "pron_continues")
            return
    if tag and tag.kind in ("pronoun", "descriptor") and tag.gender != "first":
        g = tag.gender
        # (`the younger man` is no newcomer brought on as `the bartender`.)
        skip = q.vocatives | cast.newcomer_ids if tag.kind == "descriptor" else q.vocatives
        near = [p for p in _names_before(cast, pieces, q, known) if tag.strength >= 0.9 or p != last]
        pid = None
        if tag.kind == "pronoun" and g in ("male", "female") and q.tag_at is not None:
            trail: list[int] = []
            pid = _antecedent(cast, conv.recent, pieces, q, g, known, conv, trail)
            if pid == STRANGER:
                _set(q, None, None, 0.0, "described")
                return
            # A weak tag (`he stared at the ashes`) naming the last speaker is left to turn-taking, unless the narration
            # since their name has followed them sentence by sentence (`said Quennell. He glanced about the hall. "..."
            # He stared at the ashes.`): then they go on speaking.
            if pid is not None and (pid in q.vocatives or (
                    tag.strength < 0.9 and pid == last and not (trail[0] and not trail[1]))):
                pid = None
        if pid is None:
            objs = {pid for p in pieces if p.kind == "narration" for s, _, pid in cast.find(p.text)
                    if s in _objects(cast, p.text)}
            pid = _pick(cast, [p for p in near if p not in objs] + [p for p in near if p in objs], g, skip)
        if pid is not None:
            _set(q, pid, "anaphoric", 0.75 if q.why == "pron_role" else 0.7, "pron_role" if q.why == "pron_role" else "pron_near")
            return
        # A pronoun after a stretch of narration points at whoever that narration last named.
        pid = _pick(cast, [p for p in conv.fresh[::-1] if p in known], g, skip)
        if pid is not None:
            _set(q, pid, "anaphoric", 0.65, "pron_fresh")
            return
        # The turn-taking guess, other recent speakers, then others on stage: whoever surely has the gender.
        cands = [expected] if expected is not None else []
        cands += [p for p in reversed(conv.speakers) if p != last and p > _UNNAMED] + [p for p in reversed(conv.mentions) if p != last]
        pid = _pick(cast, list(dict.fromkeys(cands)), g, skip)
        if pid is not None:
            _set(q, pid, "anaphoric", 0.6 if pid == expected else 0.45, "pron_turn")
            return
        if last is not None and _compatible(cast, last, g) and tag.strength < 0.9:
            _set(q, last, "anaphoric", 0.35, "pron_last")
            return
        # No one heard so far fits: someone named just before who is known to be "she" or "he".
        strangers = [
            p for p in conv.seen[::-1]
            if cast.gender(p) == g and not cast.name(p).startswith("The ") and cast.name(p).lower() not in _NOT_NAMES
        ]
        pid = _pick(cast, _names_before(cast, pieces, q, known, g) + strangers, g, skip)
        if pid is not None and g in ("male", "female") and tag.strength >= 0.9:
            _set(q, pid, "anaphoric", 0.4, "pron_stranger")
        elif tag.kind == "descriptor" and tag.strength >= 0.9 and tag.text.lower().startswith("the "):
            # "observed the general": nobody named fits, so the general is a character of his own.
            _set(q, cast.add(tag.text.lower()), "anaphoric", 0.4, "desc_new")
        return
    if tag and tag.gender == "first":
        _set(q, NARRATOR, "anaphoric", 0.8, "first_person")
        return
    if expected is not None and expected not in q.vocatives:
        _set(q, expected, "implicit", 0.55, "turn")
    elif last is None and any(p in known and p not in q.vocatives for p in conv.fresh):
        # A conversation opening after narration: whoever that narration named last.
        _set(q, next(p for p in reversed(conv.fresh) if p in known and p not in q.vocatives), "implicit", 0.45, "opening")
    elif q.vocatives and last is None:
        # "Mara." at the start of an exchange is said TO Mara: by whoever else is on stage.
        others = [pid for pid in reversed(conv.mentions) if pid not in q.vocatives]
        if others:
            _set(q, others[0], "implicit", 0.4, "vocative_other")


_EPITHET_ADJ = frozenset("""old young elderly aged ancient grizzled grey-haired gray-haired white-haired silver-haired
    big little tall short fat thin stout lanky skinny burly blond blonde fair-haired redhead red-haired dark-haired
    handsome pretty beautiful pale bearded plump stocky wiry scarred freckled""".split())
"""Adjectives of age and looks that make an epithet of a kind noun (`the old wizard`, `the fat detective`)."""


def _described_one(cast: Cast, pieces: list[Piece], q: Quote, conv: Conversation, prev: Quote | None,
                   last: int | None) -> int | None:
    """`"No magic, sir?" Voss managed.` -- `"None," the old wizard replied.`: an epithet of looks or age on a kind
    noun new to the scene (no title, no role linked to anyone) names someone already talking, not a newcomer: the one
    whose turn it is, if they have spoken in this exchange and the narration before the tag neither names them
    (`Gawen sat forward, and the old knight sat back`) nor brings on someone new (`A broad man shoulders through`)."""
    words = q.tag.text.lower().split()
    if len(words) != 3 or words[0] != "the" or words[1] not in _EPITHET_ADJ or last is None:
        return None
    head = words[2]
    if not head.isalpha() or head in _GENERIC or head in _NOT_NAMES:
        return None
    pid = _turn(conv, q, prev, last)
    if pid is None or pid < 0 or pid not in conv.speakers or cast.name(pid).lower().startswith("the "):
        return None
    if not _compatible(cast, pid, q.tag.gender):
        return None
    here = [p.text[: q.tag.pos] if k == q.tag_at[0] and q.tag.pos >= 0 else p.text
            for k, p in enumerate(pieces) if p.kind == "narration" and k <= q.tag_at[0]]
    if any(_NEWCOMER_INDEF.search(t) for t in here) or any(who == pid for t in here for _, _, who in cast.find(t)):
        return None
    return pid


_CONTRASTS = {
    "older": ("young", "younger", "youngest", "youth", "kid"), "elder": ("young", "younger", "youngest", "youth", "kid"),
    "younger": ("old", "older", "elder", "eldest", "oldest"), "taller": ("short", "shorter", "small", "smaller"),
    "shorter": ("tall", "taller"), "bigger": ("small", "smaller", "slight", "slighter", "little"),
    "larger": ("small", "smaller", "slight", "slighter", "little"), "smaller": ("big", "bigger", "large", "larger", "huge"),
}
"""A comparative epithet (`the older man`) and the words that describe the other one of the pair (`he's young`)."""
_CONTRAST_HEADS = frozenset("man woman boy girl guy kid lad lass one gentleman lady fellow".split())
_CONTRAST_TAG = re.compile(r"the (other|older|elder|younger|taller|shorter|bigger|larger|smaller)(?: (\w+)| of the two)?$")


_COUNTERPARTS = {"older": ("younger",), "elder": ("younger",), "younger": ("older", "elder"), "taller": ("shorter",),
                 "shorter": ("taller",), "bigger": ("smaller",), "larger": ("smaller",), "smaller": ("bigger", "larger")}
"""The other half of a comparative pair: `the older man` and `the younger man` are two people."""
_SYNONYMS = {"older": ("elder",), "elder": ("older",), "bigger": ("larger",), "larger": ("bigger",)}


def _comparative_voice(cast: Cast, words: Sequence[str]) -> int | None:
    """The character already speaking under a comparative epithet (`the younger man`, `the younger one`)."""
    for word in words:
        for head in ("man", "one", "woman", "boy", "girl", "guy", "kid", ""):
            pid = cast.resolve(f"the {word} {head}".strip())
            if pid is not None and cast.name(pid).lower().startswith("the "):
                return pid
    return None


def _contrast(cast: Cast, pieces: list[Piece], q: Quote, conv: Conversation, last: int | None, known: set[int]) -> int | None:
    """`the other man`, `the older man`, `the taller of the two`: one of two people of a kind on stage. `The other`
    is the one who did not just act or speak; a comparative is the one who was not just described by its contrast
    (`Marek was young.` ... `the older man`), or the one it was said of (`Dario, older by ten years`)."""
    m = _CONTRAST_TAG.fullmatch(q.tag.text.lower().strip())
    if m is None or (m.group(2) is not None and m.group(2) not in _CONTRAST_HEADS):
        return None
    g = q.tag.gender if q.tag.gender in ("male", "female") else None
    here = [p.text[: q.tag.pos] if k == q.tag_at[0] and q.tag.pos >= 0 else p.text
            for k, p in enumerate(pieces) if p.kind == "narration" and q.tag_at is not None and k <= q.tag_at[0]]
    named_here = [pid for text in here for _, _, pid in cast.find(text) if pid >= 0]
    stage = [pid for pid in dict.fromkeys(conv.speakers + conv.mentions + conv.seen + named_here)
             if pid >= 0 and pid in known and not cast.name(pid).startswith("The ") and _compatible(cast, pid, g)
             and pid not in q.vocatives]
    if g is None:
        stage = [pid for pid in stage if last is None or cast.gender(pid) == cast.gender(last)]
    word = m.group(1)
    if word in _COUNTERPARTS:
        # The same comparative again means the same one (`the taller one` ... `the taller man`); its counterpart
        # (`the younger man`, already a voice) never means the same person: the pair splits.
        same = _comparative_voice(cast, (word,) + _SYNONYMS.get(word, ()))
        if same is not None:
            return same
        if word in _COMPARATIVE_LOOK and cast.look_scene:
            # (Or described so earlier in this scene: `The pilot was a broad grey-haired man.`)
            look = cast.looks.get(_COMPARATIVE_LOOK[word], {})
            here_now = cast.look_scene.get((_COMPARATIVE_LOOK[word], cast.scene_of[q.para]), {})
            fit = {pid for pid in stage if pid in look} | {pid for pid, at in here_now.items() if at <= q.para}
            if len(fit) == 1:
                pid = fit.pop()
                pid = cast.add(pid) if isinstance(pid, str) else pid
                if _compatible(cast, pid, g):
                    return pid
        twin = _comparative_voice(cast, _COUNTERPARTS[word])
        if twin is not None:
            rest = [pid for pid in stage if pid != twin]
            return rest[0] if len(rest) == 1 else cast.add(q.tag.text.lower())
    if word == "other":
        acted = list(dict.fromkeys(named_here)) or conv.fresh[-1:] or ([last] if last is not None else [])
        if len(acted) != 1:
            return None
        rest = [pid for pid in stage if pid != acted[0]]
        return rest[0] if len(rest) == 1 and acted[0] in stage else None
    # The latest narration that describes one of the pair: `Marek ... he was young`, `Dario, the older one`.
    said_of = re.compile(r"\b(" + "|".join((word,) + _CONTRASTS[word]) + r")\b", re.I)
    for text in (here[::-1] + conv.recent[::-1])[:3]:
        hits = list(said_of.finditer(text))
        if not hits:
            continue
        h = hits[-1]
        before = [pid for _, _, pid in cast.find(text[: h.start()]) if pid in stage]
        if not before:
            return None
        if h.group(1).lower() == word:
            return before[-1]
        rest = [pid for pid in stage if pid != before[-1]]
        return rest[0] if len(rest) == 1 else None
    return None


_GENERIC = frozenset(
    """man men woman women girl girls boy boys gentleman gentlemen lady ladies other others old young little first
    second third last elder younger voice voices child children lad fellow person people one figure youth
    creature speaker guest friend companion pair two three both rest former latter same""".split()
)
"""Descriptors that fit anyone (`the old man`, `the other`): left to the conversation to resolve."""
_TITLE_NOUNS = {"doctor": ("dr", "doctor"), "captain": ("captain", "capt"), "colonel": ("colonel", "col"),
                "professor": ("professor", "prof"), "sergeant": ("sergeant", "sgt"), "inspector": ("inspector", "insp"),
                "lieutenant": ("lieutenant", "lt"), "general": ("general", "gen"), "major": ("major", "maj"),
                "detective": ("detective", "det"), "reverend": ("reverend", "rev"), "superintendent": ("superintendent", "supt"),
                "monk": ("brother", "friar", "fra"), "friar": ("brother", "friar", "fra"), "nun": ("sister",),
                "priest": ("father", "fr")}


_RANK_NICKNAMES = {"captain": ("cap", "capt", "skipper", "skip"), "lieutenant": ("lieu", "loot"), "sergeant": ("sarge",),
                   "doctor": ("doc",), "professor": ("prof",), "detective": ("detective",), "probationer": ("probie",),
                   "teacher": ("sensei",), "prince": ("highness",), "princess": ("highness",), "king": ("majesty",), "queen": ("majesty",)}
"""A rank worn as a name: the character everyone calls `Cap` is `the captain`, `Lieu` is `the lieutenant`."""


def _title_holders(cast: Cast, head: str) -> list[int]:
    """The characters named with the title a role noun stands for (`the count` -> `Count Orlov`), or called by
    the rank itself (`Cap` -> `the captain`)."""
    titles = _TITLE_NOUNS.get(head, (head,))
    ranks = _RANK_NICKNAMES.get(head, ()) + ((head,) if head in _RANK_NICKNAMES or head in ("probie", "chief", "coach") else ())
    named = {t for t in titles if t in _NAME_TITLES}
    return [
        pid for pid, person in enumerate(cast.people)
        if any(title in titles or bare in ranks or named and first is not None and first in named
               for title, bare, first in map(_title_keys, person.forms))
    ]


@lru_cache(maxsize=1 << 14)
def _title_keys(form: str) -> tuple[str, str, str | None]:
    """What `_title_holders` compares of a name form, lower case: its title (`count`), the whole form (`cap`), and
    its first word when it has several (`judge`); the same for every call, so worked out once per form."""
    return ((split_title(form)[0] or "").rstrip(".").lower(), form.lower().rstrip("."),
            form.split()[0].rstrip(".").lower() if " " in form else None)


def _role_subject(cast: Cast, pieces: list[Piece], q: Quote, conv: Conversation) -> int | None:
    """`Wen knelt behind the plate.` / `"Again," the catcher said.`: a role heard for the first time, right after a
    paragraph of narration whose subject is one named character met only there in this scene and not heard yet, is that
    character's
    (from then on: the role is linked to them)."""
    words = q.tag.text.lower().split()
    if len(words) != 2 or words[0] != "the" or not conv.fresh or not conv.recent or not words[1].isalpha():
        return None
    head = words[1]
    if head in _GENERIC or head in _NOT_NAMES or head in cast.roles or _key("the " + head) in cast.alias and head in _STRANGER_HEADS:
        return None
    if any(cast.find(p.text) for p in pieces if p.kind == "narration"):
        return None
    text = conv.recent[-1]
    if head in text.lower() and re.search(r"\b[Tt]he\s+(?:[a-z\-]+\s+)?" + head + r"\b", text):
        return None  # `Maren rode ahead. The old wizard rode at the back.`: the role is someone of its own
    first = _SENTENCES.split(text.lstrip("\"'\u201c\u2018*_ "), 1)[0]
    hits = [pid for _, _, pid in cast.find(first)]
    if len(set(hits)) != 1 or not first.startswith(cast.name(hits[0]).split()[0]) and not any(
            first.startswith(f) for f in cast.people[hits[0]].forms):
        return None
    pid = hits[0]
    if pid < 0 or pid in conv.speakers or conv.seen.count(pid) > conv.fresh.count(pid) or pid in q.vocatives or cast.name(pid).startswith("The "):
        return None
    g = q.tag.gender if q.tag.gender in ("male", "female") else None
    if cast.gender(pid) is None or not _compatible(cast, pid, g):
        return None
    cast.roles.setdefault(head, Counter())[pid] += 1
    return pid


def _role(cast: Cast, text: str, conv: Conversation, new: bool = True) -> int | None:
    """`said the count`: the one character with that title (`Count Orlov`), else the role as a character of its own
    (`new`; else None)."""
    words = text.lower().split()
    if words[0] != "the" or len(words) > 3 or not words[-1].isalpha():
        return None
    head = words[-1]
    if head in _GENERIC or head in _NOT_NAMES:
        if head == "lady" and len(words) == 2:
            # `said the lady` with one `Lady Isolde` at the table: her (any other lady is left to the conversation).
            on = {pid for pid in conv.speakers + conv.mentions if pid >= 0} & set(_title_holders(cast, head))
            if len(on) == 1:
                return on.pop()
        return None
    holders = _title_holders(cast, head)
    if holders:
        recent = [pid for pid in reversed(conv.mentions) if pid in holders]
        if recent:
            return recent[0]
        return max(holders, key=lambda pid: sum(cast.people[pid].forms.values()))
    linked = cast.roles.get(head)
    if linked:
        # "Mr. Abernot, the lawyer, ..." earlier in the book: "said the lawyer" is Mr. Abernot.
        recent = [pid for pid in reversed(conv.mentions) if pid in linked]
        if recent:
            return recent[0]
        top = linked.most_common(2)
        if len(top) == 1 or top[0][1] > top[1][1]:
            return top[0][0]
    held = cast.copulas.get(head)
    if held and len(held) == 1:
        # `"Pell's our ferryman."` ... `"Over here, Pell!"` -- `the ferryman asked`: the one the text says holds
        # the role, when the conversation has named them.
        (pid,) = held
        if pid in conv.mentions or pid in conv.fresh or conv.last_quote is not None and pid in conv.last_quote.vocatives:
            return pid
    top = cast.answered.get(head, Counter()).most_common(2)
    if top and top[0][1] >= ANS_MIN and (len(top) == 1 or top[0][1] >= ANS_RATIO * top[1][1]):
        return top[0][0]  # `"Cheers, Dobbin."` ... `"Cheers, miss," said the groom`, again and again
    return cast.add("the " + head) if new else None


ANS_MIN, ANS_RATIO = 2, 2


def _answering_role(t: Tag | None) -> str | None:
    """The role noun of a firm `the groom said` tag that a name called or answered can own; None otherwise."""
    if t is None or t.kind != "descriptor" or t.strength < 0.6:
        return None
    words = t.text.lower().split()
    head = words[-1]
    if words[0] != "the" or len(words) > 3 or not head.isalpha() or head in _GENERIC or head in _NOT_NAMES or (
            head in _STRANGER_HEADS or head in _KIN):
        return None
    return head


def _answered_roles(quotes: list[Quote], resets: Sequence[bool]) -> dict[str, Counter[int]]:
    """A role tag answering a line that calls one character by name (`"Cheers, Dobbin," said Mrs. Fenwick.`
    then `"Cheers, miss," replied the stable groom.`): role -> who was called, counted over the book."""
    out: dict[str, Counter[int]] = {}
    for a, b in zip(quotes, quotes[1:]):
        if len(a.vocatives) != 1 or b.para != a.para + 1 or resets[b.para] or (head := _answering_role(b.tag)) is None:
            continue
        (pid,) = a.vocatives
        if pid >= 0 and not (a.tag is not None and a.tag.kind == "name" and a.tag.pid == pid):
            out.setdefault(head, Counter())[pid] += 1
    for a, b in zip(quotes, quotes[1:]):
        # ...and the other way round: `"What happened?" the kid said.` -- `"Roll the dice, Milo," Gus said.`
        if (len(b.vocatives) != 1 or b.para != a.para + 1 or resets[b.para] or b.tag is None or b.tag.kind != "name"
                or (head := _answering_role(a.tag)) is None):
            continue
        (pid,) = b.vocatives
        if pid >= 0 and b.tag.pid != pid:
            out.setdefault(head, Counter())[pid] += 1
    return out


_APPOSITIVE_AFTER = re.compile(r",\s+(?:the|a|an)\s+(?:[a-z][a-z\-]*\s+){0,2}([a-z]{3,})(?=\s*[,.;:!?\u2014]|\s*--)")
"""`Mr. Abernot, the lawyer,`: the role right after a name, set off by commas."""
_APPOSITIVE_BEFORE = re.compile(r"\b(?:the|a|an)\s+(?:[a-z][a-z\-]*\s+){0,2}([a-z]{3,})(?:,\s+|\s*(?:\u2014|--)\s*)$")
"""`the ferryman, Pell,`, `the minstrel—Teodric, Odo reminded himself—`: the role right before a name."""


_APPOSITIVE_OWNED = re.compile(r"\b(?:our|their|his|her|my|your)\s+(?:[a-z][a-z\-]*\s+){0,1}([a-z]{3,}),\s+$")
"""`their manager, Ishizu`: a role owned by someone, right before a name (narration; a role the tags speak as)."""
_OWNED_BARE = re.compile(r"\b(?:[Oo]ur|[Tt]heir)\s+([a-z]{3,})\s+$")
"""`their manager Mirae`: a role owned by a group, right before a name without a comma."""
_APPOSITIVE_OWNED_AFTER = re.compile(
    r",\s+(?:our|their|his|her|my|your)\s+(?:[a-z][a-z\-]*\s+){0,1}([a-z]{3,})(?=\s*[,.;:!?\u2014]|\s*--)")
"""`Ishizu, their manager, ...`: the same after the name."""
_ABBREV_RANKS = {"PC": "constable", "WPC": "constable", "DC": "constable", "DS": "sergeant", "Sgt": "sergeant",
                 "DI": "inspector", "DCI": "inspector", "Insp": "inspector", "Lt": "lieutenant", "Cpl": "corporal",
                 "Pvt": "private", "Supt": "superintendent", "Det": "detective"}
"""Ranks written short before a name (`PC Sanjay Mistry`, `DS Bright`) and the role noun a tag uses (`the constable`)."""
_ABBREV_BEFORE = re.compile(r"\b(" + "|".join(_ABBREV_RANKS) + r")\.?\s+(?:[A-Z][a-z]+\s+)?$")
_ROLE_AFTER = re.compile(r"\s+the\s+(?:[a-z][a-z\-]*\s+){0,1}([a-z]{3,})(?=\s*[,.;:!?)]|\s+(?:and|who|of\s+the)\b)")
_LOOKS = (r"(hood|hoodie|cap|hat|beanie|scarf|glasses|spectacles|sunglasses|coat|jacket|cloak|helmet|mask|beard|"
          r"moustache|mustache|blond|blonde|redhead|brunette|ponytail|braid|braids)")
_LOOKS_AFTER = re.compile(r"['\u2019]s\s+(?:[a-z][a-z\-]*\s+){0,2}" + _LOOKS + r"\b")
"""`Teo's blond hair`, `Kaito's hood`: what someone wears or looks like, later their epithet (`said the hood`)."""
_LOOKS_OWN = re.compile(r"h(?<!\wh)(?:is|er)\s+(?:[a-z][a-z\-]*\s+){0,2}" + _LOOKS + r"\b")
"""`Kaito had fallen asleep with his hood over his face`: the same, worn by the sentence's named subject."""
_LOOKS_ANY = re.compile(r"(?=[bcghjmprs])\b" + _LOOKS + r"\b")
_FANDOM_ROLE = re.compile(r"\b([a-z]{3,})!(?=[A-Z])")
"""`alpha!Cassius/omega!Ellis` in a fan-fiction header: the role (alpha) a named character plays in this story."""
_SENT_END = re.compile(r"[.!?](?:\s|$)")
_CAP_BEFORE = re.compile(r"(?<![\w.])([A-Z][a-z]{2,})\s+(?:[A-Z][a-z]+\s+)?(?=[A-Z])")
_CAP_BEFORE_END = re.compile(r"(?<![\w.])([A-Z][a-z]{2,})\s+(?:([A-Z][a-z]+)\s+)?$")
"""A capitalised word before a name (`Apothecary Wren`): a role when the story also writes it `the apothecary`."""


_HELD_ROLE = (r"(?:(?:['\u2019]s|\s+s)\s+(?:also\s+|now\s+|still\s+)?(?:the|our|my|your|his|her|their|a|an)\s+"
              r"|\s+(?:is|was)\s+(?:also\s+|now\s+|still\s+)?(?:(?:the|our|my|your|his|her|their|a|an)\s+)?"
              r"|\s+(?:had|has)\s+been\s+(?:the|our|my|your|his|her|their|a|an)\s+)"
              r"(?:[a-z][a-z\-]*\s+)?({})(?![\w'\u2019-]|\s+s\b)")
"""`Pell's our ferryman`, `Abernot is also Warden`, `Lund had been a paramedic`: a role said to be someone's."""
_COPULA_ROLE = re.compile(_HELD_ROLE.format(r"[a-z]{3,}"))
"""`Eugenio's our courier`, `Wren was the apothecary`: a name said to hold a role."""


def _copula_roles(cast: Cast, paragraphs: Sequence[list[Piece]], heads: set[str]) -> dict[str, Counter[int]]:
    """Role nouns the text says a named character holds (`Eugenio's our courier`), for the heads of descriptor tags."""
    out: dict[str, Counter[int]] = {}
    spoken = heads - _GENERIC - _NOT_NAMES - set(_KIN) - _STRANGER_HEADS
    if not spoken:
        return out
    alt = "|".join(sorted(map(re.escape, spoken)))
    rx = starts_on("".join({w[0] for w in spoken}), r"\b(?:" + alt + r")\b")  # (a yes/no search)
    # (The role is one of the tags' heads: `Lund had been a paramedic for years` holds `paramedic`, not `for`.)
    held_rx = re.compile(_HELD_ROLE.format(alt))
    for pieces in paragraphs:
        for p in pieces:
            if not rx.search(p.text):
                continue
            for s, e, pid in cast.find(p.text):
                m = held_rx.match(p.text, e) if pid >= 0 else None
                if m is not None and m.group(1) in spoken:
                    out.setdefault(m.group(1), Counter())[pid] += 1
    return out


_PRONOUN_HELD = (r"(?:^|(?<=[.!?]\s))(He|She)\s+(?:had\s+been|has\s+been|was|is)\s+(?:also\s+|still\s+)?"
                 r"(?:the|their|our)\s+(?:[a-z]+['\u2019]s\s+|[a-z][a-z\-]*\s+)?({})\b")


def _pronoun_held_roles(cast: Cast, paragraphs: Sequence[list[Piece]], heads: set[str], places: set[int],
                        roles: dict[str, Counter[int]]) -> None:
    """`Ilse Varga did not look up. She had been the captain of this ship for nine years.`: the role a tag speaks
    as (`said the captain`) is the one named character of the pronoun's gender in the narration before it, in
    the same paragraph. Added to `roles` (role -> who) like an appositive."""
    spoken = heads - _GENERIC - _NOT_NAMES - set(_KIN) - _STRANGER_HEADS
    if not spoken:
        return
    alt = "|".join(sorted(map(re.escape, spoken)))
    rx = re.compile(_PRONOUN_HELD.format(alt))
    for pieces in paragraphs:
        before = ""
        for p in pieces:
            if p.kind != "narration":
                continue
            # (Cheap: the sentence must start with the pronoun and hold a spoken role.)
            if ("He " in p.text or "She " in p.text) and any(h in p.text for h in spoken):
                for m in rx.finditer(p.text):
                    g = "male" if m.group(1) == "He" else "female"
                    named = {pid for _, _, pid in cast.find(before + " " + p.text[: m.start()])
                             if pid >= 0 and pid not in places and not cast.name(pid).startswith("The ")
                             and cast.gender(pid) in (g, None)}
                    if len(named) == 1:
                        roles.setdefault(m.group(2), Counter())[named.pop()] += 1
            before += " " + p.text


def _capitals_named(cast: Cast) -> bool:
    """Someone in the cast named only in capitals (`MAGPIE says`): the van or computer a story's AI runs may talk, as
    it."""
    return any(p.forms and all(f.isupper() and len(f) >= 3 and f.isalpha() for f in p.forms) for p in cast.people)


_MACHINE_HEADS = frozenset("ship ai computer system android robot droid mainframe boat sub submarine shuttle van car truck".split())
"""What a ship's AI is called in a tag (`the ship said`, `said the AI`, `the boat offered`, `the van says`)."""


def _machine_roles(cast: Cast, heads: set[str], spoke: set[int], roles: dict[str, Counter[int]],
                   quotes: list[Quote]) -> None:
    """`"Captain," PILGRIM said.` ... `the ship said`, `the AI said`: a machine's epithet is the one character named in
    capitals (every form of the name, three letters or more) whom a tag names as speaking -- as a role
    (`the ship`), or as a character of its own found among the names (`the AI`), whose lines move over."""

    def machine(pid: int) -> bool:
        forms = cast.people[pid].forms
        return bool(forms) and all(len(w := f.split()) == 2 and w[0].lower() == "the" and w[1].lower() in _MACHINE_HEADS
                                   for f in forms)

    wanted = heads & _MACHINE_HEADS
    named = [pid for pid in spoke if pid is not None and pid >= 0 and machine(pid)]
    if not wanted and not named:
        return
    caps = [pid for pid in spoke if pid is not None and pid >= 0 and cast.people[pid].forms
            and all(f.isupper() and len(f) >= 3 and f.isalpha() for f in cast.people[pid].forms)]
    if len(caps) != 1:
        return
    (ai,) = caps
    for h in wanted:
        roles.setdefault(h, Counter())[ai] += 1
    for pid in named:
        _merge_into(cast, pid, ai)
        for q in quotes:
            if q.tag is not None and q.tag.pid == pid:
                q.tag = replace(q.tag, pid=ai)


_TOPIC_PRONOUN = {"He": "male", "His": "male", "She": "female", "Her": "female"}


def _topic_roles(cast: Cast, paragraphs: Sequence[list[Piece]], resets: Sequence[bool], heads: set[str],
                 places: set[int], roles: dict[str, Counter[int]]) -> None:
    """`Hoshino doesn't answer. She's stopped at the foot of the steps. The captain is only a year older than them`:
    a role the tags speak as, first met in the scene as the subject of a sentence that follows a named character's
    sentence and at least one more about them (`She ...`), with no one else named, is that character's (role -> who)."""
    spoken = heads - _GENERIC - _NOT_NAMES - set(_KIN) - _STRANGER_HEADS - DEVICES
    if not spoken:
        return
    alt = "|".join(sorted(map(re.escape, spoken)))
    # (`[Tt]`, `[Aa]` first and the look back for a word's start after it: the scan skips to those letters.)
    cheap = re.compile(r"[Tt](?<!\w[Tt])he (?:" + alt + r")\b")
    opener = re.compile(r"The (" + alt + r")\b")
    some = re.compile(r"[Aa](?<!\w[Aa])n? (?:[a-z\-]+ )?(" + alt + r")\b")
    # The narration holding a role word, found by plain substring scans of the whole text (quicker than a regex of
    # every role run on each paragraph).
    texts = [(pi, j, p.text) for pi, pieces in enumerate(paragraphs) for j, p in enumerate(pieces) if p.kind == "narration"]
    joined = "\n".join(t for _, _, t in texts)
    starts = list(itertools.accumulate((len(t) + 1 for _, _, t in texts), initial=0))
    hold: set[int] = set()
    for h in spoken:
        at = joined.find(h)
        while at >= 0:
            k = bisect_right(starts, at) - 1
            hold.add(k)
            at = joined.find(h, starts[k + 1]) if k + 1 < len(starts) else -1
    keep = {(texts[k][0], texts[k][1]) for k in hold}
    met: set[str] = set()  # the roles already spoken of in the narration of this scene
    start = 0
    for pi, pieces in enumerate(paragraphs):
        if resets[pi]:
            met, start = set(), pi
        for j, p in enumerate(pieces):
            if (pi, j) not in keep:
                continue
            if (m := some.search(p.text)) and m.group(1) not in met:
                # `Kieran had a solicitor, which was new. Ms Qureshi was thirty-odd`: the role met as `a solicitor`
                # is the one named first in this scene by the next sentence (its subject), no one else named between.
                end = _SENTENCES.search(p.text, m.end())
                found = cast.find(p.text[end.end() :]) if end is not None else []
                pid = found[0][2] if found and found[0][0] == 0 else -1
                if pid >= 0 and pid not in places and not cast.name(pid).lower().startswith("the ") and not any(
                        who == pid for _, _, who in cast.find(p.text[: end.end()])) and not cast.find(
                        p.text[m.end() : end.end()]) and not any(
                        who == pid for k in range(start, pi) for piece in paragraphs[k] for _, _, who in cast.find(piece.text)):
                    roles.setdefault(m.group(1), Counter())[pid] += 1
            if cheap.search(p.text):
                sentences = _SENTENCES.split(p.text)
                first = cast.find(sentences[0]) if len(sentences) >= 3 else []
                pid = first[0][2] if first and first[0][0] == 0 else -1
                g = cast.gender(pid) if pid >= 0 and pid not in places else None
                if g in ("male", "female") and not cast.name(pid).lower().startswith("the ") and all(
                        who == pid for _, _, who in first):
                    for k in range(1, len(sentences)):
                        m = opener.match(sentences[k])
                        if m is not None:
                            if k >= 2 and m.group(1) not in met:
                                roles.setdefault(m.group(1), Counter())[pid] += 1
                            break
                        w = sentences[k].split(" ", 1)[0].split("\u2019")[0].split("'")[0]
                        if _TOPIC_PRONOUN.get(w) != g or cast.find(sentences[k]) or cheap.search(sentences[k]):
                            break
                if len(sentences) >= 2:
                    _next_sentence_role(cast, sentences, opener, met, places, roles)
            met.update(m.lower()[4:] for m in cheap.findall(p.text))


def _focal_roles_named(cast: Cast, paragraphs: Sequence[list[Piece]], resets: Sequence[bool], heads: set[str],
                       places: set[int], roles: dict[str, Counter[int]]) -> None:
    """`The captain found the sergeant at the gate.` ... `"Anything?" she asked.` ... `Rhoswen Varrick pulled her cloak
    tighter.`: a scene that opens on a role the tags speak as, the subject of its first sentence about anyone, and names
    nobody until a sentence of the narration opens on a name the story's dialogue has not used before, was telling of
    that character by their role (role -> who)."""
    spoken = heads - _GENERIC - _NOT_NAMES - set(_KIN) - _STRANGER_HEADS - DEVICES
    if not spoken:
        return
    opener = re.compile(r"The (" + "|".join(sorted(map(re.escape, spoken))) + r")\b")
    told: set[int] = set()  # named in an earlier scene once the dialogue had begun
    talking = False
    focal, done, scene_names = None, False, set()
    for pi, pieces in enumerate(paragraphs):
        if resets[pi]:
            told |= scene_names if talking else set()
            focal, done, scene_names = None, False, set()
        for p in pieces:
            if p.kind != "narration":
                talking = True
                if not done and any(w >= 0 and w not in places for _, _, w in cast.find(p.text)):
                    done = True
                if done:
                    scene_names.update(w for _, _, w in cast.find(p.text))
                continue
            if done:
                scene_names.update(w for _, _, w in cast.find(p.text))
                continue
            for sent in _SENTENCES.split(p.text):
                found = [f for f in cast.find(sent) if f[2] >= 0 and f[2] not in places]
                if focal is None and not found:
                    m = opener.match(sent)
                    if m is not None and m.group(1) not in roles:
                        focal = m.group(1)
                    continue
                if not found:
                    continue
                done = True
                scene_names.update(w for _, _, w in found)
                pid = found[0][2]
                if focal is not None and pid >= 0 and pid not in places and pid not in told and (_FRONTED.match(
                        sent).end() == found[0][0] or _GIVEN_FIRST.fullmatch(sent, 0, found[0][0])) and not cast.name(pid).lower().startswith("the ") and len(
                        {w for _, _, w in found}) == 1 and sent[found[0][1] : found[0][1] + 2] not in ("'s", "\u2019s"):
                    roles.setdefault(focal, Counter())[pid] += 1
                break


_BACK_AT = {"male": re.compile(r"\b(?:him|his|himself)\b"), "female": re.compile(r"\b(?:her|hers|herself)\b")}
_HE_SHE = {"male": re.compile(r"\b[Hh]e\b"), "female": re.compile(r"\b[Ss]he\b")}
_FRONTED = re.compile(r"^(?:[A-Z][a-z]+(?: [a-z]+){0,3}, )?")


def _next_sentence_role(cast: Cast, sentences: list[str], opener: re.Pattern, met: set[str], places: set[int],
                        roles: dict[str, Counter[int]]) -> None:
    """`Across the hall, Brother Pellam was sorting herbs. The healer had been at the keep for forty years.`: a role
    the tags speak as, met for the first time in the scene as the subject of the sentence right after one whose
    subject is the only character it names, is that character's, unless the role's sentence points back at them
    (`Maren rode ahead. The knight rode at her side.`: someone else)."""
    for k in range(1, len(sentences)):
        m = opener.match(sentences[k])
        if m is None or m.group(1) in met:
            continue
        prev = sentences[k - 1]
        found = cast.find(prev)
        if not found or len({w for _, _, w in found}) != 1:
            continue
        pid = found[0][2]
        if pid < 0 or pid in places or _FRONTED.match(prev).end() != found[0][0] or (g := cast.gender(pid)) not in _BACK_AT:
            continue
        other = "female" if g == "male" else "male"
        if cast.name(pid).lower().startswith("the ") or prev[found[0][1] : found[0][1] + 2] in ("'s", "\u2019s") or _BACK_AT[
                g].search(sentences[k]) or _BACK_AT[other].search(sentences[k]) or _HE_SHE[other].search(sentences[k]) or any(
                w == pid for _, _, w in cast.find(sentences[k])):
            continue
        roles.setdefault(m.group(1), Counter())[pid] += 1


def _called_roles(cast: Cast, quotes: list[Quote], resets: Sequence[bool], heads: set[str],
                  roles: dict[str, Counter[int]]) -> None:
    """`"Nobody ate a ham," Jonah said.` / `"You'd know, Commander?"`: a rank the tags speak as (`the commander
    muttered`), called in the line right after one tagged by a single name, is that name's; so is a role called
    right after a name in one breath (`"Pruitt! Rookie!"`) (role -> who)."""
    spoken = heads - _GENERIC - _NOT_NAMES
    if not spoken:
        return
    wanted = {w for w in _ROLE_STEMS if any(h.startswith(w) for h in spoken) or any(
        r in spoken and any(n.startswith(w) for n in nicks) for r, nicks in _RANK_NICKNAMES.items())}
    pairs = re.compile(r"[!,.]\s+(?:(?:[Mm]y|[Oo]ur)\s+(?:[a-z]+\s+)?)?([A-Za-z]+)(?=[!,.?]|\s*$)")
    for q in quotes:
        # `"Pruitt! Rookie! You!"`, `"Tam! My favourite goblin."`: a name called, then the role, for one person.
        if "!" not in q.text and "," not in q.text:
            continue
        for st, e, pid in cast.find(q.text):
            m = pairs.match(q.text, e) if pid >= 0 and (st == 0 or q.text[st - 2 : st] in (", ", "! ", ". ", "? ")) else None
            if m is None:
                continue
            word = m.group(1).lower()
            rank = next((r for r, nicks in _RANK_NICKNAMES.items() if word in nicks), word)
            head = word if word in spoken else rank if rank in spoken else None
            if head is not None and head not in _KIN and head not in _STRANGER_HEADS and not cast.name(pid).lower().startswith("the "):
                roles.setdefault(head, Counter())[pid] += 1
    if not wanted:
        return
    by_para: dict[int, list[Quote]] = {}
    for q in quotes:
        by_para.setdefault(q.para, []).append(q)
    for q in quotes:
        if not may_hold(q.text.lower(), wanted) or resets[q.para] or q.para - 1 not in by_para:
            continue
        prev = {t.pid for a in by_para[q.para - 1] for t in [a.tag]
                if t is not None and t.kind == "name" and t.strength >= 0.9 and t.pid is not None and t.pid >= 0}
        if len(prev) != 1 or q is not by_para[q.para][0]:
            continue
        (pid,) = prev
        if q.tag is not None and q.tag.pid == pid or cast.name(pid).lower().startswith("the "):
            continue
        for m in _ROLE_CALL.finditer(q.text):
            word = m.group(1).lower()
            rank = next((r for r, nicks in _RANK_NICKNAMES.items() if word in nicks), word)
            head = word if word in spoken else rank if rank in spoken else None
            if head is None or not m.group(1)[0].isupper():
                continue
            before, after = q.text[: m.start()].rstrip(), q.text[m.end() :].lstrip()
            if before[-1:] == "-" or after[:1] == "-" or not (before[-1:] == "," and (not after or after[0] in ",!?;.\u2014")):
                continue
            roles.setdefault(head, Counter())[pid] += 1


_NAME_TURNED = re.compile(r"\b(his|her) name (?:turned out to be|was|is|proved to be) ", re.I)


def _appositives(cast: Cast, paragraphs: Sequence[list[Piece]], heads: set[str] = frozenset()) -> dict[str, Counter[int]]:
    """Role nouns set beside a name, in narration or speech (`Mr. Abernot, the lawyer,`, `the ferryman, Pell,`),
    what a named character wears or looks like (`Teo's blond hair`, `Kaito ... his hood`), and the heads of
    descriptor tags (`said the apothecary`) written as a title (`Apothecary Wren`): role -> who."""
    roles: dict[str, Counter[int]] = {}
    spoken = sorted(re.escape(h) for h in heads - _GENERIC - _NOT_NAMES)
    # (Each pattern opens on a plain character, the look back for a word's start after it: the scan skips to it.)
    role_rx = re.compile(r"[Tt](?<!\w[Tt])he\s+(?:[a-z\-]+\s+)?(?:" + "|".join(spoken) + r")\b") if spoken else None
    titles = sorted(h.capitalize() for h in heads - _GENERIC)
    titled = starts_on("".join(t[0] for t in titles), r"\b(?:" + "|".join(map(re.escape, titles)) + r")\s") if titles else None
    abbrevs = sorted(a for a, r in _ABBREV_RANKS.items() if r in heads)
    abbreviated = starts_on("".join(a[0] for a in abbrevs), r"\b(?:" + "|".join(abbrevs) + r")\b") if abbrevs else None
    last_role: str | None = None  # the latest role the narration spoke of (`said the pilot to nobody`)
    role_at = -9
    for pi, pieces in enumerate(paragraphs):
        for p in pieces:
            text = p.text
            if role_rx is not None and p.kind == "narration":
                m = _NAME_TURNED.search(text) if "name" in text else None
                if m is not None:
                    # (The role must be in the sentence just before: the end of the last narration, or this one's.)
                    lead = text[: m.start()].rstrip()
                    before = role_rx.findall(_last_sentence(lead)) if lead else None
                    if before is not None:
                        last_role = before[-1].split()[-1].lower() if before else None
                    elif pi - role_at > 2:
                        last_role = None
                if m is not None and last_role is not None:
                    # `His name turned out to be Marek`: the one just spoken of by a role is Marek.
                    found = cast.find(text[m.end() : m.end() + 40])
                    pid = found[0][2] if found and found[0][0] == 0 else None
                    if pid is not None and pid >= 0 and cast.gender(pid) in (_POSSESSIVE.get(m.group(1).lower()), None):
                        roles.setdefault(last_role, Counter())[pid] += 2
                hits = role_rx.findall(_last_sentence(text))
                last_role, role_at = (hits[-1].split()[-1].lower(), pi) if hits else (None, role_at)
            if titled is not None and (p.kind == "narration" or cast.find(text)) and titled.search(text):
                # `Apothecary Wren`, `Captain Ilse Brand` beside `said the apothecary`: a role written as a title.
                for s, e, pid in cast.find(text):
                    m = _CAP_BEFORE.match(text, s) if pid >= 0 and " " in text[s:e] else None  # the title inside
                    if m is None or m.end() > e or m.group(1).lower() not in heads:
                        m = _CAP_BEFORE_END.search(text[max(0, s - 40) : s]) if pid >= 0 else None
                    if m is not None and m.group(1).lower() not in heads and (m.lastindex or 0) >= 2 and m.group(2):
                        # `Detective Sergeant Owen Bright`: the rank nearer the name, when the first is no role the
                        # tags speak as.
                        word = m.group(2).lower()
                    else:
                        word = m.group(1).lower() if m is not None else ""
                    if m is not None and word in heads and word not in _GENERIC:
                        roles.setdefault(word, Counter())[pid] += 1
            if abbreviated and p.kind == "narration" and abbreviated.search(text):
                # `PC Sanjay Mistry` beside `said the constable`: a rank written short before a name.
                for s, e, pid in cast.find(text):
                    m = _ABBREV_BEFORE.search(text, max(0, s - 24), s) if pid >= 0 else None
                    if m is not None and _ABBREV_RANKS[m.group(1)] in heads:
                        roles.setdefault(_ABBREV_RANKS[m.group(1)], Counter())[pid] += 1
            for m in _FANDOM_ROLE.finditer(text) if "!" in text else ():
                found = cast.find(text[m.end() : m.end() + 40])
                if found and found[0][0] == 0 and found[0][2] >= 0 and m.group(1) not in _GENERIC:
                    roles.setdefault(m.group(1), Counter())[found[0][2]] += 2
            if "," not in text and "our " not in text and "their " not in text and not _LOOKS_ANY.search(text) and not (role_rx is not None and role_rx.search(text)):
                continue
            for s, e, pid in cast.find(text):
                if pid < 0:
                    continue
                m = _APPOSITIVE_AFTER.match(text, e)
                if m is None and text[e : e + 1] in (",", ".", ";"):
                    m = _APPOSITIVE_BEFORE.search(text, max(0, s - 60), s)
                if m is None and p.kind == "narration" and (text[s - 2 : s] == ", " or text[e : e + 2] == ", "):
                    # `behind him ... was their manager, Ishizu.`, `Ishizu, their manager, ...`: a role the tags speak
                    # as, owned by the group.
                    m = _APPOSITIVE_OWNED.search(text, max(0, s - 60), s) if text[s - 2 : s] == ", " else None
                    if m is None and text[e : e + 2] == ", ":
                        m = _APPOSITIVE_OWNED_AFTER.match(text, e)
                    if m is not None and m.group(1) not in heads:
                        m = None
                if m is None and p.kind == "narration" and text[s - 1 : s] == " " and ("our " in text or "their " in text):
                    # `their manager Mirae is the real mvp`: a role the group owns, written right before the name.
                    m = _OWNED_BARE.search(text, max(0, s - 30), s)
                    if m is not None and (m.group(1) not in heads or m.group(1) in _GENERIC or m.group(1) in _KIN):
                        m = None
                if m is None and role_rx is not None:
                    # `down the path to Hobb the sexton.`: a role the book tags speech with, right after the name.
                    # (Copulas, `Abernot was the lawyer`, and `the lawyer (Mr. Abernot)`: PDNC held -2, not kept.)
                    m = _ROLE_AFTER.match(text, e)
                    if m is not None and m.group(1) not in heads:
                        m = None
                if m is None:
                    m = _LOOKS_AFTER.match(text, e)
                if m is None:
                    # `Kaito fell asleep with his hood over his face`: the named subject's own hood.
                    end = _SENT_END.search(text, e)
                    m = _LOOKS_OWN.search(text, e, end.start() if end else len(text))
                    g = cast.gender(pid)
                    if m is not None and g is not None and _POSSESSIVE.get(m.group(0).split()[0].lower()) != g:
                        m = None
                if m is None:
                    continue
                head = m.group(1)
                if head in _GENERIC or head in _NOT_NAMES or head in _KIN or head.endswith(("ly", "ing")):
                    continue
                roles.setdefault(head, Counter())[pid] += 1
    return roles


_LOOK_CLASSES = {
    "big": "big huge enormous massive hulking burly bulky giant beefy broad-shouldered",
    "blond": "blond blonde fair-haired flaxen-haired",
    "redhead": "redhead red-haired ginger",
    "dark-haired": "dark-haired black-haired",
    "tall": "tall lanky taller tallest",
    "old": "elderly grizzled grey-haired gray-haired white-haired silver-haired grey-bearded gray-bearded white-bearded",
}
_LOOK_CLASS = {w: c for c, ws in _LOOK_CLASSES.items() for w in ws.split()}
_LOOK_WORDS = re.compile(r"(?<!\w)(?=[" + "".join(sorted({w[0] for w in _LOOK_CLASS})) + r"])(" + "|".join(sorted(_LOOK_CLASS, key=len, reverse=True)) + r")\b", re.I)
"""(The lookahead on the first letters lets the scan skip other words quickly.)"""
_LOOK_CLASS.update({w: "old" for w in ("old", "older", "elder", "aged")})
"""(`old` and `older` name the look in a tag, `the old man`, but say too little in narration: `his old coat`.)"""
_LOOK_STEMS = ("haired", "bearded", "shouldered", "old", "elder", "aged", "big", "tall", "huge", "giant", "burly",
               "bulky", "beefy", "blond", "redhead", "lanky", "massive", "enormous", "grizzled", "ginger", "hulking")
"""One of these is in every word of `_LOOK_CLASS` (`may_hold` before `_LOOK_WORDS`)."""
_COMPARATIVE_LOOK = {"older": "old", "elder": "old", "taller": "tall", "bigger": "big", "larger": "big"}
"""A comparative (`the older man`) picks the one on stage the narration gave that look (`a grey-haired man`)."""

_LOOK_ARTICLE = re.compile(r"\b(?:a|an|the)\s+(?:[\w-]+\s+)?$", re.I)
_LOOK_COPULA = re.compile(r"\b(?:was|is|'s|\u2019s)\s+(?:a|an)\s+(?:[\w-]+\s+)?$", re.I)
"""`Marek was a broad grey-haired man`: a description of someone named, not someone new (`a blonde girl came in`)."""


_LOOK_EPITHET = re.compile(r"\b[Tt]he ([a-z][a-z\-]+)\b")


def _looks(cast: Cast, paragraphs: Sequence[list[Piece]], quotes: list[Quote],
           resets: Sequence[bool] = ()) -> dict[str, Counter[int]]:
    """`Bulwark rumbles, pushing the chair with one enormous foot`: what the narration says a named character looks
    like (size, hair), sentence by sentence, for the epithets of tags (`the big man`): class -> who. A sentence that
    names nobody may describe a character known by an epithet (`The pilot was a broad grey-haired man`). Where each
    description was given goes to `cast.look_scene`: (class, scene) -> who, with the first paragraph."""
    cast.look_scene = {}
    cast.scene_of = list(itertools.accumulate(bool(r) for r in resets)) or [0] * len(paragraphs)
    scene = 0
    wanted = set()
    for q in quotes:
        t = q.tag
        if t is not None and t.kind == "descriptor" and t.text.lower().startswith("the "):
            words = t.text.lower().split()
            wanted |= {_LOOK_CLASS[w] for w in words[1:] if w in _LOOK_CLASS}
    looks: dict[str, Counter[int]] = {}
    if not wanted:
        return looks
    heads = {t.text.lower().split()[-1] for q in quotes for t in (q.tag,) if t is not None and t.kind == "descriptor"
             and t.text.lower().startswith("the ") and len(t.text.split()) == 2} - _GENERIC - _STRANGER_HEADS
    for pi, pieces in enumerate(paragraphs):
        scene += bool(pi < len(resets) and resets[pi])
        for p in pieces:
            if p.kind != "narration" or not may_hold(p.text.lower(), _LOOK_STEMS) or not _LOOK_WORDS.search(p.text):
                continue
            for sent in _SENTENCES.split(p.text):
                # (`the blond` in narration is the epithet itself, `a blonde girl` someone new: no description.)
                found = {m.group(1).lower() for m in _LOOK_WORDS.finditer(sent)
                         if not _LOOK_ARTICLE.search(sent, max(0, m.start() - 30), m.start())
                         or _LOOK_COPULA.search(sent, max(0, m.start() - 40), m.start())}
                classes = {_LOOK_CLASS[w] for w in found} & wanted
                if not classes:
                    continue
                names = cast.find(sent)
                if "old" in classes:
                    # (Age only when said of someone named before it: `Marek was a grizzled man`, not `He was
                    # elderly, fair as a European's`.)
                    first = min(m.start() for m in _LOOK_WORDS.finditer(sent) if _LOOK_CLASS[m.group(1).lower()] == "old")
                    if not any(e <= first for _, e, _ in names) and not any(
                            m.end() <= first and m.group(1) in heads for m in _LOOK_EPITHET.finditer(sent)):
                        classes.discard("old")
                        if not classes:
                            continue
                who = {pid for _, _, pid in names if pid >= 0 and not cast.name(pid).lower().startswith("the ")}
                if not who:
                    # (Kept as the epithet, `the pilot`: a character made when a comparative picks them; or the
                    # one character the text links to the role, `His name turned out to be Marek`.)
                    epithets = {"the " + m.group(1) for m in _LOOK_EPITHET.finditer(sent) if m.group(1) in heads}
                    linked = [cast.roles.get(e[4:]) for e in epithets]
                    if len(epithets) == 1 and linked[0] and len(linked[0]) == 1:
                        who = set(linked[0])
                    elif len(epithets) == 1:
                        for c in classes:
                            cast.look_scene.setdefault((c, scene), {}).setdefault(next(iter(epithets)), pi)
                        continue
                if len(who) == 1:
                    pid = next(iter(who))
                    for c in classes:
                        looks.setdefault(c, Counter())[pid] += 1
                        cast.look_scene.setdefault((c, scene), {}).setdefault(pid, pi)
    return looks


def _looked(cast: Cast, text: str, g: str | None, conv: Conversation, known: set[int], q_para: int = 0) -> int | None:
    """`the big man` on a line: the one on stage the narration described as big (`his enormous foot`)."""
    looks = cast.looks
    if not looks:
        return None
    words = text.lower().split()
    classes = {_LOOK_CLASS[w] for w in words[1:] if w in _LOOK_CLASS} & looks.keys()
    if len(classes) != 1:
        return None
    look = classes.pop()
    if look == "old" and not {"older", "elder"} & set(words) and {"old", "aged"} & set(words):
        return None  # (`the old man` is too common an epithet: PDNC held -2; `the grey-haired man` is kept)
    seen = looks[look]
    stage = set(conv.speakers + conv.mentions + conv.seen)
    if look == "old" and not {"older", "elder"} & set(words):
        # (Age is the commonest epithet, `the old man`: only someone talking now, or described so in this scene;
        # `the older man` is one of those present.)
        stage = set(conv.speakers) | set(cast.look_scene.get((look, cast.scene_of[q_para]), ()))
    top = [(n, pid) for pid, n in seen.items() if pid in stage and _compatible(cast, pid, g)]
    top.sort(reverse=True)
    if not top and look != "old" and len(seen) == 1 and next(iter(seen)) in known and _compatible(cast, next(iter(seen)), g):
        return next(iter(seen))  # the only one ever described so, not named in this scene's narration yet
    if not top or (len(top) > 1 and top[0][0] == top[1][0]):
        return None
    return top[0][1]


_STRANGER_HEADS = frozenset(
    "man woman boy girl lad lass kid child stranger newcomer figure youth guy visitor student stowaway".split())
"""Epithets for someone not yet named in the scene (`the boy`, `the stranger`): whoever introduces themselves."""
_STRANGER_SPAN = 15
"""How many paragraphs back a self-introduction names the stranger who spoke before it."""


def _epithets(cast: Cast, resets: Sequence[bool], quotes: list[Quote], paragraphs: Sequence[list[Piece]] = ()) -> None:
    """An epithet tag (`the healer`, `the girl`) whose speaker introduces themselves ("Maelis.", "I'm Kit") names
    that epithet: the same epithet means them again, and the scene's earlier strangers' epithets were them too."""
    scene, k = [], 0
    for r in resets:
        k += bool(r)
        scene.append(k)

    def head(q: Quote) -> str | None:
        t = q.tag
        if t is None or t.kind != "descriptor" or not t.text.lower().startswith("the "):
            return None
        h = t.text.lower().split()[-1]
        return h if h.isalpha() and h not in _NOT_NAMES else None

    links: dict[tuple[int | None, str], int] = {}
    back: dict[int, int] = {}
    first: dict[int, int] | None = None
    for i, q in enumerate(quotes):
        h = head(q)
        if h is None and len(q.intro) == 1 and q.tag is not None and q.tag.kind == "pronoun" and q.tag.gender in (
                "male", "female"):
            if first is None:
                first = {}
                for pi, pieces in enumerate(paragraphs):
                    for p in pieces:
                        for _, _, who in cast.find(p.text):
                            first.setdefault(who, pi)
            _pronoun_introduced(cast, scene, quotes, i, first, head, cast.named_later)
            continue
        if h is None or len(q.intro) != 1:
            continue
        pid = next(iter(q.intro))
        g = cast.gender(pid) or q.tag.gender
        if q.tag.gender and g != q.tag.gender:
            continue
        titles = _TITLE_NOUNS.get(h, (h,))
        if any((split_title(f)[0] or "").rstrip(".").lower() in titles for person in cast.people for f in person.forms):
            continue  # `the professor` with a Professor Van Troost in the cast: the title says who
        links.setdefault((scene[q.para], h) if h in _GENERIC or h in _STRANGER_HEADS else (None, h), pid)
        # Earlier strangers of this scene ("the girl", "the new girl") were the one now giving a name.
        for j in range(i - 1, -1, -1):
            e = quotes[j]
            if scene[e.para] != scene[q.para] or e.para < q.para - _STRANGER_SPAN or pid in e.vocatives or (e.tag is not None and e.tag.pid == pid):
                break
            eh = head(e)
            if eh is not None and (eh == h or eh in _STRANGER_HEADS and e.tag.gender is not None and e.tag.gender == g):
                back.setdefault(j, pid)
    if paragraphs:
        _named_later(cast, scene, quotes, paragraphs, head, links, cast.named_later)
    for i, q in enumerate(quotes):
        h = head(q)
        if h is None:
            continue
        pid = links.get((scene[q.para], h), links.get((None, h), back.get(i)))
        if pid is None and q.tag.strength < 0.9:
            pid = _known_role(cast, h)  # a beat: "The healer peeled back the bandage." with Maelis, the healer,
        if pid is not None and pid not in q.vocatives:
            t = q.tag
            q.tag = Tag("name", pid, t.gender, t.strength * 0.95, t.pos, t.text, t.ends)


def _pronoun_introduced(cast: Cast, scene: list[int], quotes: list[Quote], i: int, first: dict[int, int], head,
                        later: dict[tuple[int, str], int]) -> None:
    """`"Tamsin," she said at last. "My name's Tamsin."`: someone named for the first time by their own
    pronoun-tagged line was the scene's stranger of that gender before it (`the girl said`, `said the stowaway`),
    each such line no further than `_STRANGER_SPAN` paragraphs before the next one. The stranger's lines are
    theirs once decoding is done (`later`: (scene, epithet) -> who), so the decoding itself is left as it was."""
    q = quotes[i]
    pid = next(iter(q.intro))
    g = q.tag.gender
    if pid < 0 or cast.gender(pid) not in (g, None) or first.get(pid, q.para) < q.para:
        return
    reach = q.para
    for j in range(i - 1, -1, -1):
        e = quotes[j]
        if e.para == q.para:
            continue  # (`"Tamsin," she said.` before it: the name said, not someone called)
        if scene[e.para] != scene[q.para] or e.para < reach - _STRANGER_SPAN or pid in e.vocatives or (
                e.tag is not None and e.tag.pid == pid):
            break
        eh = head(e)
        if eh is not None and eh in _STRANGER_HEADS and len(e.tag.text.split()) == 2 and (
                e.tag.gender == g or e.tag.gender is None and eh in _UNKNOWN_HEADS):
            later.setdefault((scene[q.para], eh), pid)
            reach = e.para


_UNKNOWN_HEADS = frozenset("stranger newcomer visitor arrival intruder stowaway".split())
"""Epithets that say the point-of-view character does not know who this is yet (unlike `the girl`, `the child`)."""
_ARRIVAL_SPAN = 3
"""How many paragraphs after a stranger's line the narration may first name them (`Hollis edged inside`)."""


def _named_later(cast: Cast, scene: list[int], quotes: list[Quote], paragraphs: Sequence[list[Piece]], head,
                 links: dict[tuple[int | None, str], int], later: dict[tuple[int, str], int]) -> None:
    """`"Ro?" the newcomer whispered.` ... `"Brought you a pasty." Hollis edged inside`: a stranger's epithet
    (`the newcomer`, `the stranger`) is the one character the scene names for the first time right after the
    stranger spoke -- tagged on a line of their own within a few paragraphs, or introducing themselves later
    (`"Jonah."` to `"You got a name?"`) -- when nobody introduced themselves in the stranger's own line."""
    if not any(head(q) in _STRANGER_HEADS for q in quotes):
        return
    first: dict[tuple[int, int], int] = {}
    for pi, pieces in enumerate(paragraphs):
        for p in pieces:
            for _, _, pid in cast.find(p.text):
                first.setdefault((scene[pi], pid), pi)
    for i, q in enumerate(quotes):
        h = head(q)
        if h is None or h not in _STRANGER_HEADS or (scene[q.para], h) in links or len(q.tag.text.split()) != 2:
            continue  # (`the older man`: one of a pair on stage, not someone new)
        g = q.tag.gender
        told = {e.tag.pid for e in quotes[:i] if e.tag is not None and e.tag.pid is not None and scene[e.para] == scene[q.para]}

        def new(pid: int | None) -> bool:
            return (pid is not None and pid >= 0 and first.get((scene[q.para], pid), q.para) >= q.para
                    and pid not in told and pid not in q.vocatives and (g is None or cast.gender(pid) in (g, None)))

        found = None
        for e in quotes[i + 1 :]:
            if scene[e.para] != scene[q.para] or e.para > q.para + _STRANGER_SPAN:
                break
            if head(e) == h:
                continue
            if (h in _UNKNOWN_HEADS and q.para < e.para <= q.para + _ARRIVAL_SPAN and e.tag is not None
                    and e.tag.kind == "name" and new(e.tag.pid)):
                found = e.tag.pid
                break
            if len(e.intro) == 1 and new(next(iter(e.intro))):
                # Named only by their own answer: their epithet's lines are theirs once decoding is done.
                later.setdefault((scene[q.para], h), next(iter(e.intro)))
                break
        if found is not None:
            links[(scene[q.para], h)] = found


_ROLE_CALL = re.compile(
    r"\b(captain|cap|capt|skipper|skip|lieutenant|lieu|sergeant|sarge|doctor|doc|professor|prof|detective|probie|"
    r"rookie|chief|coach|boss|chef|kid|commander|admiral|major|colonel|director|sensei)\b", re.I)
"""Ranks and jobs used as names (`Night, Probie.`, `Kid, hook that ceiling.`, `Thank you, sensei!`)."""
_ROLE_STEMS = ("cap", "skip", "lieu", "serg", "sarg", "doc", "prof", "detective", "probie", "rookie", "chief", "coach",
               "boss", "chef", "kid", "commander", "admiral", "major", "colonel", "director", "sensei")
"""A part of each `_ROLE_CALL` word, for a cheap test before the regex."""
_CALL_OPENER = re.compile(r"\b(?:[Dd]ear|[Oo]h|[Mm]y|[Hh]ey)$")
_HONORIFIC_CALLS = frozenset({"sensei"})
"""An honorific worn like a title (the teacher, `Fujimoto-sensei`). Not `senpai`, `hyung`, `noona`: words for
whoever is older, used by each younger one for several others."""


def _role_vocatives(cast: Cast, paragraphs: Sequence[list[Piece]], quotes: list[Quote],
                    fresh_before: dict[int, list[int]] | None = None) -> None:
    """A rank, job or address word calling someone (`Night, Probie.`, `Thank you, sensei!`) addresses the one
    character who holds it: the one titled with it (`Captain Thorne`), set beside it (`Doc, the medic,`), heard as
    it (`said the probie`), or, for an honorific, the one character ever called `Name-sensei` in the book."""
    seen: dict[str, int | None] = {}

    def holder(word: str) -> int | None:
        if word not in seen:
            rank = next((r for r, nicks in _RANK_NICKNAMES.items() if word in nicks), word)
            pid = _known_role(cast, rank) if word not in _HONORIFIC_CALLS else None
            if pid is None:
                pid = cast.resolve("the " + word)
                if pid is None and rank != word:
                    pid = cast.resolve("the " + rank)
            if pid is None and word in _HONORIFIC_CALLS:
                suffix = "-" + word
                called = {pid for pieces in paragraphs for p in pieces if suffix in p.text.lower()
                          for s, e, pid in cast.find(p.text) if p.text[s:e].lower().endswith(suffix) and pid >= 0}
                pid = called.pop() if len(called) == 1 else None
            seen[word] = pid
        return seen[word]

    by_conv: dict[int, list[Quote]] | None = None
    for q in quotes:
        low = q.text.lower()
        if may_hold(low, _PARENT_STEMS) and (m := _PARENT_CALL.search(q.text)) is not None:
            if by_conv is None:
                by_conv = {}
                for o in quotes:
                    by_conv.setdefault(o.conv, []).append(o)
            pid = _parent_called(cast, paragraphs, by_conv.get(q.conv, [q]), q, _ELDERS.get(m.group(1).lower(), "father"),
                                 (fresh_before or {}).get(q.conv, ()))
            if pid is not None and pid not in q.intro:
                q.vocatives.add(pid)
        # `_ROLE_CALL` cannot match a quote without a stem of one of its words.
        if not may_hold(low, _ROLE_STEMS):
            continue
        if not _ROLE_CALL.search(q.text):
            continue
        spans = [(s, e) for s, e, _ in cast.find(q.text)]
        for m in _ROLE_CALL.finditer(q.text):
            if any(s <= m.start() < e or s < m.end() <= e for s, e in spans):
                continue
            before, after = q.text[: m.start()].rstrip(), q.text[m.end() :].lstrip()
            if before[-1:] == "-" or after[:1] == "-":
                continue  # `Minho-hyung`, `the co-captain`
            lead = not before or before[-1] in ",!?;.\u2014" or bool(_CALL_OPENER.search(before))
            trail = not after or after[0] in ",!?;.\u2014"
            if not (lead and trail):
                continue
            pid = holder(m.group(1).lower())
            if pid is not None and pid not in q.intro:
                q.vocatives.add(pid)


_PARENT_CALL = re.compile(
    r"(?:^|[,!?;.\u2014]\s*|\b(?:[Dd]ear|[Oo]h|[Hh]i|[Yy]es|[Nn]o|[Ww]ell|[Tt]hanks|[Pp]lease|[Ss]orry),?\s+)"
    r"(mother|mamma|mama|momma|mom|mum|mummy|mommy|father|papa|daddy|dad|aunt|auntie|aunty|uncle)(?=\s*(?:[,!?;.\u2014]|$))", re.I)
"""A child calling a parent by what they are (`Mother!`, `I fear so, father.`, `Yes, Mama.`)."""
_PARENT_STEMS = ("mother", "mam", "mom", "mum", "father", "pap", "dad", "aunt", "uncle")
"""A part of each `_PARENT_CALL` word, for a cheap test before the regex."""
_PARENT_NEAR = 1
"""Paragraphs before and after the line whose narration may name the parent."""
_ELDERS = {**dict.fromkeys("mother mamma mama momma mom mum mummy mommy aunt auntie aunty".split(), "mother"),
           **dict.fromkeys("father papa daddy dad uncle".split(), "father")}
"""The calls, by the sex of the one called (an aunt is found as a mother is: married, of her family or alone there)."""


def _parent_called(cast: Cast, paragraphs: Sequence[list[Piece]], conv: list[Quote], q: Quote, kin: str,
                   before: Sequence[int] = ()) -> int | None:
    """The parent a line calls `Mother`/`Father`: the one person of that sex there (tagged in the exchange, named in the
    narration just before it or next to the line) with a married title (`Mrs. Varga`, `Mr. Pruett`); of several, the
    one whose family name someone else there shares (their child). (`Mom` used as a name is found as a name.)"""
    gender = "female" if kin == "mother" else "male"
    there = {o.speaker for o in conv if o.speaker is not None and o.speaker >= 0 and o.tag is not None}
    there |= {pid for pid in before if pid >= 0}
    there |= {pid for pi in range(max(0, q.para - _PARENT_NEAR), min(len(paragraphs), q.para + _PARENT_NEAR + 1))
              for p in paragraphs[pi] if p.kind == "narration" for _, _, pid in cast.find(p.text) if pid >= 0}
    families = {pid: {fam for fam, _ in _family(cast, pid)} for pid in there}
    titled = set()
    for pid in there:
        if cast.gender(pid) == gender and any(title_gender(t) == gender and t not in _UNMARRIED
                                              for _, t in _family(cast, pid) if t):
            titled.add(pid)
    found = {pid for pid in titled if any(families[pid] & families[o] for o in there if o != pid)} or titled
    # (Not the only one there: `When do we eat, father?` to a priest, with no child of his about.)
    return found.pop() if len(found) == 1 and len(there) >= 2 else None


# (The lookahead on the characters a match can start with lets the scan skip other positions quickly.)
_CALLED_WORD = re.compile(r"(?=[\s,!?;.\u2014A-Zdoh])(?:^|(?<=[,!?;.\u2014])|\b(?:[Dd]ear|[Oo]h|[Hh]ey)\s)\s*([A-Z][a-z'\u2019]{2,})(?=\s*(?:[,!?;.\u2014]|$))")


_CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july august "
    "september october november december christmas easter".split())


_SHORT_NAME_NEAR = 10
"""...named within this many paragraphs of the call: someone in the scene, not a namesake in a story being told."""


def _heard(quotes: list[Quote], i: int, resets: Sequence[bool]) -> set[int]:
    """Who a tag names as the speaker of one of the few quotations before the i-th, in the same scene."""
    out: set[int] = set()
    para = quotes[i].para
    for o in quotes[max(0, i - _HEARD_BACK): i][::-1]:
        if any(resets[o.para + 1: para + 1]):
            break
        para = o.para
        if o.speaker is not None and o.speaker >= 0 and o.tag is not None and o.tag.kind == "name":
            out.add(o.speaker)
    return out


_HEARD_BACK = 20
"""How many quotations back a speaker counts as just heard."""


def _short_name_vocatives(cast: Cast, paragraphs: Sequence[list[Piece]], quotes: list[Quote], places: set[int],
                          resets: Sequence[bool]) -> None:
    """A short form of a given name used to call someone (`It's four in the afternoon, Kal.` to Ka'lin, `Sanj,` to
    Sanjay): the one character whose given name it begins, when the word is never written in lower case (`Well,`) and
    that character is named nearby."""
    starts: dict[str, set[int]] = {}
    for pid, person in enumerate(cast.people):
        if pid in places:
            continue
        for f in person.forms:
            title, toks = split_title(f)
            if not title and toks:
                name = toks[0].lower().replace("'", "").replace("\u2019", "").replace("-", "")
                for k in range(3, len(name)):
                    starts.setdefault(name[:k], set()).add(pid)
    text: str | None = None
    lowered: dict[str, bool] = {}  # word -> written in lower case somewhere in the book
    far: dict[str, list[tuple[Quote, set[int]]]] = {}  # word -> its calls with no owner named near
    for i, q in enumerate(quotes):
        for m in _CALLED_WORD.finditer(q.text):
            word = m.group(1).lower()
            owners = starts.get(word.replace("'", "").replace("\u2019", ""), set())
            if not owners and len(word) >= 4 and word[-1] == "s" and word[-2] not in "su'\u2019":
                owners = starts.get(word[:-1], set())  # `Mads` for Maddie, `Jules` for Julia: a clipped name and -s
            if len(owners) != 1 or word in _CALENDAR or any(s <= m.start(1) < e for s, e, _ in cast.find(q.text)):
                continue
            if text is None:
                text = "\n".join(p.text for pieces in paragraphs for p in pieces)
            if word not in lowered:
                # (`\bword\b` with the word first and the look back after it: a search for the word as a string.)
                w = re.escape(word)
                lowered[word] = re.search(rf"{w}(?<!\w{w})\b" if word[:1].isalnum() else rf"\b{w}\b", text) is not None
            if lowered[word]:
                continue  # a word, not a name: `Well,`
            near = {pid for pi in range(max(0, q.para - _SHORT_NAME_NEAR), q.para + _SHORT_NAME_NEAR + 1)
                    if pi < len(paragraphs) for p in paragraphs[pi] if p.text != q.text for _, _, pid in cast.find(p.text)}
            if owners <= near or owners <= _heard(quotes, i, resets):
                # (Or heard in the scene just before: `Thank you, Mads.` to Maddie, who spoke a while ago.)
                q.vocatives |= owners
            else:
                far.setdefault(word, []).append((q, owners))
    for word, calls in far.items():
        # Called so again and again (`Mads.`, `Mads, I swear`): the one it shortens, named far off or only once (a
        # first-person narrator, whose name the narration never writes).
        if len(calls) >= 2 and len({frozenset(o) for _, o in calls}) == 1:
            for q, owners in calls:
                q.vocatives |= owners


def _known_role(cast: Cast, head: str) -> int | None:
    """The one character who holds the title (`Captain Thorne`) or was set beside the role (`Maelis, the healer,`)."""
    if head in _GENERIC or head in _STRANGER_HEADS or head in _NOT_NAMES or head in _KIN:
        return None
    holders = _title_holders(cast, head)
    if holders:
        return holders[0] if len(holders) == 1 else None
    top = cast.roles.get(head, Counter()).most_common(2)
    if top and (len(top) == 1 or top[0][1] > top[1][1]):
        return top[0][0]
    return None


_KIN = {
    "mother": "female", "mamma": "female", "mama": "female", "father": "male", "papa": "male", "husband": "male",
    "wife": "female", "sister": "female", "brother": "male", "son": "male", "daughter": "female",
    "grandmother": "female", "grandfather": "male",
}
"""Relatives who usually share the family name of the one they belong to (`her mother`: Mrs. Penhallow)."""
_SENIOR = frozenset("mother mamma mama father papa husband wife grandmother grandfather".split())
_UNMARRIED = frozenset("miss mademoiselle mlle master".split())
_POSSESSIVE = {"her": "female", "his": "male", "their": None}


def _family(cast: Cast, pid: int) -> list[tuple[str, str | None]]:
    """(family name, title) for each form of a character that shows a family name."""
    out = []
    for f in cast.people[pid].forms:
        title, toks = split_title(f)
        if toks and title != "The" and (title or len(toks) >= 2):
            out.append((toks[-1], title.rstrip(".").lower() if title else None))
    return out


def _owner(cast: Cast, text: str) -> int | None:
    """Whose the described speaker is, when a name says so (`Posy's mamma`: Posy)."""
    first = text.split()[0]
    if len(text.split()) < 2 or not first.endswith(("'s", "\u2019s")):
        return None
    return cast.resolve(first[:-2])


_KIN_NAMES = {
    "mother": frozenset("mom mum mama mamma momma mommy mummy ma mother".split()),
    "father": frozenset("dad daddy papa pa pop father".split()),
    "grandmother": frozenset("grandma gran granny nana nan nanna gram gramma grandmother".split()),
    "grandfather": frozenset("grandpa grandad granddad gramps grandfather".split()),
}
"""A parent or grandparent the family calls by what they are (`Mom`, `Grandma June`): `her mother` is that one."""
_KIN_WORDS = {w: kin for kin, words in _KIN_NAMES.items() for w in words}


def _kin_named(cast: Cast, kin: str, skip: set[int]) -> int | None:
    """The one character called `Mom`/`Mum` (or `Dad`, `Nana`, `Grandpa Joe`), for `said her mother`."""
    found = {
        pid for pid, person in enumerate(cast.people) if pid not in skip
        and any(f.split()[0].lower() in _KIN_NAMES[kin] for f in person.forms)
    }
    return found.pop() if len(found) == 1 else None


def _kin(cast: Cast, text: str, near: list[int], conv: Conversation, skip: set[int]) -> int | None:
    """`said her mother`: the character of that gender sharing the family name of the one it belongs to.

    The owner (`her`) is the last one of that gender named in the paragraph or heard speaking; a parent or spouse is
    named with a married title (`Mrs. Penhallow`, not `Miss Penhallow`), a brother or sister never is.
    """
    words = text.lower().split()
    named = _owner(cast, text)
    if len(words) == 2 and words[0] in _POSSESSIVE and words[1] in _KIN_WORDS:
        pid = _kin_named(cast, _KIN_WORDS[words[1]], skip)
        if pid is not None:
            return pid
    if len(words) != 2 or (words[0] not in _POSSESSIVE and named is None) or words[1] not in _KIN:
        return None
    owner_g, kin = _POSSESSIVE.get(words[0]), words[1]
    gender = _KIN[kin]
    on_stage = list(dict.fromkeys(
        near + [p for p in reversed(conv.speakers) if p >= 0] + [p for p in reversed(conv.mentions) if p >= 0]))
    owners = [named] if named is not None else [p for p in on_stage if owner_g is None or cast.gender(p) in (owner_g, None)][:2]
    for owner in owners:
        names = {fam for fam, _ in _family(cast, owner)}
        if not names:
            continue
        found = []
        for pid in range(len(cast.people)):
            if pid == owner or pid in skip or cast.gender(pid) not in (gender, None):
                continue
            forms = [(fam, title) for fam, title in _family(cast, pid) if fam in names]
            if not forms:
                continue
            titles = {t for _, t in forms if t}
            married = any(title_gender(t) == gender and t not in _UNMARRIED for t in titles)
            if kin in _SENIOR and not married:
                continue
            if kin not in _SENIOR and married and (gender == "female" or kin == "son"):
                continue  # (`Mr.` says nothing of a man's marriage: `her brother` may be Mr. Hugh Penhallow)
            found.append((pid in on_stage, sum(cast.people[pid].forms.values()), pid))
        if found:
            return max(found)[-1]
        break
    return None


def _pick(cast: Cast, cands: Sequence[int], gender: str | None, skip: set[int]) -> int | None:
    """The first candidate known to have the pronoun's gender, else the first whose gender is unknown."""
    ok = [pid for pid in cands if pid not in skip and _compatible(cast, pid, gender)]
    if gender in ("male", "female", "they"):
        sure = [pid for pid in ok if pid != NARRATOR and cast.gender(pid) == gender]
        if sure:
            return sure[0]
    return ok[0] if ok else None


def _turn(conv: Conversation, q: Quote, prev: Quote | None, last: int | None) -> int | None:
    """Turn-taking: whoever the previous line addressed, else the speaker before the last one."""
    taken = conv.speakers[-1] if conv.speakers else None
    if prev is not None and taken is not None:
        addressed = [v for v in prev.vocatives if v != last and v in conv.mentions + conv.speakers]
        if addressed:
            return addressed[0]
    if len(conv.speakers) >= 2:
        cand = conv.speakers[-2]
        if cand != last:
            return cand if cand > _UNNAMED else None
    for pid in reversed(conv.mentions):
        if pid != last and last is not None:
            return pid
    return None


def _fill_backwards(quotes: list[Quote], kept: set[int] = frozenset()) -> None:
    """An opening line with no clue takes the speaker two turns later (A, B, A); not one of `kept` (`called_soon`)."""
    for i in range(len(quotes) - 3, -1, -1):
        q = quotes[i]
        if q.speaker is not None or _unnamed_voice(q) or id(q) in kept:
            continue
        n1, n2 = quotes[i + 1], quotes[i + 2]
        if n1.para != q.para and n2.para != n1.para and n1.speaker is not None and n2.speaker not in (None, n1.speaker):
            if n2.para - q.para <= 3:
                _set(q, n2.speaker, "implicit", 0.4, "fill_back")


def _realign_turns(quotes: list[Quote], kept: set[int] = frozenset()) -> None:
    """Unanchored turns take the alternation counted back from the nearest anchored turn (A, B, A, B); not the
    lines of `kept` (a described newcomer's, left to the decoder)."""
    turns: list[Quote] = []
    for q in quotes:
        if not turns or q.para != turns[-1].para:
            turns.append(q)
    anchored = [q.cue in ("explicit", "anaphoric") and q.confidence >= 0.5 for q in turns]
    by_para: dict[int, list[Quote]] = {}
    for q in quotes:
        by_para.setdefault(q.para, []).append(q)
    start = 0
    while start < len(turns):
        end = start
        while end + 1 < len(turns) and turns[end + 1].conv == turns[start].conv:
            end += 1
        idx = [i for i in range(start, end + 1) if anchored[i]]
        for j in range(start, end + 1):
            if anchored[j] or turns[j].cue not in ("implicit", None) or _unnamed_voice(turns[j]) or turns[j].why == "newcomer" or id(turns[j]) in kept:
                continue
            nxt = next((i for i in idx if i > j), None)
            prv = next((i for i in reversed(idx) if i < j), None)
            if nxt is None or (prv is not None and j - prv <= nxt - j):
                continue
            a = turns[nxt].speaker
            others = [turns[i].speaker for i in idx if turns[i].speaker != a and abs(i - nxt) <= 6]
            if (nxt - j) % 2 == 0:
                who = a
            elif others:
                who = min(others, key=lambda s: 0)  # nearest differing anchored speaker
                near = min((i for i in idx if turns[i].speaker != a), key=lambda i: abs(i - nxt))
                who = turns[near].speaker
            else:
                continue
            if who is not None and who not in turns[j].vocatives:
                _set_para(by_para[turns[j].para], who)
        start = end + 1


def _unnamed_voice(q: Quote) -> bool:
    """Heard from off stage just before the line (`A voice called from the hall.`, tags.py `_UNNAMED_VOICE`, whose tag
    text is `someone`): left to the decoder, no one's turn by count."""
    t = q.tag
    return t is not None and t.kind == "descriptor" and t.text == "someone"


def _set_para(quotes: list[Quote], who: int) -> None:
    """Give a paragraph's unattributed or implicit quotes to `who`."""
    for q in quotes:
        if q.cue in ("implicit", None):
            _set(q, who, "implicit", 0.5, "realign")


def _hung_up_last(text: str) -> bool:
    """Whether the narration `text` ends on someone hanging up (`He hung up and tossed the phone onto the couch.`,
    `I hang up.`; not `Odile hung up her coat.`)."""
    if "ung up" not in text and "ang up" not in text and "angs up" not in text:
        return False
    return _HUNG_UP.search(_last_sentence(text.rstrip())) is not None


_HUNG_UP = re.compile(r"\b(?:hung|hangs|hang)\s+up\b(?!\s+(?:his|her|the|a|an|my|their|your|its|our|on\s+the\s+(?:hook|peg|door))\b)")
"""Hanging up a phone, not a coat (`hung up her coat`, `hung up on the hook`)."""


_SELF_CALLED = 3
"""Votes a name loses as the narrator's each time a line tagged as the narrator's calls it."""


def name_narrator(cast: Cast, quotes: list[Quote], paragraphs: Sequence[list[Piece]] = ()) -> int | None:
    """The first-person narrator: the name they give themselves ("I'm Nell," I said), or the one most often
    used to address them in the lines around theirs (three times, or twice when nobody else speaks as them);
    failing that, a name given once in a way that leaves no doubt (see `_named_once`). A reader insert's "you" is
    `Y/N` wherever the text writes that: a name said near their lines is someone else's (segment.py names them)."""
    if cast.second_person and any("Y/N" in p.text for para in paragraphs for p in para):
        return None
    votes = _narrator_votes(cast, quotes)
    called: dict[int, int] = {}
    for q in quotes:
        if q.vocatives and q.speaker == NARRATOR and q.why in ("first_person", "split"):
            for v in q.vocatives:
                called[v] = called.get(v, 0) + 1
    for v, n in called.items():
        if v in votes:
            # `"Okay, Amma. Bye," I said.`: whom "I" calls is someone else (unless others call "I" so far more often)
            votes[v] -= _SELF_CALLED * n
            if votes[v] <= 0:
                del votes[v]
    if votes:
        # "Afternoon, Hallie." "Hi." "The usual?" / "Yep," I said: the reply was given to Hallie (a name from a
        # third-person summary is in the cast), yet the one who called her talks with "I" right after, and with
        # no one else. She is "I", when no tag ever names her speaking.
        tagged = {q.tag.pid for q in quotes if q.tag is not None and q.tag.kind == "name"}
        talks: dict[int, set] = {}
        for q in quotes:
            talks.setdefault(q.conv, set()).add(q.speaker)
        answers: set[int] = set()
        for i in range(len(quotes) - 1):
            q, r = quotes[i], quotes[i + 1]
            if (r.speaker in q.vocatives and r.speaker in votes and r.speaker not in tagged and r.tag is None
                    and r.para - q.para == 1 and q.speaker not in (None, NARRATOR, r.speaker)
                    and talks[r.conv] <= {NARRATOR, q.speaker, r.speaker}
                    and any(o.speaker == NARRATOR and o.para - r.para <= 3 for o in quotes[i + 2:i + 4])):
                votes[r.speaker] += 1
                answers.add(i + 1)
        best = max(votes, key=votes.get)
        if votes[best] >= 3:
            return best
        # Named twice by the people "I" talks with and never heard speaking: "Noor, pass me the tripod."
        if votes[best] == 2 and (any(quotes[i].speaker == best for i in answers) or all(q.speaker != best for q in quotes)) and best not in tagged:
            return best
    return _named_once(cast, quotes, paragraphs)


def _narrator_votes(cast: Cast, quotes: list[Quote]) -> dict[int, int]:
    """Votes for each name as the first-person narrator's: given by "I" (`I'm Nell.`), or called in the lines
    next to "I"'s (see `_said_to_me`)."""
    votes: dict[int, int] = {}
    for i, q in enumerate(quotes):
        if q.speaker != NARRATOR:
            continue
        for v in q.intro:
            votes[v] = votes.get(v, 0) + 3
        for j in (i - 1, i + 1):
            if 0 <= j < len(quotes) and quotes[j].speaker not in (NARRATOR,) and abs(quotes[j].para - q.para) <= 2:
                for v in quotes[j].vocatives:
                    votes[v] = votes.get(v, 0) + 1
    for v in _said_to_me(quotes):
        votes[v] = votes.get(v, 0) + 1
    # `Hi, Mummy.` / `Night, Dad.`: a word for kin or a pet name is what "I" calls someone, never "I"'s own name.
    return {v: n for v, n in votes.items() if not _kin_call(cast, v)}


def _other_names(cast: Cast, quotes: list[Quote], paragraphs: Sequence[list[Piece]], me: int | None,
                 places: set[int] | frozenset[int] = frozenset()) -> frozenset[int]:
    """The narrator's other names while decoding: `Hey, Marchetti.` as well as `Robbie`, each called twice next to
    "I"'s lines (and half as often as the name found), never heard speaking and never written by the narration (which says "I"); a line calling one of
    them is said to "I"."""
    if me is None:
        return frozenset()
    votes = _narrator_votes(cast, quotes)
    spoke = {q.speaker for q in quotes if q.why in _TAGGED_WHYS}
    cand = [v for v, n in votes.items() if n >= 2 and 2 * n >= votes.get(me, 0) and v != me and v not in spoke]
    if not cand:
        return frozenset()
    narration = [p.text for para in paragraphs for p in para if p.kind == "narration"]
    text = "\n".join(p.text for para in paragraphs for p in para)
    out = set()
    for v in cand:
        words = {w for f in cast.people[v].forms for w in split_title(f)[1]}
        if v in places or not words or any(w in t and re.search(r"\b" + re.escape(w) + r"\b", t) for w in words for t in narration):
            continue
        if any(re.search(r"\b" + re.escape(w.lower()) + r"\b", text) for w in words):
            continue  # a word of the language (`Farewell.`), not a name
        out.add(v)
    return frozenset(out)


_CALLED_I_MIN = 2
"""How many lines must call a name nobody else uses before it is taken for the narrator's (see `_called_i`)."""


_CALL_TITLES = _ABBREVIATED | {"miss", "st"}
"""A title written before a name with a full stop (names' `_ABBREVIATED`, `Miss.` and `St.`): `Mrs. Quarles` calls no one `Quarles` alone."""
_PARTINGS = frozenset("bye goodbye goodnight night morning evening afternoon cheers congrats welcome".split())
"""Greetings a line opens or ends on, set off like a name (`Bye, Okafor.`, `Night.`)."""


_OATHS = frozenset("jesus christ god gods lord hell heck geez jeez gosh golly whoa again honestly stop".split())
"""Words that open or end a line set off by a comma as a name would be (`"Jesus, you scared me."`, `"Again?"`)."""


def _called_i(cast: Cast, quotes: list[Quote], paragraphs: Sequence[list[Piece]], me: int | None) -> frozenset[int]:
    """`"Keane. Are you awake?"` / `"No."` in a story told by "I": a name only ever called in the lines (at their
    edges: `Nik. Hey. Nik.`, `Nik?`), at least twice, never written by the narration (which says "I" for its
    narrator and names everyone else), never a word of the text in lowercase and no one's in the cast, is the
    narrator's own (a surname or a nickname): it joins the cast as another name of the narrator's, and each line
    calling it is said to "I"."""
    if cast.second_person or not _told_by_i(paragraphs):
        return frozenset()
    calls: dict[str, list[Quote]] = {}
    for q in quotes:
        if q.vocatives and any(v == me for v in q.vocatives):
            continue
        for e in _EDGE_WORD.finditer(q.text):
            w = e.group(1)
            low = w.lower()
            if (low in _NOT_NAMES or low in _ADDRESS_WORDS or low in _KIN_CALLS or low in _PARTINGS or low in _OATHS
                    or not w.replace("'", "").isalpha() or cast.resolve(w) is not None):
                continue
            rest = q.text[e.end(1):e.end(1) + 2]
            if len(w) < 3 or e.start(1) == 0 and not rest.startswith((",", ".", "?", "!")):
                continue
            before = q.text[:e.start(1)].rstrip()
            if before.endswith(".") and before[:-1].rsplit(None, 1)[-1:] and before[:-1].rsplit(None, 1)[-1].lower() in _CALL_TITLES:
                continue  # `Mrs. Quarles`
            # Set off as a call at least once: `Keane,` `, Keane.` or a line of its own (`Nik?`), not `Aha!`.
            called = rest.startswith(",") or before.endswith(",") or q.text.strip() in (w + ".", w + "?")
            calls.setdefault(w, []).append((q, called))
    calls = {w: [q for q, _ in qs] for w, qs in calls.items()
             if len({id(q) for q, _ in qs}) >= _CALLED_I_MIN and any(c for _, c in qs)}
    if not calls:
        return frozenset()
    text = "\n".join(p.text for para in paragraphs for p in para)
    narration = [p.text for para in paragraphs for p in para if p.kind == "narration"]
    out = set()
    for w, qs in calls.items():
        if re.search(r"\b" + re.escape(w.lower()) + r"\b", text):
            continue  # a word of the language (`Morning.`)
        if any(w in t and re.search(r"\b" + re.escape(w) + r"\b", t) for t in narration):
            continue
        pid = cast.add(w)
        out.add(pid)
        for q in qs:
            q.vocatives.add(pid)
    return frozenset(out)


def _said_to_me(quotes: list[Quote]) -> list[int]:
    """Names called in the turns an exchange of two gives to the one answering "I", two or three turns off an `I say`
    line (`Dee. Dee. Look at me.` / `I'm looking at you.` / `You're looking at the door.` / `I'm looking at the door
    near you,` I say): the next and previous turn are counted by `name_narrator` already."""
    turns: list[list[Quote]] = []
    for q in quotes:
        if turns and turns[-1][0].para == q.para:
            turns[-1].append(q)
        else:
            turns.append([q])
    mine = [any(q.speaker == NARRATOR for q in t) for t in turns]
    out: set[int] = set()
    for t, turn in enumerate(turns):
        if not mine[t] or not any(q.why in ("first_person", "split") for q in turn):
            continue
        for step in (-1, 1):
            u = t
            for k in (1, 2, 3):
                w = u + step
                if not 0 <= w < len(turns) or turns[w][0].conv != turn[0].conv or abs(turns[w][0].para - turns[u][0].para) != 1:
                    break
                if (mine[w] if k % 2 else any(q.speaker not in (None, NARRATOR) and q.why in _TAGGED_WHYS for q in turns[w])):
                    break  # the other one's turns are never "I"'s; "I"'s turn between is never tagged to someone else
                if k == 3:
                    out.add(w)
                u = w
    return [v for w in sorted(out) for q in turns[w] for v in q.vocatives]


def _kin_call(cast: Cast, pid: int) -> bool:
    """Whether every form of a character is a word people are called by that names no one (`Mummy`, `Coach`)."""
    forms = cast.people[pid].forms
    return bool(forms) and all(f.lower() in _ADDRESS_WORDS or f.lower() in _KIN_CALLS for f in forms)


_KIN_CALLS = _FAMILY_CALLS | frozenset(_KIN_CALL_GENDER) | frozenset("mija mijo mijita kiddo".split())
"""Words for kin a narrator calls someone by (`Hi, Mummy.`, `Okay, Amma.`)."""
_NAME_WORD = r"([A-Z][a-z][\w'\u2019-]*)"
_CALLS_ME = re.compile(
    r"(?=[CKMNckmn])\b(?:[Mm]y\s+name(?:['\u2019]s|\s+is|\s+was)|[Cc]all(?:s|ed)?\s+me|[Nn]amed\s+me|[Kk]nown\s+as)\s+" + _NAME_WORD
    + r"(?![\w'\u2019-])")
"""Narration or the narrator's own line giving the narrator's name: `my name is Ollie`, `they call me Ollie`."""
_I_AM = re.compile(r"(?:^|[.!?,]\s+)I['\u2019]m\s+" + _NAME_WORD + r"\s*[.!,]")
"""The narrator's own line `I'm Ollie.`: a name alone after `I'm`, not `I'm Fine with it`."""
_MY_NAME = re.compile(r"m(?<!\wm)y\s+(?:own\s+|first\s+|real\s+)?name\b(?!\s*(?:tag|badge|card|plate))")
"""Narration about the narrator's name being said (`the first time he'd used my name`): the line before named them."""
_NOT_MY_NAME = re.compile(r"n['\u2019]t\b|\bnot\b|\bnever\b|\bwrong\b|\bforg[oe]t|\bmis")
_ADDRESS_WORDS = frozenset(
    """mum mom mam dad da ma pa mate love luv babe baby honey hon sweetheart sweetie darling dear boss buddy pal kid
    man dude bro sis chief son girl boy lad lass gran grandad granddad grandpa grandma granny nan nana sweetpea
    officer doc captain sarge detective doctor professor coach team guys folks everyone everybody""".split())
"""Words people are addressed by that are no one's name."""
_EDGE_WORD = re.compile(r"(?:^|[,!?.;\u2014-]\s*)" + _NAME_WORD + r"(?=\s*(?:[,!?.;\u2014-]|$))")


def _addressed(cast: Cast, q: Quote) -> tuple[set[int], list[str]]:
    """Whom a line calls by name: characters, and capitalised words set off at its edges or by commas that
    name nobody yet (`Thanks for the tea, Ollie.`); a line's first word only when nothing else is."""
    edge = [(e.start(1), e.group(1)) for e in _EDGE_WORD.finditer(q.text) if e.group(1).lower() not in _NOT_NAMES]
    named = set(q.vocatives) | {p for _, w in edge if (p := cast.resolve(w)) is not None}
    loose = [w for at, w in edge if cast.resolve(w) is None and at > 0] or (
        [] if named else [w for at, w in edge if cast.resolve(w) is None])
    return named, loose


def _named_once(cast: Cast, quotes: list[Quote], paragraphs: Sequence[list[Piece]]) -> int | None:
    """A narrator named once, plainly: by themselves (`My name's Ollie.`, `I'm Ollie.`), by their narration
    (`they call me Ollie`; `the first time he'd used my name` after a line addressing someone), or by the one
    name in a line said to them in an exchange of two. Never a name that speaks in a tag or that the
    narrator calls someone else; a name met only once joins the cast."""
    mine = [q for q in quotes if q.speaker == NARRATOR]
    if not mine:
        return None
    tagged = {q.tag.pid for q in quotes if q.tag is not None and q.tag.kind == "name" and q.tag.pid is not None}
    addressed = {v for q in mine for v in q.vocatives}
    lower: set[str] | None = None  # every lowercase word of the text: read only once a name is found unknown

    def word_or_pid(word: str) -> int | str | None:
        nonlocal lower
        pid = cast.resolve(word)
        if pid is not None:
            return None if _kin_call(cast, pid) else pid
        low = word.lower()
        if low in _NOT_NAMES or low in _ADDRESS_WORDS or low in _KIN_CALLS:
            return None
        if lower is None:
            lower = {w.lower() for para in paragraphs for p in para for w in re.findall(r"\b[a-z][\w'\u2019-]*", p.text)}
        return None if low in lower else word

    found: list[int | str | None] = []
    said: list[Quote] = []  # lines whose name is the narrator's
    for q in mine:
        for m in list(_CALLS_ME.finditer(q.text)) + list(_I_AM.finditer(q.text)):
            found.append(word_or_pid(m.group(1)))
    at = {(q.para, q.piece): q for q in quotes}
    for pi, pieces in enumerate(paragraphs):
        for k, piece in enumerate(pieces):
            if piece.kind != "narration":
                continue
            for m in _CALLS_ME.finditer(piece.text):
                found.append(word_or_pid(m.group(1)))
            for m in _MY_NAME.finditer(piece.text):
                start = max(piece.text.rfind(c, 0, m.start()) for c in ".!?") + 1
                if _NOT_MY_NAME.search(piece.text, start, m.start()) or _CALLS_ME.match(piece.text, m.start()):
                    continue
                # The line said just before: earlier in this paragraph, or the last of the one before.
                prior = [at[(pi, j)] for j in range(k - 1, -1, -1) if (pi, j) in at]
                if not prior and k == 0 and pi:
                    prior = [at[(pi - 1, j)] for j in range(len(paragraphs[pi - 1]) - 1, -1, -1) if (pi - 1, j) in at]
                if not prior or prior[0].speaker == NARRATOR:
                    continue
                line = prior[0]
                named, loose = _addressed(cast, line)
                if len(named) + len(set(loose)) == 1:
                    found.append(next(iter(named)) if named else word_or_pid(loose[0]))
                    said.append(line)
    talks: dict[int, set[int]] = {}  # conversation -> who speaks in it
    for o in quotes:
        if o.speaker is not None:
            talks.setdefault(o.conv, set()).add(o.speaker)
    speakers = {o.speaker for o in quotes}
    for i, q in enumerate(quotes):
        # "Thanks, Ollie." said to "I" by the one other person in the exchange.
        # A name met nowhere else is not enough here: pet names and third parties are called out too.
        if q.speaker is None or q.speaker < 0 or len(q.vocatives) > 1:
            continue
        talk = talks.get(q.conv, set())
        near = [o for o in quotes[max(0, i - 1): i + 2] if o.speaker == NARRATOR and o.conv == q.conv]
        if not near or talk != {NARRATOR, q.speaker}:
            continue
        if not q.vocatives:
            # `"You run scared, Lenny."`: a name called after a comma that names no one yet
            named, loose = _addressed(cast, q)
            loose = [w for w in loose if q.text[:q.text.find(w)].rstrip().endswith(",")]
            if not named and len(set(loose)) == 1 and (w := word_or_pid(loose[0])) is not None:
                found.append(w)
            continue
        (v,) = q.vocatives
        if v != q.speaker and v not in speakers and not _kin_call(cast, v):
            found.append(v)
    names = {f for f in found if f is not None}
    if not names:
        names = _greeted(cast, quotes, paragraphs, word_or_pid, speakers, said)
    if len(names) != 1:
        return None
    (name,) = names
    pid = cast.add(name) if isinstance(name, str) else name
    if pid in tagged or pid in addressed:
        return None
    for line in said:
        line.vocatives.add(pid)
    return pid


def _greeted(cast: Cast, quotes: list[Quote], paragraphs: Sequence[list[Piece]], word_or_pid, speakers: set,
             said: list[Quote]) -> set[int | str]:
    """`"Hi, Leigh!"` / `"Hi, Nadia," I said`: the one name in the line just before an `I said` reply, however many
    are in the scene, when it never speaks and the narration never writes it (the narration says "I")."""
    out: set[int | str] = set()
    lines: list[Quote] = []
    if cast.second_person:
        return out  # "you" is the reader: named elsewhere (Y/N)
    for i, q in enumerate(quotes):
        if i == 0 or q.speaker != NARRATOR or q.why != "first_person":
            continue
        prev = quotes[i - 1]
        # (a line before decoding may lean to "I" untagged: a new paragraph is a new speaker all the same)
        if prev.why in ("first_person", "split") or prev.conv != q.conv or q.para - prev.para != 1:
            continue
        # The name set off by a comma (`Hi, Leigh!`, `Morning, Hollis.`), never a line's first word (`Mostly.`).
        edge = [e.group(1) for e in _EDGE_WORD.finditer(prev.text) if e.start(1) and e.group(1).lower() not in _NOT_NAMES
                and prev.text[:e.start(1)].rstrip().endswith(",")]
        named = set(prev.vocatives) | {p for w in edge if (p := cast.resolve(w)) is not None}
        loose = {w for w in edge if cast.resolve(w) is None}
        if len(named) + len(loose) != 1:
            continue
        who = next(iter(named)) if named else word_or_pid(next(iter(loose)))
        if who is None or who in speakers or isinstance(who, int) and _kin_call(cast, who):
            continue
        out.add(who)
        lines.append(prev)
    if len(out) != 1:
        return out
    (who,) = out
    words = {who} if isinstance(who, str) else {w for f in cast.people[who].forms for w in split_title(f)[1]}
    narration = [p.text for para in paragraphs for p in para if p.kind == "narration"]
    if any(re.search(r"\b" + re.escape(w) + r"\b", t) for w in words for t in narration if w in t):
        return set()
    said.extend(lines)
    return out


def narrator_name(cast: Cast, quotes: list[Quote], paragraphs: Sequence[list[Piece]], narrator: int) -> str | None:
    """The name to write for a narrator found by names called to them (`You're late, Robbie.`, `Hey, Marchetti.`)
    when the lines speak of them by a longer form of such a nickname (`Roberta never shuts up about you.`): that
    one is their name. The form starts like the nickname, is spoken of at least as often as the nickname is, is
    never written by the narration (which says "I"), never a lowercase word of the text, and names no one heard
    speaking."""
    spoke = {q.speaker for q in quotes}
    called = [narrator] + sorted(v for v, n in _narrator_votes(cast, quotes).items() if v != narrator and v not in spoke)
    for pid in called:
        forms = cast.people[pid].forms
        if len(forms) != 1:
            continue
        (nick,) = forms
        if " " in nick or len(nick) < 3 or not nick.isalpha():
            continue
        name = _spoken_of(cast, quotes, paragraphs, nick, spoke, narrator)
        if name:
            return name
    return None


def _spoken_of(cast: Cast, quotes: list[Quote], paragraphs: Sequence[list[Piece]], nick: str, spoke: set,
               narrator: int) -> str | None:
    """The longer form of the nickname `nick` the lines speak of someone by (see `narrator_name`)."""
    head = nick[:3]
    said = [q.text for q in quotes if head in q.text]
    if not said:
        return None
    found: Counter[str] = Counter()
    own = 0
    word = re.compile(r"\b" + re.escape(head) + r"[a-z]*(?=['\u2019]s\b|[^\w'\u2019-]|$)")
    for text in said:
        for m in word.finditer(text):
            w = m.group()
            # Spoken of, not called (`Roberta's coming`, `Is that Roberta?`; not `Tils, give it here.`).
            before = text[:m.start()].rstrip()
            called = (not before or before.endswith((",", ".", "!", "?", "\u2014"))) and (
                re.match(r"\s*(?:[,.!?\u2014-]|$)", text[m.end():]) is not None)
            if called:
                continue
            if w == nick:
                own += 1  # spoken of by the name they are called too (`Who's Nads?`)
            elif len(w) >= 3 and w.lower() not in _NOT_NAMES and w.lower() not in _ADDRESS_WORDS:
                found[w] += 1
    for w, n in found.most_common():
        if n < own:
            break
        pid = cast.resolve(w)
        if pid is not None and pid != narrator and pid in spoke:
            continue
        low = w.lower()
        texts = [p.text for para in paragraphs for p in para if w in p.text or low in p.text]
        if any(p.kind == "narration" and re.search(r"\b" + w + r"\b", p.text) for para in paragraphs for p in para
               if w in p.text):
            continue
        if any(re.search(r"\b" + low + r"\b", t) for t in texts):
            continue
        return w
    return None


def narrator_aliases(cast: Cast, quotes: list[Quote], narrator: int) -> set[int]:
    """Other names the narrator is called by: addressed in the narrator's exchanges, never tagged as speaking.

    "Rafe" to friends and "Mr. Tolliver" to the concierge are one person; when one is a first name and the
    other a family name (seen with a title), the narrator is named with both.
    """
    tagged = {q.speaker for q in quotes if q.why == "tag_name"}
    votes: dict[int, int] = {}
    for i, q in enumerate(quotes):
        if q.speaker != NARRATOR:
            continue
        for j in (i - 1, i + 1):
            if 0 <= j < len(quotes) and quotes[j].speaker != NARRATOR and abs(quotes[j].para - q.para) <= 2:
                for v in quotes[j].vocatives:
                    votes[v] = votes.get(v, 0) + 1
    others = {v for v, n in votes.items() if n >= 3 and v != narrator and v not in tagged}
    first = cast.people[narrator].forms
    if len(first) == 1 and len(next(iter(first)).split()) == 1:
        for v in sorted(others, key=lambda v: -votes[v]):
            family = [toks[-1] for title, toks in map(split_title, cast.people[v].forms) if title and title != "The"]
            if family:
                cast.people[narrator].hinted = f"{next(iter(first))} {family[0]}"
                break
    return others


_SPACES = re.compile(r"\s+")
