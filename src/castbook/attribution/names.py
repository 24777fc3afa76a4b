"""Character discovery with no model: proper names from capitalisation statistics, clustered into characters."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import accumulate
from typing import Callable, Iterable, Mapping, Sequence

from castbook.attribution.quotes import split_paragraph

TITLES: dict[str, str | None] = {
    "mr": "male", "mister": "male", "sir": "male", "lord": "male", "master": "male", "monsieur": "male",
    "m": "male", "signor": "male", "herr": "male", "father": "male", "uncle": "male", "brother": "male",
    "king": "male", "prince": "male", "count": "male", "baron": "male", "duke": "male",
    "mrs": "female", "miss": "female", "ms": "female", "lady": "female", "madame": "female", "mme": "female",
    "mademoiselle": "female", "mlle": "female", "signora": "female", "frau": "female", "mother": "female",
    "aunt": "female", "sister": "female", "queen": "female", "princess": "female", "countess": "female",
    "duchess": "female", "dame": "female", "mistress": "female",
    "dr": None, "doctor": None, "professor": None, "prof": None, "captain": None, "capt": None,
    "colonel": None, "col": None, "major": None, "admiral": None, "general": None, "inspector": None, "sergeant": None,
    "mx": None, "reverend": None, "rev": None, "the": None, "mesdames": "female", "messrs": "male",
    "viscount": "male", "viscountess": "female", "earl": "male", "marquis": "male", "marquess": "male",
    "marchioness": "female", "baroness": "female", "emperor": "male", "empress": "female",
    "superintendent": None, "supt": None, "sgt": None, "insp": None, "lieutenant": None, "lt": None, "corporal": None, "constable": None, "detective": None,
    "officer": None, "agent": None, "coach": None, "sheriff": None, "commander": None, "chief": None, "nurse": None,
    "deputy": None, "principal": None, "manager": None, "director": None, "healer": None, "auror": None,
    "minister": None, "senator": None, "president": None, "chancellor": None, "headmaster": "male",
    "headmistress": "female", "warden": None, "matron": "female", "trainer": None,
}
_NAME_TITLES = frozenset(
    """judge vicar squire rector parson curate magistrate commodore abbot abbess bishop marshal mayor alderman friar
    deacon archdeacon cardinal governor ensign""".split())
"""Role words written before a name but not known as titles (`Judge Harrow`, `Vicar Pym`, `Sgt Bright`)."""
_RANKS = frozenset(["mr", "mister", *(t for t, g in TITLES.items() if g is None and t != "the")])
"""Titles of rank or trade ("Captain", "Dr.") and "Mr.": not part of the name a story calls its people by."""
_POSTPOSED = {
    "begum": "female", "khanum": "female", "khanam": "female", "hanim": "female", "bibi": "female", "sahiba": "female",
    "sahib": "male", "bey": "male", "effendi": "male", "pasha": "male", "agha": "male",
}
"""Honorifics written after a name (`Rashid Begum`, `Ali Bey`): like a title, they tell the named one's gender."""
_SUFFIXES = (
    "ssi", "nim", "ah", "ya", "san", "sama", "kun", "chan", "sensei", "shi", "senpai", "sempai", "dono",
    "hyung", "hyeong", "noona", "nuna", "unnie", "eonni", "oppa", "sunbae", "seonbae",
)
"""Korean and Japanese address suffixes: `Minho-hyung` and `Aoi-senpai` are Minho and Aoi."""
_NOT_NAMES = frozenset(
    """i i'm i'll i've i'd o oh ah the a an and but or if then there here this that these those it its he she
    they we you his her him them my our your their me us what who why how when where which yes no not nor
    well now so do does did is was are were be been have has had will would shall should can could may might
    must let all any some every each one two three four five six seven eight nine ten first last very
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july
    august september october november december god heaven lord christ christmas easter english french
    german italian american indian british chapter book volume part mr mrs miss dear good poor old young
    little great why what oh ay aye nay yes sir madam ma'am papa mama mamma father mother uncle aunt
    after before at by for from in into of on to with without upon as like than though although because
    perhaps indeed quite only just even still yet also too never ever always sometimes not no none nothing
    nobody everybody everyone someone somebody anything something everything hush come go look see say tell
    don't can't won't isn't it's that's there's what's let's thank thanks please pray hullo hello goodbye
    good-bye ha hm hmm mrs. mr. dr. st saint street road house square meanwhile however whereupon
    while whilst more most such whence thus hence besides nevertheless afterwards presently instead
    okay ok yeah yep yup nope nah sure fine right deal wait sorry listen seriously really whatever hey hi huh
    um uh er erm wow damn shit fuck fuckin fucking ugh oof ow ouch welp alright you you're you've you'll you'd
    we're we've we'll i'll they're he's she's tonight today tomorrow yesterday maybe
    next under over through across behind beside beyond during within outside inside around along until till
    since once twice soon later suddenly somewhere anywhere everywhere nowhere elsewhere upstairs downstairs""".split()
)
_ADDRESSED = re.compile(r"[YH](?:(?<!\wY)(?<=Y)our|(?<!\wH)(?<=H)(?:is|er)) ([A-Z][a-z]+)\b")
"""`Your Grace`, `His Lordship`, `Her Majesty`: a form of address after a capitalised possessive. (The capital
comes first and the look back after it, so the scan only stops at `Y` and `H`: the same matches as `\\b(?:Your|...)`.)"""
_AT_PLACE = re.compile(
    r" (in|into|outside|near|towards?|across|throughout|beyond|at) ([A-Z][\w'\u2019\-]*+)(?![\w'\u2019\-])"
)
"""A capitalised word after a preposition of place (`in Doncaster`, `outside Leeds`) or after a noun and `at` (`the
ferry at Westmere`; `at` after a verb is often a person's: `looked at Mara`)."""
_TONGUE_ENDS = ("ese", "ish", "ian", "ch")
"""Languages and peoples (`in Chinese`, `in Spanish`, `in French`): after `in`, yet no place; left to the other tests."""
_AT_VERBS = frozenset("""look stare glance smile grin laugh glare frown wink nod point shout yell snap scowl aim wave peer
squint blink gaze gape leer sneer swear hiss bark growl roar scream jab poke lunge swing throw""".split())
_AFTER_NUMBER = re.compile(r"\d(?<!\w\d)\d*[A-Za-z]? ([A-Z][\w'\u2019\-]*)")
"""A capitalised word right after a number: `4 West`, `Bay 3`'s kin `12 Harrow` (a ward, a house number). The digit
comes first and the look back (a word boundary) after it, so the scan skips to digits."""
_DIGIT_ANY = re.compile(r"\d")
_MONTH_NAMES = frozenset(("April", "June", "August"))
"""Months that are also given names: one is a person when written in a full name (`June Castellanos`) and twice as
the subject of an action (`June straightened`, `June found him`), which months are not. (`May` is left out: it is
also the modal, `May I come in?`, whose capitalised uses would pass for a name's.)"""
_FAMILY_CALLS = frozenset("""mom mum ma mama mamma momma mommy mummy mother dad daddy pa papa pop father grandma gran
granny nana nan nanna gram gramma grandpa grandad granddad gramps auntie aunty aunt uncle sis bro""".split())
"""What a family calls its own (`Mom`), written lowercase too (`your mom`) without being any less a name."""
_KIN_CALL_GENDER = {
    **dict.fromkeys("mom mum mama mamma momma mommy mummy grandma gran granny nana nanna gramma auntie aunty".split(), "female"),
    **dict.fromkeys("amma ammi ammu umma eomma omma".split(), "female"),
    **dict.fromkeys("dad daddy papa grandpa grandad granddad gramps appa abba abbu baba".split(), "male"),
}
"""Family calls that tell the one so called's gender (`Mom` is a she, `Grandpa Joe` a he)."""
_CONTRACTION = re.compile(r"['\u2019](?:ll|ve|re|d|m|t)$")
"""He’ll, You’ve, Didn’t: a contraction at the start of a sentence is never a name."""


_FOLDS = {"i": "\u0130\u0131", "k": "\u212a", "s": "\u017f"}
"""The characters besides its two cases that an ignore-case regex takes for an ASCII letter."""


def starts_on(first: str, pattern: str, ignorecase: bool = False) -> re.Pattern[str]:
    """`pattern`, each of whose matches opens on one of the characters `first`, as a regex that finds where a match
    starts, and no more: its match is that first character (the pattern is looked at from there). A scan for a
    pattern opening on a lookahead or `\\b` tries every position; this one skips to those characters, as fast as a
    plain character class goes. Only for `search` as a yes/no test or for where the match starts, and for counting
    matches that cannot start inside one another (whole words)."""
    if ignorecase:
        first = "".join(sorted({x for c in first for x in (c.lower(), c.upper(), *_FOLDS.get(c.lower(), ""))}))
        pattern = f"(?i:{pattern})"
    cls = "[" + re.escape(first) + "]"
    return re.compile(rf"{cls}(?<=(?={pattern}){cls})")


def may_hold(low: str, stems: tuple[str, ...]) -> bool:
    """Whether an ignore-case regex each of whose matches holds one of `stems` (lower case, no spaces) can match the
    text whose lower case is `low`: a cheap test before the regex."""
    for w in stems:
        if w in low:
            return True
    # What `str.lower` leaves of the letters an ignore-case regex takes for ASCII ones: `ı`, `ſ`, and `İ`'s dot (`K`
    # it lowers to `k`). (An ASCII text has none: `isascii` is a flag, not a scan.)
    return not low.isascii() and ("\u0131" in low or "\u017f" in low or "\u0307" in low)


_NUMBERS = "One|Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten|Eleven|Twelve|Thirteen"
_SAYS = "said|says|asked|asks|cried|replied|answered|called|shouted|whispered|muttered|exclaimed|began"
_NUMBER_SAYS = re.compile(rf"\b(?:{_SAYS})\s+({_NUMBERS})\b(?!\s+(?:of|more|times|words)\b)|(?<=[a-z,;] )({_NUMBERS})\s+(?:{_SAYS})\b")
"""A number word as a speaker: `said Five`, `..., and Seven said` (not `said one of them`)."""
_SAYS_WORDS = tuple(_SAYS.split("|"))
_SAYS_STARTING = "(?:" + "|".join(
    f"{first}(?<!\\w{first})(?:" + "|".join(w[1:] for w in _SAYS_WORDS if w[0] == first) + ")"
    for first in dict.fromkeys(w[0] for w in _SAYS_WORDS)) + ")"
"""Any speech verb at a word's start (`\\b(?:said|says|...)`) written so that each alternative opens on its first letter."""


def _says_any(p: str) -> bool:
    """Any speech verb (as a bare substring): paragraphs without one are left out of the `_SAYS` passes. (Substring
    tests, faster than a regex of the verbs.)"""
    for w in _SAYS_WORDS:
        if w in p:
            return True
    return False


_NUMBERS_ANY = re.compile(_NUMBERS)
_WORD_NAMES = "Will"
_WORD_NAME_SAYS = re.compile(rf"\b(?:{_SAYS})\s+({_WORD_NAMES})\b(?!\s+(?:of|more|times|words)\b)|\b({_WORD_NAMES})\s+(?:{_SAYS})\b")
"""A name that is also a modal as a speaker: `Will said`, `said Will` (months are left alone: `in May` is no one)."""
_WORD = re.compile(r"[A-Za-z][\w'\u2019\-]*")
_LOWER_RUN = re.compile(r"[a-z][a-z]{2,}")
"""A run of three lowercase letters or more (one letter first: a pattern opening on a character class scans faster
than one opening on a repeat)."""
_HANDLE = re.compile(r"\x00([a-z][\w'\u2019\-]*):[ \t]")
"""A paragraph opening `name: ` in lowercase: a text message's sender."""
_NONSPACE = re.compile(r"\S+")
_ABBREVIATED = frozenset("mr mrs ms mx dr prof capt col rev lt sgt insp supt mme mlle messrs".split())
"""Titles written with a full stop (`Mr.`); after any other title (`answered Nurse. Then`) the stop ends the sentence."""


def by_first(alternatives: Sequence[str]) -> str:
    """A regex alternation of plain words (a trailing `\\.?` allowed) grouped by first letter, each group's words in
    their given order: the same matches as the words one after another (words of different first letters never
    match at the same place), but the engine tries one group per letter, not every word (`Mrs` is tried only at an
    `M`)."""
    groups: dict[str, list[str]] = {}
    for a in alternatives:
        groups.setdefault(a[0], []).append(a[1:])
    return "(?:" + "|".join(
        first + (rests[0] if len(rests) == 1 else "(?:" + "|".join(rests) + ")") for first, rests in groups.items()
    ) + ")"


_TITLE_RX = by_first(
    [*sorted((t.capitalize() + (r"\.?" if t in _ABBREVIATED else "") for t in TITLES if len(t) > 1), key=len, reverse=True),
     r"M\.?", "the"]
)
"""A title before a name, `M.` or `the` (longest titles first)."""
_ABBREV_RX = by_first(sorted((t.capitalize() for t in _ABBREVIATED), key=len, reverse=True))
"""A title written with a full stop ends a run of capitalised words (`When Mrs. Pruett`: `When`, then `Mrs. Pruett`)."""
PARTICLES = frozenset("van von de der den du da di del della la le".split())
"""Lowercase words inside a family name (`Mr. van der Berg`, `Nico di Angelo`, `Anneke de Vries`); `der`, `den`
only after another (`ter`, `ten` are left out: `at twenty to ten Kit`)."""
_PARTICLE_RX = by_first("van von de du da di del della la le".split()) + r"\s+(?:(?:der|den|la|le)\s+)?"
MENTION = re.compile(
    # Every mention starts with a capital, `the` or a name's particle: the lookahead lets the scan pass other
    # words quickly.
    rf"\b(?=[A-Zt]|{_PARTICLE_RX}[A-Z])(?:{_TITLE_RX}\s+(?:[A-Z]\.\s*)*)?(?:{_PARTICLE_RX})?[A-Z][\w'\u2019\-]*"
    rf"(?:\s+(?!{_ABBREV_RX}\.)(?:{_PARTICLE_RX}|St\.\s+)?[A-Z][\w'\u2019\-]*)*"
)
_PLACE_HEADS = frozenset(
    """club society team squad crew band choir league guild union council committee order brigade regiment
    army navy company corporation agency bureau department ministry office school high academy college
    university institute hospital clinic station base camp farm inn pub tavern hotel motel cafe café bar
    diner restaurant shop store market church chapel cathedral temple shrine abbey castle tower manor cottage
    lodge house street road lane avenue square bridge creek river lake pond bay harbour harbor port beach
    island valley ridge mountain mountains peak pier falls forest gardens garden town city village county
    district kingdom empire republic circus""".split()
)
"""The last word of a capitalised run that makes it a place or a group, not a person (`High Fell Farm`)."""


_PERSONAL = frozenset("he she his her him hers himself herself they them their i me my we us our".split())


def _bridged(text: str, t: str) -> bool:
    """`t`, written once, opens a sentence inside a paragraph between two that open on the same `He` or `She`, and
    its own sentence has no personal pronoun: `He lifted the bonnet. Steam came out. He shut it again.` The pronoun
    runs on across it: a thing the man saw, not a man."""
    i = text.find(". " + t + " ")
    if i < 0:
        return False
    start = max(text.rfind(". ", 0, i), text.rfind("\x00", 0, i)) + 1
    prev = text[start:i].split(None, 1)
    end = text.find(". ", i + 2)
    if not prev or prev[0] not in ("He", "She") or end < 0 or "\x00" in text[i:end]:
        return False
    own = text[i + 2:end]
    if any(w.strip(",;:\u2019'\"").lower() in _PERSONAL for w in own.split()):
        return False
    return text.startswith(prev[0] + " ", end + 2)


def _place_or_group(title: str | None, tokens: Sequence[str]) -> bool:
    """A capitalised run ending in a place or group word (`High Fell Farm`, `The Astronomy Club`, `Minamidai High`),
    or `The` and one plural word (`The Keepers`), names no person."""
    if title not in (None, "The") or not tokens or len(tokens) < 2 and not title:
        return False
    last = tokens[-1]
    if last.lower() in _PLACE_HEADS:
        return True
    return title == "The" and len(tokens) == 1 and last.endswith("s") and not last.endswith(("ss", "us", "is")) and len(last) > 3


_NEXT_WORD = re.compile(r" ([a-z]+)\b")
_RUN_START = r"[^\w'\u2019\-](?:(?![A-Za-z])[\w'\u2019\-])*+"
"""Where `_WORD.finditer` starts a word: at the first ASCII letter of a run of word characters. The character
before the run is matched, not looked back at, so the scan skips to non-word characters (a match never ends
before one, and every `_joined` text opens with a NUL)."""
_FIRST_CAP = re.compile(r"\x00[^A-Za-z\x00]*+([A-Z][\w'\u2019\-]*+)")
"""A capitalised first word of a paragraph (each paragraph preceded by NUL: `_joined`)."""
_ENDER_OR_ACTOR = re.compile(
    _RUN_START + r"(?:([A-Z](?<! [Aa] [A-Z])(?<! [Aa][Nn] [A-Z])(?<![Tt][Hh][Ee] [A-Z])[\w'\u2019\-]*+)(?= ([a-z]+)\b)"
    r"|([A-Za-z][\w'\u2019\-]*+)(?=[.!?][^A-Za-z\x00]*+([A-Z][\w'\u2019\-]*+)))"
)
"""Two kinds of word in one scan (a word is followed by a space or by `.!?`, never both). An actor (groups 1-2): a
capitalised word, not after `a`, `an`, `the`, and the lowercase word after it (`Mara climbed`); the look backs come
after the capital, so a scan that meets no capital tries none of them, and the next word is looked ahead at, not
taken (it is lowercase, so no match starts there). An ender (groups 3-4): a word right before `.`, `!` or `?`, and
the capitalised word that follows it in the paragraph."""
_CALLED = re.compile(r"([A-Z][\w'\u2019\-]*+), (?=[a-z])")
"""A capitalised word and a comma before a lowercase word: a vocative opening a sentence (`Mari, keep it going`)."""
_LIST = re.compile(
    _RUN_START + r"([A-Z][\w'\u2019\-]*+)((?:, [A-Z][\w'\u2019\-]*+)*+)(,? and )([A-Z][\w'\u2019\-]*+)(?![\w'\u2019\-])"
)
"""A list of capitalised words in the narration: `Gwen, Otto and Lark`, `Bea and Cato`."""
_OPENERS = frozenset("together anyway somehow again otherwise nearby overhead ahead above below beneath afterward".split())
"""Words that open a sentence before a list of names (`Together, Mara and Jun`), besides -ly and -ing words."""
_BARE_POSSESSIVE = re.compile(r"([A-Z](?<![\w'\u2018\u2019\"\u201c\-][A-Z])[\w\-]*s)['\u2019] (?=[a-z])")
"""`Jess' voice`: a possessive with a bare apostrophe (not a closing single quote: none opens right before it).
The capital comes first and the look back after it, so the scan only stops at capitals."""
_NARRATION_QUOTE = re.compile(r"[\"\u201c][^\"\u201d\x00]*[\"\u201d]?")
_TAG_RUN = re.compile(
    # Every match opens with a capital or a speech verb's first letter: the lookahead lets the scan pass other words.
    rf"(?=[A-Z{''.join(sorted({w[0] for w in _SAYS.split('|')}))}])"
    rf"(?:\b(?:{_SAYS}) ([A-Z][\w'\u2019\-]*+) ([A-Z][\w'\u2019\-]*+)\b(?! [A-Z])"
    rf"|(?<![\w'\u2019\-] )\b([A-Z][\w'\u2019\-]*+) ([A-Z][\w'\u2019\-]*+) (?:{_SAYS})\b)"
)
"""Two capitalised words as the subject of a speech tag: `said Tova Reyes`, `Tova Reyes asked`."""
_PAST = frozenset("""set sat stood came went took gave got held kept left let made ran rose said saw shook spoke told thought
turned was had blew began bit broke brought caught drew drank drove ate fell felt found flew froze grew hung heard hid
knew led lay lit lost meant met paid put rode rang sang shot shut slept slid stole struck swore swung threw woke wore
won wrote sits stands says looks turns walks grins smiles nods shrugs laughs sighs leans takes gives comes goes gets
puts pulls pushes watches steps drops picks reaches rolls raises frowns glances stares asks tells shakes holds keeps
snorts scoffs winces blinks hums whispers mutters murmurs shouts yells calls answers replies""".split())
"""Verbs after a capitalised word that make it the subject of an action (`Mara climbed`, `Idris sits`)."""
_MALE = frozenset("he his him himself".split())
_SUBJ_PRONOUNS = re.compile(
    r"(?=[hs])\b(?:he|she|himself|herself|his|her(?=\s+(?!(?:a|an|the|that|this|to|and|or|but|in|on|at|of|with|for|from|by|as|so|if|when|up|down|out|off|away|back|again|too)\b)[a-z]))\b",
    re.I,
)
"""Subject, reflexive and possessive pronouns (`her` only before a noun: `her hands`, not `told her that`)."""
_PREV_WORD = re.compile(r"\b([A-Za-z]+)\W*$")
_OBJ_PRONOUN = {True: re.compile(r"\b(?:him|his)\b", re.I), False: re.compile(r"\bher\b", re.I)}
_VOTE_REACH = 240
_SEES_HER = re.compile(r"\b(?:watch(?:ed|es)?|saw|see[sn]?|hears?|heard|let|lets|made|makes?|help(?:ed|s)?|felt|feels?)\s+$")
"""A verb taking `her` as its object before a bare verb (`watched her go`, `let her in`): `her` is no possessive there."""


def _participle_object(p: str, prev: re.Match) -> bool:
    """`she said, looking the Duke up and down through her lorgnette`: a name right after a participle opening a
    phrase after a comma is its object, and the pronoun after it is the clause's subject's, someone else's."""
    word = prev.group(1)
    return len(word) > 5 and word.endswith("ing") and p[max(0, prev.start() - 2): prev.start()].rstrip().endswith(",")
_OBJECT_AFTER = frozenset(
    """to at in inside outside across through around with from by for of than on upon into about towards toward like unlike against without beside
    behind before after near past over under between among saw told asked thanked kissed met left married
    called heard watched followed joined helped""".split()
)


@dataclass(slots=True)
class Person:
    """A character being clustered: forms seen and counts."""

    forms: Counter[str] = field(default_factory=Counter)
    gender_votes: Counter[str] = field(default_factory=Counter)
    hinted: str | None = None
    full: str | None = None
    """The full name a work's character tags give this character ("Sam Whitlock" for a "Sam" and a "Whitlock")."""

    @property
    def name(self) -> str:
        if self.hinted:
            return self.hinted
        if self.full:
            return self.full
        if not self.forms:
            return "?"

        parsed = {f: split_title(f) for f in self.forms}
        surnames = {toks[-1] for title, toks in parsed.values() if title and title != "The"}
        full = [
            f for f, (title, toks) in parsed.items()
            if not title and len(toks) >= 2 and self.forms[f] >= 2 and toks[0] not in surnames
        ]
        if full:
            # The fullest common form: "Nils Hagen" over "Nils".
            return max(full, key=lambda f: (self.forms[f], len(f)))
        # (`Highness` ten times and `Aurelian` twice: a form of address is not his name.)
        named = [kv for kv in self.forms.items() if kv[0].lower() not in _ROYAL_ADDRESS] or self.forms.items()
        best = max(named, key=lambda kv: (kv[1], len(kv[0])))[0]
        title, toks = parsed[best]
        if title == "The" and len(toks) == 1 and (toks[0].lower() in TITLES or toks[0].lower() in _NAME_TITLES):
            # "the Admiral" thirty times and "Admiral Pembury" ten: the name the title stands for.
            word = toks[0].lower()
            named = [f for f, (t, w) in parsed.items() if w and (t and t.rstrip(".").lower() == word or (
                not t and len(w) >= 2 and w[0].lower() == word))]
            if named:
                best = max(named, key=lambda f: (self.forms[f], len(f)))
                title, toks = parsed[best]
        if title not in (None, "The") and len(toks) >= 2 and title.rstrip(".").lower() in _RANKS:
            return " ".join(toks)  # "Captain Ines Reyes" is Ines Reyes ("Sir Rupert Dorling" keeps his title)
        return _in_full(self.forms, best)

    @property
    def gender(self) -> str | None:
        # (`get`: a vote never cast is no key, and `[]` on a missing key costs a `__missing__` call.)
        get = self.gender_votes.get
        m, f = get("male", 0), get("female", 0)
        if get("they", 0) > m + f:
            return "they"  # singular they (`_vote_gender`)
        if m + f == 0:
            return None
        if m > 1.25 * f:
            return "male"
        if f > 1.25 * m:
            return "female"
        return None


_GIVEN_TITLES = frozenset("sir lady lord dame miss master prince princess brother sister uncle aunt".split())
"""Titles set before a given name (`Sir Hugo`, `Lady Isolde`, `Uncle Lenny`) as well as a family name."""


_MAN_OR_MAID = frozenset("mr mister monsieur m signor herr mademoiselle mlle signorina".split())
"""Titles that go before a family name, or before a given name to tell brothers or sisters apart (`Mr. Lorcan`)."""


def _in_full(forms: Counter[str], form: str) -> str:
    """A title and a given name ("Sir Hugo") written out in full ("Sir Hugo Kettle") among a character's forms."""
    title, toks = _split_title(form)
    if title is None or title.rstrip(".").lower() not in _GIVEN_TITLES or len(toks) != 1:
        return form
    longer = [f for f in forms if (t := _split_title(f))[0] == title and len(t[1]) >= 2 and t[1][0] == toks[0]]
    return max(longer, key=lambda f: (forms[f], len(f))) if longer else form


@lru_cache(maxsize=1 << 16)
def _clean_token(tok: str) -> str:
    tok = tok.rstrip("'\u2019-")
    for poss in ("'s", "\u2019s"):
        if tok.endswith(poss):
            tok = tok[: -len(poss)]
    base, _, suffix = tok.rpartition("-")
    if base and suffix.lower() in _SUFFIXES:
        tok = base
    return tok


def split_title(form: str) -> tuple[str | None, list[str]]:
    """'Mr. Felix Ainsworth' -> ('Mr.', ['Felix', 'Ainsworth']): the title as written, then the name words."""
    title, words = _split_title(form)
    return title, list(words)


@lru_cache(maxsize=1 << 16)
def _split_title(form: str) -> tuple[str | None, tuple[str, ...]]:
    parts = form.replace(".", ". ").split()
    title = None
    if parts and parts[0].rstrip(".").lower() in TITLES and len(parts) > 1:
        title = parts[0] if parts[0].endswith(".") or form.startswith(parts[0] + " ") else parts[0] + "."
        if title.lower() == "the":
            title = "The"
        parts = parts[1:]
        while len(parts) > 1 and re.fullmatch(r"[A-Z]\.", parts[0]):
            parts = parts[1:]  # "Mr. J. R. T. Mallory": the initials are not the name
    if len(parts) > 1 and any(p in PARTICLES for p in parts[:-1]):
        parts = _glue_particles(parts)
    return title, tuple(p.rstrip(".") for p in parts)


def _glue_particles(parts: list[str]) -> list[str]:
    """A family name with particles is one word of a name: `Femke van der Hoeven` -> Femke, `van der Hoeven`."""
    out: list[str] = []
    glue: list[str] = []
    for i, p in enumerate(parts):
        if (p in PARTICLES or not out and p.lower() in PARTICLES and parts[i + 1] in PARTICLES) and len(glue) < 2:
            glue.append(p)
        elif glue and p[:1].isupper():
            out.append(" ".join(glue + [p]))
            glue = []
        else:
            out.extend(glue)
            out.append(p)
            glue = []
    return out + glue


def title_gender(title: str | None) -> str | None:
    return TITLES.get(title.rstrip(".").lower()) if title else None


class _Aliases(dict):
    """The alias table of a Cast; it counts its changes, so that `Cast.find` can reuse results until it changes.

    `version` counts every change. A new key (`said Tom` adds `tom`) only changes what `Cast.find` returns for the
    texts whose lookups tried that key, so new keys are logged in `added`; `epoch` counts every other change
    (a key removed or pointed elsewhere), after which nothing found before can be trusted."""

    __slots__ = ("version", "epoch", "added")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = 0
        self.epoch = 0
        self.added: list[str] = []

    def __setitem__(self, key, value):
        if key in self:
            self.epoch += 1
        else:
            self.added.append(key)
        super().__setitem__(key, value)
        self.version += 1

    def __delitem__(self, key):
        super().__delitem__(key)
        self.version += 1
        self.epoch += 1

    def setdefault(self, key, default=None):
        self.version += 1
        self.epoch += 1
        return super().setdefault(key, default)

    def update(self, *args, **kwargs):
        super().update(*args, **kwargs)
        self.version += 1
        self.epoch += 1

    def __ior__(self, other):
        self.update(other)
        return self

    def pop(self, *args):
        self.version += 1
        self.epoch += 1
        return super().pop(*args)

    def popitem(self):
        self.version += 1
        self.epoch += 1
        return super().popitem()

    def clear(self):
        super().clear()
        self.version += 1
        self.epoch += 1


class Cast:
    """The characters of a work and the surface forms that name them."""

    def __init__(self, people: list[Person], alias: dict[str, int]):
        self.people = people
        self.alias = _Aliases(alias)  # casefolded surface form -> person id
        self._found: dict[str, tuple[tuple[int, int, int], ...]] = {}
        self._found_version = -1
        self._found_epoch = -1
        self._found_added = 0
        self._found_by_key: dict[str, list[str]] = {}
        """Alias key -> the texts in `_found` whose lookups tried it: a new alias key drops only those."""
        self._plans: dict[str, tuple[_Mention, ...]] = {}
        self._lower_names: tuple[int, frozenset[str]] = (-1, frozenset())
        self.tagged: defaultdict[int, Counter[str]] = defaultdict(Counter)
        self._owners: dict[str, set[int]] | None = None
        """How speech tags name each character (`said Quennell`): the form a reader sees as the speaker."""
        self.second_person = False
        """The work is told to "you" (a reader insert): `You roll your eyes.` is a beat of its point-of-view character."""
        self.named_later: dict[tuple[int, str], int] = {}
        """(scene, stranger epithet) -> the character who later gave their name (`the stranger` ... "Jonah.")."""
        self.lower_words: frozenset[str] = frozenset()
        """Words the text writes in lower case at least as often as capitalised (`fire`): a capitalised one only
        opens a sentence (`Fire rolled out`), but not `ruth says` once beside `Ruth` twice."""
        self.epithets: frozenset[str] = frozenset()
        """Capitalised group words used as epithets (`the Slytherin`, `the Auror`), casefolded: a descriptor of a
        named character, not a character of their own."""
        # What attribution learns about the work's descriptors before deciding quotes (set by attribute()).
        self.roles: dict[str, Counter[int]] = {}
        """Role noun -> the characters the text sets it beside (`Hobb the sexton`, `Mr. Abernot, the coroner`)."""
        self.copulas: dict[str, Counter[int]] = {}
        """Role noun -> the characters the text says hold it (`Eugenio's our courier`, `Wren was the apothecary`)."""
        self.answered: dict[str, Counter[int]] = {}
        """Role noun -> whom lines tagged with it answer by name (`"Thank you, Hobbs," ... returned the porter`)."""
        self.looks: dict[str, Counter[int]] = {}
        """Look class (big, blond, tall...) -> the characters the narration describes so (`the big man`)."""
        self.look_scene: dict[tuple[str, int], dict[int, int]] = {}
        """(look class, scene) -> the characters described so in that scene, with the paragraph first saying so."""
        self.scene_of: list[int] = []
        """Paragraph -> its scene (counting chapter starts and scene breaks)."""
        self.speaking_heads: set[str] = set()
        """Descriptor nouns that tag speech somewhere in the work (`said the waiter`)."""
        self.role_speakers: set[str] = set()
        """...of those, the roles tagged speaking twice or more: a role that can be a pronoun's antecedent."""
        self.role_genders: dict[str, str] = {}
        """...of those, the gender the narration gives each role (`The knight rode ahead, because he ...`)."""
        self.newcomer_ids: set[int] = set()
        """Characters made for described newcomers (`an old woman in a pink bathrobe`)."""
        self.newcomer_at: dict[int, int] = {}
        """...and the paragraph that brings each on stage: no line before it is theirs."""
        self.arrivals: set[int] = set()
        """The lines (by id) of someone described coming in, unnamed (`The door opened on a boy of ten.` `he said`)."""
        self.called_first: dict[int, int] = {}
        """Characters the narration never names, only called by name in the lines: the paragraph first calling them."""
        self.over_style: set[int] = set()
        """Characters heard only on the radio: most of their lines end `Over.` (set by radio.call_signs)."""
        self.first_named: dict[int, int] = {}
        """Character -> the paragraph where the text first names them: nobody speaks in a scene before that one."""
        self.kin_callers: dict[str, int] = {}
        """Kin word (`Mum`) -> the character made for a relative heard only on the phone."""
        self.kin_away: dict[int, int] = {}
        """The relative of the last kin call -> its last paragraph: not in the room for a while after."""

    def tag_form(self, pid: int, surface: str) -> None:
        """Record the form a speech tag used for a character."""
        title, toks = split_title(" ".join(surface.split()))
        toks = [_clean_token(t) for t in toks]
        if not toks or not all(t[:1].isupper() for t in toks):
            return
        forms = self.people[pid].forms
        if len(toks) == 1 and any(n > forms[toks[0]] and _slip(toks[0], f) for f, n in forms.items()):
            return  # a slip of the keyboard (`Cassuis says`) is no name to show
        self.tagged[pid][" ".join(([title] if title else []) + toks)] += 1

    def resolve(self, surface: str) -> int | None:
        """The character a name form refers to, or None."""
        key, cleaned = _resolve_keys(surface)
        hit = self.alias.get(key)
        if hit is not None:
            return hit
        return self.alias.get(cleaned)

    def by_surname(self, word: str) -> int | None:
        """The character a bare family name in a speech tag means when it is only ever seen with a title
        ("said Pruett" for Mr. Pruett): a man's title first, as for a bare surname in the narration (a woman is
        rarely called by her surname alone)."""
        best: dict[int, set[int]] = defaultdict(set)
        for title, gender in TITLES.items():
            pid = self.alias.get(f"{title} {word.casefold()}") if title != "the" and gender != "female" else None
            if pid is not None:
                best[2 if gender == "male" else 1].add(pid)
        top = best[max(best)] if best else set()
        return next(iter(top)) if len(top) == 1 else None

    def misspelt(self, word: str, least: int = 1) -> int | None:
        """The one character whose name `word` is a slip of the keyboard for: two letters swapped (`Cassuis` for
        Cassius, `Imgoen` for Imogen) or a letter doubled or undoubled (`Immogen`), in names of five letters or more
        written at least `least` times."""
        title, toks = split_title(word)
        if title in (None, "The"):
            if len(word) < 5 or not word[:1].isupper():
                return None
        elif len(toks) != 1 or len(toks[0]) < 4 or not toks[0][:1].isupper():
            return None
        owners: set[int] = set()
        size = len(word)
        for pid, person in enumerate(self.people):
            for f, n in person.forms.items():
                if n < least:
                    continue
                if title in (None, "The"):
                    # (`_slip` needs lengths at most one apart: test that before the call.)
                    if any(-2 < len(t) - size < 2 and _slip(word, t) for t in split_title(f)[1]):
                        owners.add(pid)
                    continue
                # "Mrs. Pettigrew" once among a dozen "Mrs. Pettigrews": the same title, an `s` more or less
                ft, fw = split_title(f)
                if (ft not in (None, "The") and _same_title(ft) == _same_title(title) and len(fw) == 1
                        and (_slip(toks[0], fw[0]) or fw[0] == toks[0] + "s" or toks[0] == fw[0] + "s")):
                    owners.add(pid)
        return owners.pop() if len(owners) == 1 else None

    def add(self, surface: str) -> int:
        """A new character named only in a speech tag (`said Tom`), or the existing one with that form."""
        surface = " ".join(surface.split())
        key = _key(surface)
        if key in self.alias:
            return self.alias[key]
        title, tokens = split_title(surface)
        bare = self.alias.get(title.rstrip(".").lower()) if title and title != "The" else None
        if bare is not None and all(not split_title(f)[0] and f.lower() == title.rstrip(".").lower()
                                    for f in self.people[bare].forms):
            # "Coach" all along, and now "said Coach Tibbs": one person, who finally gets a name.
            self.people[bare].forms[surface] += 1
            self.alias[key] = bare
            self._owners = None
            return bare
        if not title and len(tokens) == 2 and self.alias.get(_key(tokens[1])) is None:
            given = self.alias.get(_key(tokens[0]))
            if given is not None and self.people[given].forms and all(
                    split_title(f) == (None, [tokens[0]]) for f in self.people[given].forms):
                # "Otis" all along, and now "said Otis Field": his family name, not a second Otis.
                self.people[given].forms[surface] += 1
                self.alias[key] = given
                self._owners = None
                return given
        if not title and len(tokens) == 1 and tokens[0].lower() in TITLES and tokens[0].lower() != "the":
            holders = {pid for pid, person in enumerate(self.people) for f in person.forms
                       if (split_title(f)[0] or "").rstrip(".").lower() == tokens[0].lower()}
            if len(holders) == 1:
                # "said Coach", and the only one titled so is "Coach Brannigan".
                pid = holders.pop()
                self.people[pid].forms[surface] += 1
                self.alias[key] = pid
                self._owners = None
                return pid
        if title and title != "The" and len(tokens) == 1 and re.fullmatch(r"[A-Z]\.?", tokens[0]):
            # "Mrs. K" for Mrs. Kowalczyk: the one character with that title and a family name of that initial.
            owners = {
                p for p, person in enumerate(self.people) for f in person.forms
                if (t := split_title(f))[0] not in (None, "The") and _same_title(t[0]) == _same_title(title)
                and len(t[1][-1]) > 1 and t[1][-1].startswith(tokens[0][0])
            }
            if len(owners) == 1:
                (pid,) = owners
                self.alias[key] = pid
                return pid
        pid = len(self.people)
        person = Person(forms=Counter({surface: 1}))
        if title_gender(title):
            person.gender_votes[title_gender(title)] += 5
        elif not title and tokens and _KIN_CALL_GENDER.get(tokens[0].lower()):
            person.gender_votes[_KIN_CALL_GENDER[tokens[0].lower()]] += 5  # `Mom said`
        self.people.append(person)
        self.alias[key] = pid
        self._owners = None
        return pid

    def gender(self, pid: int) -> str | None:
        return self.people[pid].gender

    def name(self, pid: int) -> str:
        person = self.people[pid]
        tagged = self.tagged.get(pid)
        if person.hinted or person.full or not tagged:
            return person.name
        form, n = max(tagged.items(), key=lambda kv: (kv[1], len(kv[0])))
        if n < 2:
            return person.name
        # The tag's form, completed to the full name it abbreviates: "said Quennell" -> "Evander Quennell".
        # Only a bare surname is completed; a first name ("Marit") is already how the book names her.
        title, words = split_title(form)
        if title in (None, "The") and len(words) == 1 and words[0].lower() in TITLES or len(words[-1]) == 1:
            return person.name  # "said the Major" -> "Major Brannock"; "said Mrs. K" -> "Mrs. Kowalczyk"
        if title not in (None, "The"):
            return _in_full(person.forms, form)
        full = [] if title or len(words) != 1 else [
            f for f in person.forms
            if not split_title(f)[0] and len(f.split()) >= 2 and f.split()[-1] == words[0] and person.forms[f] >= 2
        ]
        if not full and not title and len(words) == 1:
            # A first name is completed only when the family name is this character's alone:
            # "Nils" -> "Nils Hagen", but "Marit" stays (Sigrid and Mrs. Aalto share the surname).
            full = [
                f for f in person.forms
                if not split_title(f)[0] and len(f.split()) == 2 and f.split()[0] == words[0]
                and person.forms[f] >= 2 and self._surname_owners().get(f.split()[-1]) == {pid}
            ]
        if not full and not title and len(words) == 1:
            # A bare family name with no full name known takes the character's own title when the book names
            # them so about as often ("said Grisewood" -> "Mr. Grisewood"; a plain "Fenn" stays).
            full = [
                f for f in person.forms
                if (split_title(f)[0] or "The") != "The" and split_title(f)[1] == words
                and person.forms[f] >= max(3, person.forms[form] // 2) and self.alias.get(_key(f)) == pid
            ]
        return max(full, key=lambda f: (person.forms[f], len(f))) if full else form

    def _surname_owners(self) -> dict[str, set[int]]:
        if self._owners is None:
            owners: defaultdict[str, set[int]] = defaultdict(set)
            for pid, person in enumerate(self.people):
                for f in person.forms:
                    toks = split_title(f)[1]
                    if toks and (len(toks) >= 2 or split_title(f)[0]):
                        owners[toks[-1]].add(pid)
            self._owners = dict(owners)
        return self._owners

    def lower_names(self) -> frozenset[str]:
        """The aliases that are one word of three lowercase letters or more (`emma`): what `resolve` finds for a
        lowercase word capitalised (`Emma`)."""
        if self._lower_names[0] != self.alias.version:
            self._lower_names = (self.alias.version, frozenset(k for k in self.alias if _LOWER_RUN.fullmatch(k)))
        return self._lower_names[1]

    def find(self, text: str) -> tuple[tuple[int, int, int], ...]:
        """Character mentions in a text: (start, end, person id). The tuple is the one kept for the text: shared,
        never to be changed (a caller wanting a list to change makes its own)."""
        if self._found_version != self.alias.version:
            self._sync_found()
        found = self._found.get(text)
        return found if found is not None else self._find_new(text)

    def _sync_found(self) -> None:
        """Bring `find`'s results up to the alias table's changes since they were found."""
        alias = self.alias
        if self._found_epoch != alias.epoch:
            self._found.clear()
            self._found_by_key.clear()
            self._found_epoch = alias.epoch
        else:
            # New keys only: a text whose lookups never tried one finds the same mentions as before.
            by_key, found = self._found_by_key, self._found
            for key in alias.added[self._found_added :]:
                for t in by_key.pop(key, ()):
                    found.pop(t, None)
        self._found_added = len(alias.added)
        self._found_version = alias.version

    def _find_new(self, text: str) -> tuple[tuple[int, int, int], ...]:
        """`find` for a text not found since the last change that concerns it: kept, under the keys it tried."""
        tried: list[tuple[str, str]] = []
        found = self._found[text] = tuple(self._find(text, tried))
        by_key = self._found_by_key
        for keys in tried:
            for key in keys:
                texts = by_key.get(key)
                if texts is None:
                    by_key[key] = [text]
                else:
                    texts.append(text)
        return found

    def _find(self, text: str, tried: list[tuple[str, str]] | None = None) -> list[tuple[int, int, int]]:
        """`find` without the cache; `tried` collects the alias keys looked up."""
        out = []
        plans = self._plans.get(text)
        if plans is None:
            plans = self._plans[text] = _mention_plans(text)
        get = self.alias.get  # (`_lookup`, inlined here)
        for start, end, keys, surface in plans:
            pid = get(keys[0])
            if pid is None:
                pid = get(keys[1])
            if tried is not None:
                tried.append(keys)
            if pid is not None:
                out.append((start, end, pid))
                continue
            if surface is None:
                continue  # one word: no shorter run
            # Try sub-runs: "Then Tilda" -> "Tilda", "Tilda Bryony" -> both.
            runs = _sub_runs(surface)
            i = 0
            while i < len(runs):
                for sub_start, sub_end, j, sub_keys in runs[i]:
                    pid = self._lookup(sub_keys)
                    if tried is not None:
                        tried.append(sub_keys)
                    if pid is not None:
                        out.append((start + sub_start, start + sub_end, pid))
                        i = j - 1
                        break
                i += 1
        return out

    def _lookup(self, keys: tuple[str, str]) -> int | None:
        """`resolve` for a name form's precomputed alias keys."""
        hit = self.alias.get(keys[0])
        return hit if hit is not None else self.alias.get(keys[1])


_Run = tuple[int, int, int, tuple[str, str]]
"""A run of a mention's words: start and end in the mention, the index after its last word, its alias keys."""
_Mention = tuple[int, int, tuple[str, str], str | None]
"""A capitalised run in a text: start, end, alias keys, and the run itself when it has several words."""


def _mention_plans(text: str) -> tuple[_Mention, ...]:
    """The capitalised runs of a text and the alias keys `Cast.find` tries for each: they depend on the text
    alone, so a Cast computes them once per text however often its aliases change."""
    plans = []
    search = _MENTION_AT.search
    pos = 0
    while (m := search(text, pos)) is not None:
        start, pos = m.span(1)
        plans.append((start, pos, *_surface_plan(m.group(1))))
    return tuple(plans)


@lru_cache(maxsize=1 << 16)
def _surface_plan(s: str) -> tuple[tuple[str, str], str | None]:
    """A capitalised run's alias keys, and the run itself when it has several words (`_Mention`'s last two): the
    same wherever the run stands, so worked out once per run."""
    return _resolve_keys(s), None if len(s.split(maxsplit=1)) == 1 else s


_MENTION_SCAN = re.compile(r"\W(" + MENTION.pattern.removeprefix(r"\b") + ")")
"""`MENTION` as the non-word character before it and the mention (group 1), scanned in the text after a space: the
same matches, but the scan starts with a character class, which the regex engine skips to quickly."""
_MENTION_AT = re.compile(r"[A-Ztdlv](?<=(?<!\w)(?=(" + MENTION.pattern.removeprefix(r"\b") + r"))[A-Ztdlv])")
"""The next `MENTION` (group 1) from where a search starts, found on its first character (a capital, or the `t`, `d`,
`l`, `v` of `the` or a particle), which the scan skips to: fewer stops than at every non-word character. The match
itself is that one character; searching on from the mention's end gives `MENTION.finditer`'s matches."""


@lru_cache(maxsize=1 << 14)
def _sub_runs(s: str) -> tuple[tuple[_Run, ...], ...]:
    """The shorter runs of a mention of several words, per first word, longest first (offsets in the mention).
    Only needed when the whole run names no one, and the same for every text it stands in: built once, then."""
    words = [(w.start(), w.end()) for w in _NONSPACE.finditer(s)]
    return tuple(
        tuple(
            (words[i][0], words[j - 1][1], j, _resolve_keys(s[words[i][0] : words[j - 1][1]]))
            for j in range(len(words), i, -1)
            if (i, j) != (0, len(words))  # the whole run, tried first already
        )
        for i in range(len(words))
    )


def _slip(a: str, b: str) -> bool:
    """`a` is `b` with two neighbouring letters swapped, or one letter doubled or undoubled."""
    if a == b or len(b) < 5:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    if len(long) != len(short) + 1:
        return False
    i = next((k for k in range(len(short)) if short[k] != long[k]), len(short))
    return i > 0 and long[i] == long[i - 1] and short == long[:i] + long[i + 1:]


def discover(paragraphs: Sequence[str], hints: Mapping[str, Sequence[str]] | None = None,
             tagged: Sequence[str] = (), marks: frozenset[str] | None = None) -> Cast:
    """Find characters: capitalised words that are rarely lowercase, with titles, clustered by shared names.

    `hints` are known characters (voices.yaml: canonical name -> aliases), each a character whether the text names
    them or not. `tagged` are the full names a work's tags give (AO3 `Characters:`): no character of their own, but
    the names the text does write join them ("Sam" and "Whitlock" are "Sam Whitlock")."""
    text = _joined(paragraphs)
    clean = _clean_token
    words = Counter(_WORD.findall(text))
    lower: Counter[str] = Counter({w: n for w, n in words.items() if w[0].islower()})
    if ":" in text:
        # A text message's lowercase handle (`dom: u up?`) is the name as a phone writes it, not a common word.
        lower -= Counter(_HANDLE.findall(text))
    cap_all: Counter[str] = Counter()
    for w, n in words.items():
        if not w[0].islower():
            cap_all[clean(w)] += n
    # A capitalised word opening a paragraph or following a sentence end is not evidence of a name.
    starts: Counter[str] = Counter(clean(w) for w in _FIRST_CAP.findall(text))
    para_starts = +starts
    enders: list[tuple[str, str]] = []
    actors: list[tuple[str, str]] = []
    for a, a_next, e, e_next in _ENDER_OR_ACTOR.findall(text):
        if a:
            actors.append((a, a_next))
        else:
            enders.append((e, e_next))
    for (w, nxt), n in Counter(enders).items():
        if w.lower() not in TITLES and len(w) > 1:
            starts[clean(nxt)] += n
    cap_mid: Counter[str] = cap_all - starts
    # `Your Grace`, `His Lordship`: a word after a capitalised possessive is a form of address, no one's name.
    addressed: Counter[str] = Counter(_ADDRESSED.findall(text))
    # A word written only after a number is a ward, a wing or a flat (`on 4 West`, `at 12 Harrow`), no one's name.
    numbered_after: Counter[str] = Counter(clean(w) for w in _AFTER_NUMBER.findall(text)) if _DIGIT_ANY.search(text) else Counter()
    possessive: Counter[str] = Counter()
    for w, n in words.items():
        if w[0].isupper() and w.endswith(("'s", "\u2019s")):
            possessive[clean(w)] += n
    possessive.update(_BARE_POSSESSIVE.findall(text))
    # Where a word stands after a preposition of place: `Tonight, in Doncaster.`, `the ferry at Westmere`.
    placed: Counter[str] = Counter()
    for m in _AT_PLACE.finditer(text):
        w = m[2]
        if w.endswith(("'s", "\u2019s")):
            continue  # `in Mara's room`: her room's place, not hers
        if m[1] == "at":
            before = text[max(0, m.start() - 20):m.start()].rpartition(" ")[2]
            if (not before.isalpha() or not before.islower() or before in _AT_VERBS or before[:-1] in _AT_VERBS
                    or before.endswith(("ed", "ing"))):
                continue
        placed[clean(w)] += 1
    called: Counter[str] = Counter(clean(w) for w in _CALLED.findall(text))
    honorific: Counter[str] = Counter({
        clean(w): n for w, n in words.items() if "-" in w and w.rpartition("-")[2].lower() in _SUFFIXES})
    """`Yeon-ah`, `Touya-kun`: an address suffix marks a name wherever it stands."""
    actor: Counter[str] = Counter()
    acted: Counter[str] = Counter()
    for (w, nxt), n in Counter(actors).items():
        if nxt.endswith("ed") or nxt in _PAST:
            actor[clean(w)] += n  # "Mara climbed": the subject of an action
            if nxt not in ("was", "had"):
                acted[clean(w)] += n

    # A number said to speak ("said Seven", "Five said") is a name, however often the word is a number.
    # Every match of a `_SAYS` pattern has a speech verb in it and none crosses a paragraph: these passes read
    # only the paragraphs with one (each still after a NUL, so the matches are the same).
    saying = [p for p in paragraphs if _says_any(p)]
    says_text = _joined(saying)
    numbered = {w for w, n in Counter(a or b for a, b in _NUMBER_SAYS.findall(
        _joined([p for p in saying if _NUMBERS_ANY.search(p)]))).items() if n >= 2}
    numbered |= {w for w, n in Counter(a or b for a, b in _WORD_NAME_SAYS.findall(
        _joined([p for p in saying if _WORD_NAMES in p]))).items() if n >= 2}

    @cache
    def namelike(tok: str) -> bool:
        t = clean(tok)
        if t in numbered or t in _MONTH_NAMES and acted[t] >= 2 and in_run[t]:
            return True
        if numbered_after[t] and numbered_after[t] >= cap_all[t] or 2 * addressed[t] >= cap_all[t] > 0 or t.endswith("shire"):
            return False  # (nor a shire: `Hertfordshire`)
        if len(t) < 2 or t.lower().replace("\u2019", "'") in _NOT_NAMES or _CONTRACTION.search(t) or not t[0].isupper() or t.isupper() and len(t) > 3:
            return False
        if cap_all[t] < 2 and not actor[t] and not introduced[t] and t not in honoured:
            return False  # a word capitalised once is a name only as the subject of an action (or after `Mrs.`)
        if cap_all[t] < 2 and not acted[t] and starts[t] and not in_run[t]:
            return False  # ...not `was` or `had` alone at a sentence start (`Dinner was hot dogs.`, `Pain had ...`)
        if (cap_all[t] == 1 and starts[t] and not para_starts[t] and acted[t] and not possessive[t] and not called[t]
                and not in_run[t] and not introduced[t] and _bridged(text, t)):
            return False  # a thing between two sentences of one `He`: `He lifted the bonnet. Steam came out. He shut it.`
        if (placed[t] and 2 * placed[t] >= cap_mid[t] and not t.endswith(_TONGUE_ENDS) and not acted[t] and not possessive[t]
                and called[t] < placed[t] and not listed[t] and not honorific[t] and not speaks(t)):
            return False  # a place: written after `in` or `the ferry at`, never acting, owning or speaking
        low = lower[t.lower()]
        if (not cap_mid[t] and not actor[t] and not possessive[t] and not in_run[t] and called[t] < 2 and not honorific[t]
                and not listed[t]):
            # Only ever capitalised where any word is ("Passable." "Mostly." "Whoa," "Readings are flat"):
            # a name shows itself elsewhere too, mid-sentence, as a subject, or owning something.
            return False
        # A stray lowercase use ("*nell* u up?" in a text message) does not unmake a name written 3+ times.
        return (cap_mid[t] >= 1 and low * 4 <= cap_mid[t]) or low == 0 or (low == 1 and cap_all[t] >= 3 and cap_mid[t] >= 1)

    tag_runs = {(clean(a or c), clean(b or d)) for a, b, c, d in _TAG_RUN.findall(says_text)}
    mentions = Counter(_MENTION_SCAN.findall(" " + text))  # = MENTION.findall(text), scanned faster
    # Words of places and groups: "High Fell Farm", "The Astronomy Club", "Minamidai High", "The Keepers".
    place: Counter[str] = Counter()
    # ...and the words of runs of several capitalised words (`Tova Reyes`) that name no place or group.
    in_run: Counter[str] = Counter()
    for mention, n in mentions.items():
        title, tokens = _split_title(mention)
        cleaned = [clean(t) for t in tokens]
        if _place_or_group(title, cleaned):
            for t in cleaned:
                place[t] += n if len(tokens) > 1 or not title else cap_all[t]
        elif not title and len(tokens) >= 2:
            for t in cleaned:
                in_run[t] += n

    # A word after `Mr.`, `Mrs.`, `Ms.` or `Dr.` called to someone is a family name, however seldom written: `I'm
    # sorry, Mr. Pruitt.` (called once by the shop's owner) names the customer who just came in.
    honoured = {clean(m[1]) for m in _HONOURED.finditer(text)} if "Mr" in text or "Ms" in text or "Mx" in text or "Dr" in text else set()

    # A full name opening a paragraph that holds speech introduces its speaker, however rarely the story names
    # her: `Wren Hale, who had not been asked, put her cup down. "It was me."`.
    introduced: Counter[str] = Counter()
    for p in paragraphs:
        if p[:1].isupper() and ("\u201c" in p or '"' in p or "\u2018" in p):
            m = MENTION.match(p)
            if m:
                title, tokens = split_title(m.group())
                if not title and len(tokens) == 2 and not _place_or_group(title, [clean(t) for t in tokens]):
                    for t in tokens:
                        introduced[clean(t)] += 1

    def evident(t: str) -> bool:
        """A name by the evidence `namelike` takes from where a word stands, lists aside."""
        return (len(t) > 1 and t.lower() not in _NOT_NAMES and not _CONTRACTION.search(t)
                and bool(cap_mid[t] or actor[t] or possessive[t] or in_run[t] or called[t] >= 2 or honorific[t]))

    # A word listed with names in the narration is one too: `Gwen, Otto and Lark sat`, `Bea and Cato` (not an
    # opening word before a list: `Together, Mara and Jun`, `Slowly, Mara and Jun`).
    listed: Counter[str] = Counter()
    narration = _NARRATION_QUOTE.sub(" ", text) if '"' in text or "\u201c" in text else text
    for m in _LIST.finditer(narration):
        members = [clean(m[1]), *(clean(w) for w in m[2].split(", ")[1:]), clean(m[4])]
        for i, t in enumerate(members):
            low = t.lower()
            if low.endswith(("ly", "ing")) or low in _OPENERS:
                continue
            if all(evident(o) for j, o in enumerate(members) if j != i):
                listed[t] += 1

    # Family names: words written after a title that goes before one (`Mr Holt`, `Captain Reyes`).
    family = {clean(toks[0]) for mention in mentions for title, toks in [_split_title(mention)]
              if title and len(toks) == 1 and title.rstrip(".").lower() not in _GIVEN_TITLES and title != "The"}

    # A family name that is also a common word (`Harvey Stone`, `Nell Baker`): lowercase elsewhere, yet written
    # capitalised mid-sentence only right after a given name the story also uses alone, the pair twice or more.
    @cache
    def speaks(a: str) -> bool:
        """`a` alone is the subject of a speech tag (`said Harvey`, `Harvey asked`): a person, not a place."""
        # Every match holds `a` itself and stays in one paragraph: only the paragraphs that hold `a` are searched
        # (each still after its NUL, so the matches are the same).
        own = says_text
        if a:
            held = []
            i = says_text.find(a)
            while i >= 0:
                start = says_text.rfind("\x00", 0, i)
                end = says_text.find("\x00", i)
                if end < 0:
                    end = len(says_text)
                held.append(says_text[start:end])
                i = says_text.find(a, end)
            if not held:
                return False
            own = "".join(held)
        name = re.escape(a)
        if not (a[:1].isalnum() or a[:1] == "_"):
            return re.search(rf"\b(?:{_SAYS}) {name}\b|\b{name} (?:{_SAYS})\b", own) is not None
        # The same two patterns apart, each opening on plain characters (the name; a speech verb's first letter),
        # their word starts looked back at after them: the scans skip ahead instead of trying every position.
        return (re.search(rf"{name}(?<!\w{name}) (?:{_SAYS})\b", own) is not None
                or re.search(rf"{_SAYS_STARTING} {name}\b", own) is not None)

    after_given: Counter[str] = Counter()
    for mention, n in mentions.items():
        if " " in mention:
            title, tokens = _split_title(mention)
            if not title and len(tokens) == 2:
                a, t = clean(tokens[0]), clean(tokens[1])
                if cap_all[a] > n and acted[a] and not place[a] and namelike(a) and not namelike(t) and speaks(a):
                    after_given[t] += n
    run_surnames = {t for t, n in after_given.items()
                    if n >= 2 and n >= cap_mid[t] and len(t) > 1 and not t.isupper() and t.isalpha()
                    and t.lower() not in _NOT_NAMES and not place[t] and not addressed[t] and not numbered_after[t]}

    # The first two words of each paragraph: `Tobiah Quill had flown the boat for years.` opens on a full name.
    # (the family name as the mentions hold it: `Tobiah Quill's boat`, `Tobiah Quill, soaked,`)
    opening = {(w[0], clean(w[1].rstrip(",.;:!?"))) for p in paragraphs if p[:1].isupper()
               for w in (p[:60].split(" ", 2),) if len(w) >= 2}

    def first_once(t: str, title: str | None, last: str) -> bool:
        """A word capitalised this once, before a family name, after a title of rank or trade, as the subject of a
        speech tag or before a word the story writes as a family name: a first name written once (`Captain Ines
        Reyes came down`, `Tova Reyes said`, `Aldous Penhallow` beside `Mr. Penhallow`; not `Both Reyes`); or
        opening a paragraph before a name the story often writes alone (`Tobiah Quill had flown the boat` among
        many a `Quill`: later `Tobi` is his)."""
        return (cap_all[t] == 1 and (title not in (None, "The") and title_gender(title) is None or (t, last) in tag_runs
                                     or title is None and (last in family or cap_mid[last] >= 4 and namelike(last)
                                                           and (t, last) in opening)
                                     and t.isalpha() and t.lower() not in TITLES)
                and len(t) > 1
                and not lower[t.lower()] and not place[t] and t.lower() not in _NOT_NAMES and not _CONTRACTION.search(t)
                and t[0].isupper() and not t.isupper())

    def last_once(t: str) -> bool:
        """A family name written this once, after a title of rank or trade and a given name (`Doctor Sunniva Amsel
        is pinning`): the full name's end, not a new word."""
        return (cap_all[t] == 1 and len(t) > 1 and t.isalpha() and not t.isupper() and t[0].isupper()
                and not lower[t.lower()] and not place[t] and t.lower() not in _NOT_NAMES and t.lower() not in TITLES)

    def forms_of(mention: str) -> list[str]:
        title, tokens = split_title(mention)
        cleaned = [clean(t) for t in tokens]
        if _place_or_group(title, cleaned):
            return []
        if not title and cleaned and all(2 * place[t] >= cap_all[t] > 0 for t in cleaned):
            return []  # "at High Fell" after "High Fell Farm"; "Keepers" after "The Keepers"
        if title == "The":
            cleaned = [clean(t) for t in tokens]
            if all(t[:1].isupper() for t in cleaned) and any(cap_mid[t] >= 2 and t.lower() not in _NOT_NAMES for t in cleaned):
                return ["The " + " ".join(cleaned)]
            title = None
        out: list[str] = []
        run: list[str] = []
        for i, tok in enumerate(tokens + [""]):
            ct = clean(tok)
            if tok and (namelike(ct.rpartition(" ")[2]) or run and ct in run_surnames or i == len(tokens) - 2 and i <= 1 and first_once(ct, title, clean(tokens[-1]))
                        and namelike(clean(tokens[-1])) and (i == 0 or namelike(clean(tokens[0])))
                        or i == len(tokens) - 1 and run and title not in (None, "The") and title_gender(title) is None
                        and last_once(ct)):
                # (also a middle name written once: `Gary Alan Holt` beside `Gary` and `Mr Holt`)
                run.append(ct)
                continue
            if run:
                out.append(" ".join(([title] if title else []) + run))
                run = []
            title = None
        return out

    # Each distinct mention once, in order of first appearance: the same forms, counts and order as one pass.
    forms: Counter[str] = Counter()
    for mention, n in mentions.items():
        for f in forms_of(mention):
            forms[f] += n
    from castbook.attribution.tags import VERBS  # (tags builds on this module)

    epithets = _group_epithets(forms, lower)
    if epithets:  # only those that speak or act: `the Slytherin drawled`, `drawled the Slytherin`
        acts = _the_actors(text, {f.split()[1] for f in epithets}, VERBS)
        epithets = [f for f in epithets if f.split()[1] in acts]
    # Names seen with an address suffix (`Neul-ah`): a Korean nickname may be the given name's last syllable.
    suffixed = {
        clean(w) for w in words if "-" in w and w[0].isupper() and w.rpartition("-")[2].lower() in _SUFFIXES
    }
    cast = _cluster(forms, paragraphs, hints or {}, suffixed, tagged, text, narration, lower, marks)
    if " of " in text:
        _merge_peers(cast, text)
    cast.epithets = frozenset(f.split()[1].casefold() for f in epithets)
    if " the " in narration:
        _merge_epithet_of_two(cast, paragraphs, text, marks)
    _called_short(cast, text, lower)
    # (`Counter.get`: most lowercase words are never capitalised, and `[]` on a missing key costs a `__missing__` call.)
    all_get, mid_get = cap_all.get, cap_mid.get
    cast.lower_words = frozenset(w for w, n in lower.items() for cap in (w.capitalize(),)
                                 if n >= all_get(cap, 0) and not mid_get(cap, 0) and w not in _FAMILY_CALLS)
    return cast


_HONOURED = re.compile(r"(?:,|S(?<!\wS)orry)\s+(?:Mr|Mrs|Ms|Mx|Dr)\.?\s+([A-Z][a-z]+(?:['\u2019][A-Z][a-z]+)?)(?=[.!?,]|\s*[\"\u201d])")
"""A personal title and the one word after it, called to someone in a line (`I'm sorry, Mrs. Hadley.`): a family name.
(`Sorry` after a non-word character, its `S` first and the look back after it: both alternatives open on a plain
character, so the scan skips to commas and `S`s.)"""


_CALLED_SHORT = re.compile(r",\s+([A-Z][a-z]{2,4})(?=[.!?][\"\u201d\u2019'])")
"""`"..., yes, we know, Tobi."`: a short word called to someone at the end of a line."""


def _called_short(cast: Cast, text: str, lower: Counter[str]) -> None:
    """`Tobi` called to someone, where `Tobiah Quill` is the only character whose given name begins so (and the word
    is never written in lower case, nor is it anyone's name already): his short name, not someone new."""
    firsts: defaultdict[str, set[int]] = defaultdict(set)
    for pid, person in enumerate(cast.people):
        for f in person.forms:
            title, toks = split_title(f)
            if toks and title in (None, "The") and len(toks[0]) >= 5:
                firsts[toks[0]].add(pid)
    if not firsts:
        return
    for w in dict.fromkeys(m.group(1) for m in _CALLED_SHORT.finditer(text)):
        if cast.resolve(w) is not None or lower[w.lower()] or w.lower() in TITLES or w.lower() in _NOT_NAMES:
            continue
        owners = {pid for first, pids in firsts.items() if first.startswith(w) and len(first) >= len(w) + 2 for pid in pids}
        if len(owners) == 1:
            pid = owners.pop()
            cast.people[pid].forms[w] += 1
            cast.alias[_key(w)] = pid
            cast._owners = None


_PEER = re.compile(r"[Tt](?<!\w[Tt])he (Duke|Duchess|Earl|Countess|Marquess|Marquis|Marchioness|Viscount|Viscountess|Baron|Baroness)"
                   r" of ([A-Z][\w'\u2019\-]*)")
"""`the Duke of Ashworth`: a peer, called by the title (`the Duke`) or by the name of the peerage (`Ashworth`).
(`\\b[Tt]he`, with the letter first and the look back after it: the scan only stops at `T` and `t`.)"""


def _merge_peers(cast: Cast, text: str) -> None:
    """`the Duke` and `Ashworth` are one man when the text writes `the Duke of Ashworth` (and no other duke)."""
    peerages: defaultdict[str, set[str]] = defaultdict(set)
    for title, place in _PEER.findall(text):
        peerages[title.lower()].add(_clean_token(place))
    for title, places in peerages.items():
        if len(places) != 1:
            continue
        (place,) = places
        pid, tgt = cast.alias.get(f"the {title}"), cast.alias.get(place.casefold())
        if pid is None or tgt is None or pid == tgt or cast.people[pid].hinted or cast.people[tgt].hinted:
            continue
        if all(_split_title(f) == ("The", (title.capitalize(),)) for f in cast.people[pid].forms) and all(
                _split_title(f)[1][-1] == place for f in cast.people[tgt].forms):
            _merge_if_one(cast, pid, {tgt})


def _the_actors(text: str, heads: set[str], verbs: frozenset[str] | set[str]) -> set[str]:
    """The heads (`Slytherin`) that speak or act after `the`: `the Slytherin drawled`, `drawled the Slytherin,`."""
    found = set()
    # (`\b[Tt]he`, with the letter first and the look back after it: the scan only stops at `T` and `t`.)
    for m in re.finditer(r"([Tt])(?<!\w[Tt])he (" + "|".join(map(re.escape, sorted(heads))) + r")\b", text):
        nxt = _NEXT_WORD.match(text, m.end())
        if nxt and nxt[1] in verbs:
            found.add(m[2])
        elif m[1] == "t" and _SPEAKER_END.match(text, m.end()):
            prev = _PREV_WORD_END.search(text, max(0, m.start() - 40), m.start())
            if prev and prev[1] in verbs:
                found.add(m[2])
    return found


_SPEAKER_END = re.compile(r"[,.;:!?\u2014]| [a-z]+ly\b")
_PREV_WORD_END = re.compile(r"\b([a-z]+) \Z")
_EPITHET_MOST = 12
_EPITHET_SHARE = 3
_THE_NAMED = 0.25


def _group_epithets(forms: Counter[str], lower: Counter[str]) -> list[str]:
    """`The Slytherin`, `The Auror`, `The Vaari`: a capitalised group word after `the` in a work whose people have
    names is an epithet for one of them, not a character. Kept as characters: titles (`The Major`), words also
    written in lowercase (`The Queen` beside `a queen`) or in other names (`The Margrave Ulrich`), forms as frequent
    as the names, and every `The` form
    in a work whose characters are mostly called so (`The Otter`, `The Weaver`)."""
    top = forms.most_common(10)
    total = sum(n for _, n in top)
    if not total or sum(n for f, n in top if f.startswith("The ")) > _THE_NAMED * total:
        return []
    named = max((n for f, n in forms.items() if not f.startswith("The ")), default=0)
    parts = Counter(w for f in forms for w in f.split())
    out = []
    for f, n in forms.items():
        words = f.split()
        if len(words) != 2 or words[0] != "The" or n > _EPITHET_MOST or n * _EPITHET_SHARE > named:
            continue
        w = words[1]
        low = w.casefold()
        if low in TITLES or lower[low] or parts[w] > 1 or not w[1:].islower():
            continue
        out.append(f)
    return out


def _joined(paragraphs: Sequence[str]) -> str:
    """The paragraphs as one text for whole-text regex passes, each after a NUL, which no pattern here crosses.

    A NUL inside a paragraph becomes \\x01: to every pattern here both are the same kind of character.
    """
    return "".join("\x00" + (p.replace("\x00", "\x01") if "\x00" in p else p) for p in paragraphs)


def _key(form: str) -> str:
    return " ".join(form.replace(".", " ").split()).casefold()


@lru_cache(maxsize=1 << 16)
def _resolve_keys(surface: str) -> tuple[str, str]:
    """The alias keys `Cast.resolve` tries for a name form: as written, then with title and cleaned words."""
    title, tokens = _split_title(surface)
    cleaned = [_clean_token(t) for t in tokens]
    return _key(surface), _key(" ".join(([title] if title else []) + cleaned))


def _cluster(
    forms: Counter[str], paragraphs: Sequence[str], hints: Mapping[str, Sequence[str]], suffixed: frozenset[str] | set[str] = frozenset(),
    tagged: Sequence[str] = (), text: str = "", narration: str = "", lower: Mapping[str, int] = {},
    marks: frozenset[str] | None = None,
) -> Cast:
    people: list[Person] = []
    alias: dict[str, int] = {}
    for canonical, aliases in hints.items():
        pid = len(people)
        people.append(Person(hinted=canonical))
        for a in (canonical, *aliases):
            alias[_key(a)] = pid
    parsed = {f: split_title(f) for f in forms}
    # Ordered (first appearance), not sets: ties between forms must not depend on string hashing.
    by_first: defaultdict[str, dict[str, None]] = defaultdict(dict)
    by_last: defaultdict[str, dict[str, None]] = defaultdict(dict)
    honoured: list[tuple[str, str]] = []
    for f, (title, toks) in parsed.items():
        if len(toks) >= 2 and not title and _POSTPOSED.get(toks[-1].lower()):
            # `Rashid Begum` is Rashid's wife as often as Rashid herself: the bare name joins her after the pronoun
            # votes, unless its gender is the other one (`_merge_honoured`).
            honoured.append((toks[0], f))
            by_last[toks[-1]][f] = None
        elif len(toks) >= 2:
            by_first[toks[0]][f] = None
            by_last[toks[-1]][f] = None
        elif title:
            by_last[toks[0]][f] = None
    # voices.yaml wins: a tagged name any of whose names it already places is left to it
    tags = {n: t for n, t in _tag_names(tagged).items() if not any(_key(w) in alias for w in (n, t[0], t[-1]))}
    firsts = Counter(toks[0] for toks in tags.values())
    lasts = Counter(toks[-1] for toks in tags.values())
    for name, toks in tags.items():
        # A tagged full name stands beside the text's own full names, where its first or last name is its alone.
        parsed.setdefault(name, (None, toks))
        if firsts[toks[0]] == 1:
            by_first[toks[0]].setdefault(name)
        if lasts[toks[-1]] == 1:
            by_last[toks[-1]].setdefault(name)

    def owner(f: str) -> int | str | None:
        """Who a full form belongs to: a character, or a tagged name no form has joined yet."""
        pid = alias.get(_key(f))
        return pid if pid is not None or f not in tags else f

    def person_of(who: int | str | None) -> int | None:
        """A tagged name becomes a character when the first form joins it (one the text never writes stays none)."""
        if not isinstance(who, str):
            return who
        pid = alias.get(_key(who))
        if pid is None:
            pid = len(people)
            people.append(Person(full=who))
            alias[_key(who)] = pid
        return pid
    # Full names first, then titled forms ("Mr. Hugh Arkwright" joins Hugh Arkwright), most frequent first;
    # then single names attach to them.
    def group(f: str) -> int:
        title, toks = parsed[f]
        return 2 if len(toks) < 2 and not title else 1 if title and title != "The" and len(toks) >= 2 else 0

    order = sorted(forms, key=lambda f: (group(f), -forms[f]))
    for f in order:
        k = _key(f)
        title, toks = parsed[f]
        pid = alias.get(k)
        if pid is None and len(toks) >= 2 and not title:
            # "Sam Whitlock" as tagged; "Dami Okafor" is the tagged "Damilola Okafor" when no other tag could be.
            pid = person_of(f if f in tags else _tag_for(toks, tags))
        elif pid is None and title and len(toks) >= 2 and title.rstrip(".").lower() != "mrs":
            # Mr. Felix Ainsworth -> Felix Ainsworth; but "Mrs. Hugh Penhallow" is Hugh Penhallow's wife.
            pid = alias.get(_key(" ".join(toks)))
            if pid is None and title != "The" and " ".join(toks) in tags:
                pid = person_of(" ".join(toks))  # "Captain Margo Okafor" is the tagged "Margo Okafor"
            if pid is None and title_gender(title) is None and title != "The" and (
                    short := alias.get(_key(f"{title} {toks[-1]}"))) is not None and all(
                    len(parsed[g][1]) == 1 for g in people[short].forms if g in parsed):
                pid = short  # "Captain Ines Reyes" is the "Captain Reyes" of the story, her first name written once
        elif pid is None and not title and len(toks) == 1:
            tok = toks[0]
            # (`Mrs. Robert Ferrars` is Robert's wife, called by his name: no owner of a bare `Robert`)
            owners = {owner(g) for g in by_first.get(tok, ()) if (parsed[g][0] or "").rstrip(".").lower() != "mrs"} - {None}
            # A word seen far more often after "Mr."/"Mrs." ("Mr. Grisewood") than before another name
            # ("Grisewood Mill") is a family name ("Miss", "Sir", "Monsieur" also go with first names).
            as_first = sum(forms[g] for g in by_first.get(tok, ()))
            as_last = sum(forms[g] for g in by_last.get(tok, ())
                          if (parsed[g][0] or "").rstrip(".").lower() in ("mr", "mrs", "mister"))
            if as_last > 2 * as_first:
                owners = set()
            if len(owners) == 1:
                pid = person_of(owners.pop())
            elif not owners and by_last.get(tok):
                chosen = _surname_owner(by_last[tok], forms, parsed)
                if title_gender(parsed[chosen][0]) == "female" and not isinstance(owner(chosen), str):
                    # Only `Mrs. Okafor` has the name: the bare `Okafor` is hers unless its pronouns make it a
                    # man (her husband), which only the votes tell (`_merge_honoured`).
                    honoured.append((tok, chosen))
                else:
                    pid = person_of(owner(chosen))
            if pid is None and not owners and tags:
                # "Pim" for the tagged "Tobiah Pimentel": the one tagged name a nickname begins.
                pid = person_of(_tag_nickname(tok, tags, parsed))
        if pid is None:
            pid = len(people)
            people.append(Person())
        people[pid].forms[f] += forms[f]
        alias.setdefault(k, pid)
        if title_gender(title):
            people[pid].gender_votes[title_gender(title)] += 5 * forms[f]
        elif not title and len(toks) >= 2 and _POSTPOSED.get(toks[-1].lower()):
            people[pid].gender_votes[_POSTPOSED[toks[-1].lower()]] += 5 * forms[f]
    for pid, person in enumerate(people):
        for f in list(person.forms):
            title, toks = parsed.get(f, (None, []))
            if title and len(toks) >= 2:
                alias.setdefault(_key(f"{title} {toks[-1]}"), pid)
    cast = Cast(people, alias)
    _vote_gender(cast, paragraphs)
    _merge_honoured(cast, honoured)
    _merge_titled(cast, paragraphs)
    _merge_titled_given(cast)
    _merge_title_initials(cast)
    _merge_bare_titles(cast)
    _merge_misspellings(cast)
    _merge_short_forms(cast)
    _merge_long_given(cast)
    _merge_syllable_names(cast, suffixed)
    _merge_self_named(cast, paragraphs)
    _merge_royal_address(cast, paragraphs)
    _merge_ser(cast)
    _merge_answered_rank(cast, paragraphs)
    _merge_declared_rank(cast, paragraphs)
    _merge_answered_name(cast, paragraphs, text, narration, lower, marks)
    _merge_replied_name(cast, paragraphs, text, marks)
    if "oice" in text:
        _merge_called_voice(cast, paragraphs, text, marks)
    return cast


_SELF_NAMED = re.compile(r"[\"“‘]([A-Z][\w'’-]+)\.\s+(?:([A-Z][\w'’-]+)\s+)?([A-Z][\w'’-]+)\.")


def _merge_self_named(cast: Cast, paragraphs: Sequence[str]) -> None:
    """A speaker spelling out their name, `"Ellis. Quinlan."` or `"Quinlan. Ellis Quinlan."`: the given name and the
    family name, each so far a one-word character of its own, are one person (unless the narration names the two
    in one sentence, as two people)."""
    for p in paragraphs:
        for m in _SELF_NAMED.finditer(p):
            first, given, last = m.groups()
            if given is None:
                given = first
            elif first != last:
                continue
            if given == last or given.lower() in TITLES or last.lower() in TITLES:
                continue
            pa, pb = cast.resolve(given), cast.resolve(last)
            if pa is None or pb is None or pa == pb or pa < 0 or pb < 0:
                continue
            a, b = cast.people[pa], cast.people[pb]
            if a.hinted or b.hinted or any(len(split_title(f)[1]) != 1 or split_title(f)[0] for f in (*a.forms, *b.forms)):
                continue
            words = {f for f in (*a.forms, *b.forms)}
            if any(any(f in sentence for f in a.forms) and any(f in sentence for f in b.forms)
                   for q in paragraphs if any(w in q for w in words)
                   for sentence in _SENTENCE_END.split(_QUOTED.sub(" ", q))):
                continue
            _merge_if_one(cast, pb, {pa})


def _merge_honoured(cast: Cast, honoured: Sequence[tuple[str, str]]) -> None:
    """A bare name joins the one name it begins followed by an honorific (`Rashid` joins `Rashid Sahib`), or the one
    woman's title it follows (`Okafor`, `Mrs. Okafor`), unless the pronouns after it give it the other gender
    (`Rashid` said `he`; `Rashid Begum` is his wife; `Okafor` who is `he` is Mrs. Okafor's husband)."""
    for bare, full in honoured:
        pid, tgt = cast.alias.get(_key(bare)), cast.alias.get(_key(full))
        if pid is None or tgt is None or pid == tgt or cast.people[pid].hinted or sum(
                1 for b, _ in honoured if b == bare) != 1:
            continue
        g1, g2 = cast.people[pid].gender, cast.people[tgt].gender
        if not (g1 and g2 and g1 != g2) and all(len(split_title(f)[1]) == 1 for f in cast.people[pid].forms):
            _merge_into(cast, pid, tgt)


def _tag_names(tagged: Sequence[str]) -> dict[str, list[str]]:
    """The tagged names that are full names (two words or more, each capitalised, no title), with their words."""
    out: dict[str, list[str]] = {}
    for name in tagged:
        name = " ".join(name.split())
        title, toks = split_title(name)
        if not title and len(toks) >= 2 and all(t[:1].isupper() and t.replace("-", "").replace("'", "").isalpha()
                                                for t in toks):
            out.setdefault(name, toks)
    return out


def _tag_for(toks: Sequence[str], tags: Mapping[str, Sequence[str]]) -> str | None:
    """The one tagged full name a written full name shortens: same family name, a first name it begins
    ("Dami Okafor" for "Damilola Okafor")."""
    found = [n for n, t in tags.items() if len(t) >= 2 and t[-1] == toks[-1] and t[0].startswith(toks[0])]
    return found[0] if len(found) == 1 else None


def _tag_nickname(tok: str, tags: Mapping[str, Sequence[str]], parsed: Mapping[str, tuple[str | None, Sequence[str]]]
                  ) -> str | None:
    """The one tagged full name whose first or last name a lone name begins ("Pim" for "Tobiah Pimentel"),
    when no other name in the work begins so too."""
    if len(tok) < 2 or any(tok in (t[0], t[-1]) for t in tags.values()):
        return None  # a name two tags share ("Sam" for Sam Whitlock and Sam Okoro) is neither's
    found = [n for n, t in tags.items() if any(len(w) > len(tok) and w.startswith(tok) for w in (t[0], t[-1]))]
    if len(found) != 1:
        return None
    mine = set(tags[found[0]])
    if any(w != tok and w not in mine and w.startswith(tok) for _, t in parsed.values() for w in t):
        return None
    return found[0]


def _merge_misspellings(cast: Cast) -> None:
    """A name written once or twice that is a slip for a name written three times or more (`Cassuis says`
    among a dozen Cassius) is that character."""
    for pid, person in enumerate(cast.people):
        if person.hinted or person.full or len(person.forms) != 1:
            continue
        ((form, n),) = person.forms.items()
        title, toks = split_title(form)
        if n <= 2 and title != "The" and len(toks) == 1:
            tgt = cast.misspelt(form if title else toks[0], least=max(3, 2 * n))
            if tgt is not None and tgt != pid:
                _merge_into(cast, pid, tgt)


def _merge_long_given(cast: Cast) -> None:
    """`Wesley Hart` in a shout and `Wes Hart` in the narration: two full names with the same family name, one given
    name the start of the other (three letters or more), are one character when the short one's forms are written at
    least as often as the long one's (the long one is its full form, kept for a shout), unless their genders disagree."""
    full: defaultdict[str, list[tuple[str, int]]] = defaultdict(list)
    for pid, person in enumerate(cast.people):
        if person.hinted:
            continue
        for f in person.forms:
            title, toks = split_title(f)
            if not title and len(toks) == 2 and len(toks[0]) >= 3:
                full[toks[1]].append((toks[0], pid))
    for pairs in full.values():
        if len({pid for _, pid in pairs}) < 2:
            continue
        for a, pa in pairs:
            for b, pb in pairs:
                if pa == pb or len(a) >= len(b) or not b.startswith(a) or not cast.people[pa].forms or not cast.people[pb].forms:
                    continue
                ga, gb = cast.people[pa].gender, cast.people[pb].gender
                if ga and gb and ga != gb:
                    continue
                if sum(cast.people[pa].forms.values()) < sum(cast.people[pb].forms.values()):
                    continue  # (`Jos` among a great many `Josefina`: a pet name some speakers use, left alone)
                _merge_into(cast, pb, pa)


def _merge_into(cast: Cast, pid: int, tgt: int, votes: bool = True) -> None:
    """Character `pid` is `tgt`: its forms (and gender votes) and aliases move over."""
    cast.people[tgt].forms.update(cast.people[pid].forms)
    if votes:
        cast.people[tgt].gender_votes.update(cast.people[pid].gender_votes)
    cast.people[pid].forms.clear()
    for k, v in cast.alias.items():
        if v == pid:
            cast.alias[k] = tgt


_RANK_WORDS = frozenset("chief doc sarge cap capt skipper skip boss commander captain major sergeant lieutenant lieu "
                        "doctor coach colonel general admiral sheriff marshal".split())
"""Rank words a story may call someone by instead of a name (`Chief`, `Doc`, `Sarge`)."""


def _merge_answered_rank(cast: Cast, paragraphs: Sequence[str]) -> None:
    """A rank word heard only as a vocative (`"Not yet, Chief."`) that no one holds as a title is the one who answers
    it: the speaker the narration names on the reply, one or three paragraphs on (two people taking turns), with only
    bare lines between (`"How hard?"` / `"All of it."` / `Bart Oyelaran grunted. "Four minutes."`). Every such
    answer must name the same character."""
    ranks = {}
    for pid, person in enumerate(cast.people):
        if len(person.forms) == 1 and not person.hinted:
            (form,) = person.forms
            if form.lower() in _RANK_WORDS or form.lower() in _ROYAL_ADDRESS:
                ranks[form] = pid
    if not ranks:
        return
    rx = re.compile(r"\b(" + "|".join(map(re.escape, ranks)) + r")\b")
    votes: dict[int, set[int]] = defaultdict(set)
    bad: set[int] = set()
    for i, p in enumerate(paragraphs):
        if not rx.search(p):
            continue
        narr = _QUOTED.sub(" ", p)
        for m in rx.finditer(narr):
            bad.add(ranks[m.group(1)])  # said in the narration: a title or a role, not only a name said to someone
        here = {ranks[m.group(1)] for m in rx.finditer(p)} - bad
        if not here:
            continue
        speaker_here = {t for _, _, t in cast._find(narr)}
        named = _named_on_answer(cast, paragraphs, i, speaker_here, lambda q: _speech(q, None))
        for r in here if named else ():
            votes[r] |= named
    for r, named in votes.items():
        (form,) = cast.people[r].forms or ("",)
        if form.lower() in _ROYAL_ADDRESS and (g := _address_gender(form, paragraphs)):
            # `His Highness`: no woman who answered a `Highness` is the one so addressed.
            named = {t for t in named if cast.people[t].gender in (g, None)}
        if r in bad or len(named) != 1:
            continue
        (tgt,) = named
        if tgt == r or not cast.people[tgt].forms:
            continue
        g1, g2 = cast.people[r].gender, cast.people[tgt].gender
        if g1 and g2 and g1 != g2:
            continue
        _merge_into(cast, r, tgt)


def _named_on_answer(cast: Cast, paragraphs: Sequence[str], i: int, speaker_here: set[int],
                     speech: Callable[[str], tuple[str, list[str]]]) -> set[int]:
    """The one character the narration names on the answer to a line of paragraph `i` that calls someone: one
    paragraph on, or three with bare lines between; none when that paragraph names more, or the caller's own.
    `speech` splits a paragraph into its narration and its quotations (none: no answer, the talk is over)."""
    for k in (1, 2, 3):
        if i + k >= len(paragraphs):
            break
        narr, quoted = speech(paragraphs[i + k])
        if not quoted:
            break
        named = {t for _, _, t in cast._find(narr)}
        if named:
            return named if k in (1, 3) and len(named) == 1 and not named & speaker_here else set()
    return set()


_ROYAL_ADDRESS = {"highness": ("prince", "princess"), "majesty": ("king", "queen", "emperor", "empress"),
                  "grace": ("duke", "duchess")}
"""How a court addresses its royals (`"Yes, Highness."`, `"Your Majesty."`): the titles each form is owed."""


def _merge_ser(cast: Cast) -> None:
    """`Ser Caspar` (a knight's style, not a title this module knows) is the one `Caspar` of the work."""
    for pid, person in enumerate(cast.people):
        if person.hinted or not person.forms or not all(
                f == "Ser" or f.startswith("Ser ") and len(f.split()) == 2 for f in person.forms):
            continue
        given = {f.split()[1] for f in person.forms if f != "Ser"}
        if len(given) != 1:
            continue
        tgt = cast.resolve(given.pop())
        if tgt is not None and tgt != pid and cast.people[tgt].forms and cast.people[tgt].gender in ("male", None):
            _merge_into(cast, pid, tgt)


def _address_gender(word: str, paragraphs: Sequence[str]) -> str | None:
    """`His Highness` / `Her Majesty` written in the work: the one addressed so is a man / a woman (None when both
    or neither are written)."""
    his = any(f"His {word}" in p for p in paragraphs)
    her = any(f"Her {word}" in p for p in paragraphs)
    return "male" if his and not her else "female" if her and not his else None


def _merge_royal_address(cast: Cast, paragraphs: Sequence[str]) -> None:
    """A royal form of address heard only as a name (`"Not yet, Majesty."`) is the one character who holds a title it
    is owed (`Queen Ysolde`), of the gender `His`/`Her Majesty` gives it."""
    for pid, person in enumerate(cast.people):
        if len(person.forms) != 1 or person.hinted:
            continue
        (form,) = person.forms
        titles = _ROYAL_ADDRESS.get(form.lower())
        if not titles:
            continue
        g = _address_gender(form, paragraphs)
        holders = {t for t, other in enumerate(cast.people) if t != pid and other.forms
                   and any((split_title(f)[0] or "").lower() in titles for f in other.forms)
                   and (g is None or other.gender in (g, None))}
        if len(holders) == 1:
            _merge_into(cast, pid, holders.pop())


_RANK_OF = {"cap": "captain", "capt": "captain", "skipper": "captain", "skip": "captain", "doc": "doctor",
            "sarge": "sergeant", "lieu": "lieutenant"}
_DECLARED_RANK = re.compile(r"(?:^|(?<=[.!?]\s))(He|She)\s+(?:had\s+been|has\s+been|was|is)\s+(?:also\s+|still\s+)?"
                            r"(?:the|their|our)\s+(?:ship['\u2019]s\s+)?(\w+)\b")


def _merge_declared_rank(cast: Cast, paragraphs: Sequence[str]) -> None:
    """A rank word used as a name (`"Sorry, Skipper."`, `Cap`) is the one character the narration says holds the
    rank: `Ilse Varga did not look up. She had been the captain of this ship for nine years.` -- the one named
    character of the pronoun's gender before it in the paragraph. Every such sentence must name the same one."""
    ranks: dict[str, list[int]] = defaultdict(list)
    for pid, person in enumerate(cast.people):
        if len(person.forms) == 1 and not person.hinted:
            (form,) = person.forms
            low = form.lower()
            if low in _RANK_WORDS:
                ranks[_RANK_OF.get(low, low)].append(pid)
    if not ranks:
        return
    votes: dict[str, set[int]] = defaultdict(set)
    for p in paragraphs:
        if "He " not in p and "She " not in p or not any(r in p for r in ranks):
            continue
        narr = _QUOTED.sub(" ", p)
        for m in _DECLARED_RANK.finditer(narr):
            rank = _RANK_OF.get(m.group(2).lower(), m.group(2).lower())
            if rank not in ranks:
                continue
            g = "male" if m.group(1) == "He" else "female"
            named = {t for _, _, t in cast._find(narr[: m.start()])
                     if t not in ranks[rank] and cast.people[t].gender in (g, None)}
            if len(named) == 1:
                votes[rank] |= named
            else:
                votes[rank].add(-1)
    for rank, named in votes.items():
        if len(named) != 1 or -1 in named:
            continue
        (tgt,) = named
        if not cast.people[tgt].forms or cast.people[tgt].gender is None:
            continue
        for r in ranks[rank]:
            if cast.people[r].gender in (cast.people[tgt].gender, None):
                _merge_into(cast, r, tgt)


_VOC_AFTER_COMMA = re.compile(r", ([A-Z][\w'\u2019-]*)(?=[,.!?;\u2014\u2013\u2026\"\u201d\u2019'])")
_VOC_OPENING = [re.compile(mark + r"([A-Z][\w'\u2019-]*)(?=[,.!?\u2014\u2013\u2026])") for mark in ('"', "\u201c", "\u2018", "'")]
"""A capitalised word said to someone: after a comma and before a stop (`Thanks, Hal.`), or alone at the opening of
a line (`"Hal! Over here."`); each scan starts on a literal character, which is quick."""


def _speech(p: str, marks: frozenset[str] | None) -> tuple[str, list[str]]:
    """A paragraph's narration and its quotations, in double quote marks or in the work's own (`marks`)."""
    if marks is None or "\u2018" not in marks:
        return _QUOTED.sub(" ", p), _QUOTED.findall(p)
    pieces = split_paragraph(p, marks)[0]
    return " ".join(x.text for x in pieces if x.kind == "narration"), [x.text for x in pieces if x.kind == "dialogue"]


def _written(word: str, text: str) -> bool:
    """Whether a text writes a word as a word of its own (`Hal`, `Hal's`, `Hal-kun`; not `Halloway`, `Shal`)."""
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        if not (at and (text[at - 1].isalnum() or text[at - 1] in "'\u2019-")) and not (end < len(text) and text[end].isalnum()):
            return True
        at = text.find(word, end)
    return False


_KIN_CALLS = frozenset("""mum mom mam mama mamma mummy mommy ma dad daddy da pa papa gran granny grandma grandad granddad
    grandpa nan nana teta babcia nonna nonno abuela abuelo oma opa auntie aunty""".split())
"""Kin words said to someone as a name (`Hi, Mum.`, `Teta, I'm working`): a relative, no one's nickname."""


def _merge_answered_name(cast: Cast, paragraphs: Sequence[str], text: str, narration: str, lower: Mapping[str, int],
                         marks: frozenset[str] | None = None) -> None:
    """A one-word name the narration never writes, said to someone (`"Nice hit, Riptide!"`, `"Hal!"`), is a
    nickname of the one who answers it: the speaker the narration names on the reply, as `_merge_answered_rank`.
    Every answer must name the same character, and the nickname share a first letter with one of their names
    unless two answers agree (an off-stage name said on the way to someone else's line stays apart); kin words
    (`Teta`) and words the text also writes in lowercase (`Hum!`) are no nicknames."""
    cands = {}
    for pid, person in enumerate(cast.people):
        if len(person.forms) == 1 and not person.hinted and not person.full:
            ((form, n),) = person.forms.items()
            title, toks = split_title(form)
            if (n <= 40 and not title and len(toks) == 1 and len(form) >= 2 and form.lower() not in _RANK_WORDS
                    and form.lower() not in _KIN_CALLS):
                cands[form] = pid
    if not cands:
        return
    single = marks is not None and "\u2018" in marks
    said = {*_VOC_AFTER_COMMA.findall(text), *(w for rx in _VOC_OPENING[: 4 if single else 2] for w in rx.findall(text))}
    if single:
        narration = "\n".join(_speech(p, marks)[0] for p in paragraphs)  # British quotes: ‘Thanks, Hal.’  # (literal starts: quick scans)
    cands = {form: pid for form, pid in cands.items()
             if form in said and not lower.get(form.lower()) and not _written(form, narration)}
    if not cands:
        return
    starts = list(accumulate((len(p) + 1 for p in paragraphs), initial=0))  # (`text` puts a NUL before each)
    heard: dict[int, set[int]] = defaultdict(set)  # paragraph -> the candidates said there (only inside quotes)
    for form, pid in cands.items():
        at = text.find(form)
        while at >= 0:
            heard[bisect_right(starts, at) - 1].add(pid)
            at = text.find(form, at + len(form))
    if not heard:
        return
    heard_forms = {form for form, pid in cands.items() if any(pid in h for h in heard.values())}
    voc = re.compile(r"(?:^|[,;\u2014\u2013]\s*|[.!?]\s+|[\"\u201c]\s*)(" + "|".join(map(re.escape, heard_forms))
                     + r")(?=\s*(?:[,.!?;\u2014\u2013\u2026\"\u201d]|$))")
    votes: dict[int, Counter] = defaultdict(Counter)
    for i in sorted(heard):
        p = paragraphs[i]
        narr, quoted = _speech(p, marks)
        here = {pid for q in quoted for m in voc.finditer(q) if (pid := cands[m.group(1)]) in heard[i]}
        if not here:
            continue
        speaker_here = {t for _, _, t in cast._find(narr)}
        named = _named_on_answer(cast, paragraphs, i, speaker_here, lambda q: _speech(q, marks))
        for r in here if named else ():
            votes[r].update(named)
    for r, named in votes.items():
        if len(named) != 1:
            continue
        ((tgt, n),) = named.items()
        if tgt == r or not cast.people[tgt].forms:
            continue
        g1, g2 = cast.people[r].gender, cast.people[tgt].gender
        if g1 and g2 and g1 != g2:
            continue
        (form,) = cast.people[r].forms
        initials = {w[0] for f in cast.people[tgt].forms for w in split_title(f)[1]}
        if n < 2 and form[0] not in initials:
            continue
        _merge_into(cast, r, tgt)


def _merge_replied_name(cast: Cast, paragraphs: Sequence[str], text: str, marks: frozenset[str] | None) -> None:
    """A name called in the reply to someone's tagged line is theirs (`"The leech is here," Margo says.` /
    `"Kessler." Anselm doesn't turn around.`): a rare one-word name the calls begin and no one owns (`Kess
    mutters`, once) joins the one tagged on the line before, when every such call answers the same character and
    genders agree. (A short form another character's name begins, `"That's the point, Mae."` after `Maeve said`,
    is left apart: joining it cost a roller-derby story four quotes.)"""
    rare = {}  # a rare one-word name -> its person
    for pid, person in enumerate(cast.people):
        if len(person.forms) == 1 and not person.hinted:
            ((f, n),) = person.forms.items()
            if n <= 3 and " " not in f and len(f) >= 3 and not split_title(f)[0] and f.lower() not in _RANK_WORDS:
                rare[f] = pid
    if not rare:
        return
    single = marks is not None and "\u2018" in marks
    said = {*_VOC_AFTER_COMMA.findall(text), *(w for rx in _VOC_OPENING[: 4 if single else 2] for w in rx.findall(text))}
    calls = {}  # a longer word called -> the person whose rare name begins it
    for w in said:
        short = [f for f in rare if w.startswith(f) and w != f]
        if len(short) == 1 and cast.resolve(w) is None:
            calls[w] = rare[short[0]]
    if not calls:
        return
    voc = re.compile(r"(?:^\W*|,\s*)(" + "|".join(map(re.escape, calls)) + r")(?=\s*[,.!?\u2014\u2013\u2026])")
    votes: dict[int, Counter] = defaultdict(Counter)
    for i in range(1, len(paragraphs)):
        p = paragraphs[i]
        if not any(w in p for w in calls):
            continue
        narr, quoted = _speech(p, marks)
        m = voc.search(quoted[0]) if quoted else None
        if not m:
            continue
        before, said_before = _speech(paragraphs[i - 1], marks)
        tagged = {t for _, _, t in cast._find(before)} if said_before else set()
        pid = calls[m.group(1)]
        if len(tagged) != 1 or tagged & {t for _, _, t in cast._find(narr)} or pid in tagged:
            votes[pid][-1] += 1  # (a call no tagged line before explains: a veto, below)
        else:
            votes[pid][tagged.pop()] += 1
    for pid, named in votes.items():
        if len(named) != 1 or -1 in named:
            continue
        (tgt,) = named
        g1, g2 = cast.people[pid].gender, cast.people[tgt].gender
        if cast.people[pid].forms and cast.people[tgt].forms and not (g1 and g2 and g1 != g2):
            _merge_into(cast, pid, tgt)


_ARRIVES = re.compile(
    r"\b(?:came|comes|come|hurried|hurries|bustled|bustles|padded|pads|stumped|stumps|appeared|appears|emerged|emerges|"
    r"stepped|steps|swept|sweeps|shuffled|shuffles|clattered|walked|walks|poked|pokes|leant|leaned|leans)\s+"
    r"(?:\w+\s+){0,2}?(?:down|in|into|through|out\s+of|from|round|around|over)\s+(?:\w+\s+){0,3}?"
    r"(?:stairs|staircase|steps|hall|hallway|door|doorway|landing|kitchen|passage|corridor|banister|bannister)\b")
"""The narration bringing someone in from where a voice was: `came down the stairs`, `bustled in from the hall`."""


def _merge_called_voice(cast: Cast, paragraphs: Sequence[str], text: str, marks: frozenset[str] | None) -> None:
    """A name heard only in speech, each time called back to a voice from off stage whose line names no one
    (`Upstairs, a woman's voice came down through the ceiling. "Hal! Who is it?"` / `"Only the post, Bee!"`), is
    the one titled person the narration brings in from there within a few paragraphs of the last call (`Mrs Dunn,
    when she came down the stairs, ...`), if no one else is brought in and the genders agree."""
    from castbook.attribution.tags import _UNNAMED_VOICE  # (tags builds on this module)

    single = marks is not None and "\u2018" in marks
    said = {*_VOC_AFTER_COMMA.findall(text), *(w for rx in _VOC_OPENING[: 4 if single else 2] for w in rx.findall(text))}
    cands = {}
    for pid, person in enumerate(cast.people):
        if len(person.forms) == 1 and not person.hinted and not person.full:
            ((form, n),) = person.forms.items()
            title, toks = split_title(form)
            if n <= 6 and not title and len(toks) == 1 and form in said and form.lower() not in _KIN_CALLS:
                cands[form] = pid
    if not cands:
        return
    starts = list(accumulate((len(p) + 1 for p in paragraphs), initial=0))  # (`text` puts a NUL before each)
    split: dict[int, tuple[str, list[str]]] = {}

    def speech(k: int) -> tuple[str, list[str]]:
        if k not in split:
            split[k] = _speech(paragraphs[k], marks)
        return split[k]

    for form, pid in cands.items():
        near, x = set(), text.find(form)
        while x >= 0:
            near.add(bisect_right(starts, x) - 1)
            x = text.find(form, x + len(form))
        near = sorted(near)
        if any(_written(form, speech(i)[0]) for i in near):
            continue  # the narration writes it: someone on stage
        heard = [i for i in near if any(_written(form, q) for q in speech(i)[1])]
        if not heard:
            continue
        voiced, gender = False, cast.people[pid].gender
        for i in heard:
            prev = speech(i - 1) if i else ("", [])
            if not prev[1] or cast._find(prev[0]):
                break  # the call answers a line whose speaker the narration names (or none)
            m = _UNNAMED_VOICE.search(prev[0]) if "oice" in prev[0] else None
            if m:
                voiced = True
                kind = re.search(r"\b(man|woman|girl|boy)\b", (m.group("subj") or m.group("inv") or m.group("bare") or "").lower())
                if kind:
                    g = "male" if kind.group(1) in ("man", "boy") else "female"
                    if gender and gender != g:
                        break
                    gender = g
        else:
            if not voiced:
                continue
            found = set()
            for j in range(heard[-1] + 1, min(heard[-1] + 7, len(paragraphs))):
                narr = speech(j)[0]
                if not _ARRIVES.search(narr):
                    continue
                for s, e, t in cast._find(narr):
                    if t == pid or not any(split_title(f)[0] for f in cast.people[t].forms):
                        continue
                    if not _ARRIVES.search(narr[e:e + 80].split(".")[0]):
                        continue
                    tg = cast.gender(t)
                    if gender and tg and tg != gender:
                        continue
                    # not on stage before the voice was first heard
                    if any(t == x for k in range(heard[0]) for _, _, x in cast._find(speech(k)[0])):
                        continue
                    found.add(t)
            if len(found) == 1:
                _merge_into(cast, pid, found.pop())


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _merge_epithet_of_two(cast: Cast, paragraphs: Sequence[str], text: str, marks: frozenset[str] | None) -> None:
    """A bare epithet (`the Warden`, `the Ranger`) held by no named character is one of the two of a scene: of the
    named characters (of its gender, or of none known) the narration names within ten paragraphs of each of its
    mentions, all but one are told apart from it by a sentence naming both (`Oriel did not hear the Warden come
    in.`), and the one left, the same each time, never shares a sentence with it."""
    eps = []
    for pid, person in enumerate(cast.people):
        if person.hinted or not person.forms or sum(person.forms.values()) > 40:
            continue
        parts = [split_title(f) for f in person.forms]
        words = {t[-1].lower() for _, t in parts if len(t) == 1}
        if len(words) == 1 and all(t in (None, "The") for t, _ in parts) and any(t == "The" for t, _ in parts) \
                and not words & _RANK_WORDS and not words & cast.epithets:
            eps.append((pid, {t[-1] for _, t in parts}))
    if not eps:
        return
    starts = list(accumulate((len(p) + 1 for p in paragraphs), initial=0))  # (`text` puts a NUL before each)
    narrs: dict[int, str | None] = {}
    found: dict[int, list] = {}

    def narr(k: int) -> str | None:
        if k not in narrs:
            p = paragraphs[k]
            narrs[k] = _speech(p, marks)[0] if any(c.isalpha() for c in p) else None
            found[k] = cast._find(narrs[k]) if narrs[k] else []
        return narrs[k]

    # (the epithet as such, `the Warden`, not a title before a name: one pass for them all)
    where: defaultdict[str, set[int]] = defaultdict(set)
    for m in re.finditer(r"he (" + "|".join(sorted({re.escape(h) for _, hs in eps for h in hs})) + r")\b", text):
        if m.start() and text[m.start() - 1] in "Tt" and (m.start() < 2 or not text[m.start() - 2].isalnum()):
            where[m.group(1)].add(bisect_right(starts, m.start()) - 1)
    for e, heads in eps:
        at = set().union(*(where[h] for h in heads))
        if len(at) < 2:
            continue
        at = sorted(i for i in at if narr(i) and any(t == e for _, _, t in found[i]))
        if len(at) < 2:
            continue
        g = cast.gender(e)
        apart: set[int] = set()
        together: set[int] = set()
        for i in at:
            for sent in _SENTENCE_END.split(narrs[i]):
                ms = cast._find(sent) if len(found[i]) > 1 else ()
                es = [m for m in ms if m[2] == e]
                if not es:
                    continue
                for s1, e1, t in ms:
                    if t == e:
                        continue
                    gap = sent[min(e1, es[0][1]):max(s1, es[0][0])]
                    if not set(re.findall(r"[a-z]+", gap)) - {"the", "and", "of", "or", "s"}:
                        together.add(t)  # (an apposition, `Oriel, the Warden`: no evidence either way)
                    else:
                        apart.add(t)
        if not apart:
            continue
        left: set[int] = set()
        for i in at:
            for rng in (range(i - 1, max(-1, i - 11), -1), range(i, min(len(paragraphs), i + 11))):
                for k in rng:
                    if narr(k) is None:
                        break
                    left.update(t for _, _, t in found[k] if t != e and t not in apart
                                and (g is None or cast.gender(t) in (None, g)))
            if len(left) > 1:
                break
        if len(left) == 1 and not left & together:
            (tgt,) = left
            if any(split_title(f)[0] == "The" for f in cast.people[tgt].forms):
                continue
            _merge_into(cast, e, tgt)


def _merge_short_forms(cast: Cast) -> None:
    """`Cas` is Caspian and `Toby` is Tobias: a lone short name that begins the first name of exactly one
    other character (`Toby` by its first three letters and a pet-name ending, `Aggie` by `Ag` and a doubled
    consonant) joins that character. Failing that, in turn: a name spelt as it sounds (`Oz`), a letter's name
    (`Zee`), the syllable after the first vowel (`Detty`), and the old pet forms of `_PET_FORMS` (`Nell`)."""
    firsts = _name_words(cast, last=False)
    for pid, person in enumerate(cast.people):
        if person.hinted or person.full or len(person.forms) != 1:
            continue
        (form,) = person.forms
        title, toks = split_title(form)
        if title or len(toks) != 1 or len(form) < 2:
            continue
        stem = form[:-1] if form.endswith("y") and len(form) >= 4 else form[:-2] if form.endswith("ie") and len(form) >= 5 else form
        if stem == form and 4 <= len(form) <= 5 and form.endswith("s") and form[-2] not in "aeiousy" and (
                form.lower() not in _WHOLE_NAMES):
            stem = form[:-1]  # `Dags` is Dagny and `Grets` Gretchen: a pet name ending in -s on the first syllable
        if stem != form and len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in "aeiou":
            stem = stem[:-1]  # `Aggie` is Agnes and `Robbie` Robert: a pet name doubles the consonant
        elif len(form) == 4 and form[:2].lower() == form[2:] and form.lower() not in _DOUBLED_KIN:
            stem = form[:2]  # `Mimi` is Mireille and `Jojo` Joanna: a pet name doubles the first syllable
        shortest = len(form) if len(stem) >= len(form) - 2 else len(stem) + 1
        owners = {o for first, ps in firsts.items() if len(first) > shortest and first.startswith(stem) for o in ps} - {pid}
        if not owners and stem == form and len(form) <= 4 and (said := _SOUNDS.sub(lambda m: _SOUND[m[0]], form.lower())) != form.lower():
            # `Oz` is Oskar and `Pree` Priya: a short name spelt as it sounds begins the name it comes from
            # (far rarer than that name: `Lee` as often as `Lily` is someone else)
            n = 2 * sum(person.forms.values())
            owners = {o for first, ps in firsts.items() if len(first) > len(form) and first.lower().startswith(said) for o in ps
                      if sum(cast.people[o].forms.values()) >= n} - {pid}
        if not owners and form.lower() in _LETTER_NAMES:
            # `Zee` is Zainab and `Jay` James: the name of a first letter stands for the one name it begins
            owners = {o for first, ps in firsts.items() if len(first) >= 4 and first[0] == form[0] for o in ps
                      if not _ranked(cast.people[o])} - {pid}
        if not owners and stem != form and len(stem) >= 3:
            # `Detty` is Odette and `Mandy` Amanda: a pet name from the syllable after a given name's first vowel
            low = stem.lower()
            owners = {o for first, ps in firsts.items() if len(first) > len(stem) + 1 and first[0] in "AEIOU"
                      and first[1 : 1 + len(stem)].lower() == low for o in ps} - {pid}
            if not owners:
                # `Sungie` is Jisung and `Bekky` Rebek: a pet name from a given name's last syllable
                owners = {o for first, ps in firsts.items() if len(stem) + 1 < len(first) <= len(stem) + 4
                          and first.lower().endswith(low) for o in ps} - {pid}
        if not owners and stem == form and 3 <= len(form) <= 4 and form[0] not in "AEIOU" and form.lower() not in _WHOLE_NAMES:
            # `Lys` is Odalys and `Rina` Katerina: a short name from a given name's last syllable (of one whose
            # gender does not clash)
            low = form.lower()
            owners = {o for first, ps in firsts.items() if len(form) + 3 <= len(first) <= len(form) + 4
                      and first.lower().endswith(low) for o in ps
                      if person.gender is None or cast.people[o].gender in (None, person.gender)} - {pid}
        if not owners and form.lower() in _PET_FORMS:
            # `Nell` is Eleanor and `Kitty` Catherine: the old pet forms that do not begin the name they come from
            full = _PET_FORMS[form.lower()]
            owners = {o for first, ps in firsts.items() if first.lower() in full for o in ps
                      if not _ranked(cast.people[o])} - {pid}
        _merge_if_one(cast, pid, owners)


_WHOLE_NAMES = frozenset("dan ben ray don ron rose tim sam kim jon hans jens lars nils mats jans".split())
"""Short given names in their own right that end or begin a longer one (`Dan` and `Jordan`, `Ray` and `Murray`, `Hans`
and `Hannah`): two people, not a pet form and its owner."""


def _ranked(person: Person) -> bool:
    """Whether a character is titled other than `Miss` or `Mr.` (`Dame Catherine`, `Mrs. Bell`): nobody's `Kitty`."""
    return any(t not in (None, "The") and _same_title(t) not in ("miss", "mr", "master")
               for t, _ in map(_split_title, person.forms))


_PET_FORMS = {pet: frozenset(names.split()) for pets, names in (
    ("nell nelly nellie", "eleanor elinor eleanora ellen helen helena"), ("kitty", "catherine catharine katherine katharine"),
    ("bess bessie bessy betsy lizzy lizzie", "elizabeth elisabeth"), ("peggy peg meg madge", "margaret"),
    ("polly", "mary"), ("patsy", "martha patricia"), ("dick", "richard"), ("ned neddy teddy", "edward edmund"),
    ("fanny", "frances"), ("dolly", "dorothy"), ("jem", "james"), ("sukey", "susan susanna susannah"),
    ("lottie lotty", "charlotte"), ("hal", "henry"),
) for pet in pets.split()}
"""Classic English pet forms that do not begin the name they stand for (those that do, `Tom`, `Aggie`, are found
by their first letters); not those worn as names of their own today (`Jack`, `Harry`, `Molly`, `Kate`)."""


_SOUND = {"z": "s", "ee": "i"}
_SOUNDS = re.compile("|".join(_SOUND))
"""Spellings a short name takes from the sound of the name it shortens (`Oz` for Oskar, `Pree` for Priya)."""
_LETTER_NAMES = frozenset("bee cee dee gee jay kay tee vee zee".split())
"""Letters' names, each beginning with its letter: a nickname from the first letter of a given name (`Dee`)."""
_DOUBLED_KIN = frozenset("nana mama papa dada baba gaga nene lala".split())
"""Words for family that double a syllable: nobody's pet name."""


def _name_words(cast: Cast, last: bool) -> defaultdict[str, set[int]]:
    """Who has each untitled first name (and last name, with `last`)."""
    words: defaultdict[str, set[int]] = defaultdict(set)
    for pid, person in enumerate(cast.people):
        for f in (*person.forms, *((person.full,) if person.full and person.forms else ())):
            title, toks = split_title(f)
            if not title and toks:
                words[toks[0]].add(pid)
                if last:
                    words[toks[-1]].add(pid)
    return words


def _merge_if_one(cast: Cast, pid: int, owners: set[int]) -> None:
    """`pid` joins the one character in `owners`, unless there are more or their genders disagree."""
    if len(owners) != 1:
        return
    (tgt,) = owners
    g1, g2 = cast.people[pid].gender, cast.people[tgt].gender
    weak = sum(cast.people[pid].gender_votes.values()) < 2
    if weak:
        g1 = None  # one pronoun after a name seen once or twice ("Kier" ... "she") is as often someone else's
    if not (g1 and g2 and g1 != g2):
        _merge_into(cast, pid, tgt, votes=not weak)


def _merge_syllable_names(cast: Cast, suffixed: Iterable[str]) -> None:
    """`Neul-ah` is Haneul and `Woo-ya` is Sunwoo: a lone name seen with an address suffix that ends the
    one-word given name of exactly one other character joins that character."""
    firsts = _name_words(cast, last=True)
    for form in suffixed:
        pid = cast.alias.get(_key(form))
        if pid is None or cast.people[pid].hinted or cast.people[pid].full or len(cast.people[pid].forms) != 1 or len(form) < 2:
            continue
        low = form.lower()
        owners = {o for name, ps in firsts.items() if len(name) > len(form) and name.lower().endswith(low) for o in ps} - {pid}
        _merge_if_one(cast, pid, owners)


def _surname_owner(cands: Iterable[str], forms: Counter[str], parsed: Mapping[str, tuple[str | None, list[str]]]) -> str:
    """The form a bare family name ("Holloway") belongs to: a man's ("Mr. Holloway") before a woman's
    ("Miss Holloway"), since prose calls men by their surname alone and women by it only with a title."""

    def rank(g: str) -> int:
        gender = title_gender(parsed[g][0]) if parsed[g][0] != "The" else None
        return 2 if gender == "male" else 0 if gender == "female" else 1

    # Ties go to the shorter form ("Badger" -> "The Badger" over "The Old Badger"), then by spelling, so
    # the choice never depends on set order.
    return max(sorted(cands), key=lambda g: (rank(g), forms[g], -len(g)))


_TITLE_CLASSES = {t: k for k, ts in {
    "mr": ("mr", "mister", "monsieur", "m", "signor", "herr", "sir"),
    "mrs": ("mrs", "madame", "mme", "signora", "frau", "lady"),
    "miss": ("miss", "mademoiselle", "mlle", "ms"),
    "dr": ("dr", "doctor"), "prof": ("prof", "professor"), "capt": ("capt", "captain"), "col": ("col", "colonel"),
    "rev": ("rev", "reverend"),
}.items() for t in ts}


def _same_title(title: str) -> str:
    """Titles that name the same standing: "Monsieur Dufresne" is "Mr. Dufresne", "Doctor Vance" is "Dr. Vance"."""
    t = title.rstrip(".").lower()
    return _TITLE_CLASSES.get(t, t)


def _leaning(person: Person) -> str | None:
    """The gender most of a character's pronouns give, by a few votes (a weaker test than Person.gender)."""
    m, f = person.gender_votes["male"], person.gender_votes["female"]
    return "male" if m >= f + 3 else "female" if f >= m + 3 else None


def _merge_titled(cast: Cast, paragraphs: Sequence[str] = ()) -> None:
    """`Miss Ashdown` joins `Tilda Ashdown` when she is the only full name with that surname and genders agree.

    A woman's title joins only a full name its own pronouns call a woman (`Mrs. Okoye` is as likely the wife of a
    `Dayo Okoye` named once); a title with a first name (`Mr. Rui Sato`) only a character of that first name; and
    `Mrs. Lindqvist` is not an `Ana Lindqvist` named beside her in one sentence (`Mrs. Lindqvist kissed Ana`)."""
    full_by_last: defaultdict[str, set[int]] = defaultdict(set)
    titled_full: defaultdict[tuple[str, str], set[int]] = defaultdict(set)
    """(title, family name) -> who is written with that title in full (`Captain Wenna Tallis`)."""
    for pid, person in enumerate(cast.people):
        for f in (*person.forms, *((person.full,) if person.full and person.forms else ())):
            title, toks = split_title(f)
            if not title and len(toks) >= 2:
                full_by_last[toks[-1]].add(pid)
            elif title not in (None, "The") and len(toks) >= 2 and _same_title(title) != "mrs":
                titled_full[_same_title(title), toks[-1]].add(pid)
    # A daughter's marks: a family name written after `Miss` (`Miss Pell`) and the given names written after it
    # (`Miss Catherine`, `Miss Catherine Pell`).
    misses: defaultdict[str, set[int]] = defaultdict(set)
    miss_given: set[str] = set()
    given: set[str] = set()
    family: set[str] = set()
    for pid, person in enumerate(cast.people):
        for f in person.forms:
            title, toks = split_title(f)
            if len(toks) >= 2:
                given.add(toks[0])
                family.add(toks[-1])
            elif title and _same_title(title) in ("mr", "mrs"):
                family.add(toks[0])
            if title and _same_title(title) == "miss":
                if len(toks) >= 2:
                    miss_given.add(toks[0])
                else:
                    misses[toks[0]].add(pid)
    miss_given |= {w for w in misses if w in given and w not in family}
    # Most mentioned first, twice: a brother's merge can settle his sister's.
    order = sorted(range(len(cast.people)), key=lambda pid: -sum(cast.people[pid].forms.values())) * 2
    has_full = {p for s in full_by_last.values() for p in s}
    for pid in order:
        person = cast.people[pid]
        if person.hinted or not person.forms or pid in has_full:
            continue
        titled = [split_title(f) for f in person.forms]
        lasts = {toks[-1] for title, toks in titled if title and title != "The"}
        if len(lasts) != 1:
            continue
        last = lasts.pop()
        mine = {_same_title(title) for title, toks in titled if title and title != "The"}
        g1 = person.gender

        def titles(t: int) -> list[tuple[str, list[str]]]:
            """The target's titled forms with this family name."""
            return [(title, toks) for title, toks in map(split_title, cast.people[t].forms)
                    if title and title != "The" and toks[-1] == last]

        # "Miss Holloway" is not a Jasper Holloway already called "Mr. Holloway"; among several, a man's title
        # picks the one man ("Mrs. Penhallow" could be the mother of any Penhallow woman).
        targets = {t for t in full_by_last.get(last, set()) - {pid}
                   if not (g1 and any(title_gender(title) not in (None, g1) for title, _ in titles(t)))}
        if len(targets) > 1 and g1 == "male":
            # (or, none leaning so, the one not a woman: `Mr. Kemble` among a Jonah and a Bryony Kemble)
            targets = ({t for t in targets if _leaning(cast.people[t]) == "male"}
                       or {t for t in targets if cast.people[t].gender != "female"})
            # (or the one full name a pronoun makes a man, the rest given none: `Arne Halvorsen woke ... his`
            # beside a `Kari Halvorsen` only ever said on the phone)
            leans = {t: cast.people[t].gender_votes for t in targets}
            men = {t for t, v in leans.items() if v["male"] > v["female"]}
            if (len(men) == 1 and sum(cast.people[next(iter(men))].forms.values()) <= 2
                    and all(not (v["male"] or v["female"]) for t, v in leans.items() if t not in men) and paragraphs and not any(_written(f, _QUOTED.sub(" ", p)) for p in paragraphs
                                               for t in targets - men for f in cast.people[t].forms if f in p)):
                targets = men
        if not targets and len(mine) == 1:
            # No untitled full name: "Captain Tallis" is the one written "Captain Wenna Tallis" in full.
            targets = titled_full.get((next(iter(mine)), last), set()) - {pid}
        if mine == {"mrs"}:
            # A married woman is not the daughter of her family: not one whose given name goes with `Miss`
            # (`Miss Catherine`), nor, while the family has a `Miss Pell` too, its one full name (`Eleanor Pell`).
            targets = {t for t in targets if not any(
                split_title(f)[1][0] in miss_given for f in cast.people[t].forms if not split_title(f)[0])}
            if any(m != pid and m not in targets and cast.people[m].forms for m in misses.get(last, ())):
                continue
        if len(targets) != 1:
            continue
        tgt = targets.pop()
        g2 = cast.people[tgt].gender
        if g1 and g2 and g1 != g2:
            continue
        firsts = {toks[0] for title, toks in map(split_title, cast.people[tgt].forms) if len(toks) >= 2}
        own = {toks[0] for title, toks in titled if len(toks) >= 2}
        if own - firsts:
            continue  # "Mr. Evander Drummond" is not Ambrose Drummond
        votes = cast.people[tgt].gender_votes
        if g1 == "female" and votes["female"] <= votes["male"] and not own:
            continue  # "Mrs. Piers Aldwinckle" spells out whose name she carries
        if paragraphs and _named_apart(person, cast.people[tgt], paragraphs):
            continue
        # "Admiral Holloway" does not join a Jasper Holloway already called "Mr. Holloway"; and a book that writes
        # "Miss Hennie Pruitt" in full keeps "Miss Pruitt" for her elder sister (and a far commoner "Mr. Arkwright"
        # for the elder brother of "Mr. Hugh Arkwright").
        mine_n = sum(n for f, n in person.forms.items() if (split_title(f)[0] or "The") != "The")
        elder = "miss" in mine or mine_n > 2 * sum(cast.people[tgt].forms.values())
        longer = [" ".join((title, *toks)) for title, toks in titles(tgt) if len(toks) >= 2
                  and title.rstrip(".").lower() not in _GIVEN_TITLES]  # (`Sir Crispin Trevenna` is no `Mr Trevenna`)
        if elder and longer and paragraphs and _first_at(paragraphs, longer) < _first_at(
                paragraphs, [f for f in person.forms if (split_title(f)[0] or "The") != "The"]):
            # ...but one introduced in full and called short after (`Mr. Tobias Venn` and then `Mr. Venn`) is one.
            elder = False
        if any(_same_title(title) not in mine or len(toks) >= 2 and elder for title, toks in titles(tgt)):
            continue
        _merge_into(cast, pid, tgt)


def _first_at(paragraphs: Sequence[str], forms: Sequence[str]) -> tuple[int, int]:
    """Where any of the forms is first written: (paragraph, offset), or past the end."""
    for i, p in enumerate(paragraphs):
        at = [k for f in forms if (k := p.find(f)) >= 0]
        if at:
            return i, min(at)
    return len(paragraphs), 0


def _merge_titled_given(cast: Cast) -> None:
    """`Lady Isolde` is the one written `Lady Isolde Varne` in full: a title set before given names and a given
    name join the one character written with the same title, that given name and a family name; failing that,
    `Uncle Lenny` is the one called `Lenny` or `Lenny Marsh`, when no one has Lenny for a family name."""
    held: defaultdict[tuple[str, str], set[int]] = defaultdict(set)
    given: defaultdict[str, set[int]] = defaultdict(set)
    full_given: defaultdict[str, set[int]] = defaultdict(set)
    surnames: defaultdict[str, set[int]] = defaultdict(set)
    for pid, person in enumerate(cast.people):
        for f in person.forms:
            title, toks = split_title(f)
            if title and title.rstrip(".").lower() in _GIVEN_TITLES and len(toks) >= 2:
                held[_same_title(title), toks[0]].add(pid)
            if len(toks) >= 2 or title not in (None, "The") and title.rstrip(".").lower() not in _GIVEN_TITLES | _MAN_OR_MAID:
                surnames[toks[-1]].add(pid)  # (`Mr. Lorcan` may be either)
            if not title and toks:
                given[toks[0]].add(pid)
                if len(toks) >= 2:
                    full_given[toks[0]].add(pid)
    for pid, person in enumerate(cast.people):
        if person.hinted or person.full or not person.forms:
            continue
        parsed = [_split_title(f) for f in person.forms]
        keys = {(_same_title(title), toks[0]) for title, toks in parsed if title not in (None, "The") and len(toks) == 1}
        if len(keys) != 1 or len(keys) != len(set(parsed)):
            continue
        key = keys.pop()
        owners = held.get(key, set()) - {pid}
        if not owners and not surnames.get(key[1], set()) - {pid}:
            if all(t.rstrip(".").lower() in _GIVEN_TITLES for t, _ in parsed):
                # "Uncle Lenny" is the one character called "Lenny" or "Lenny Marsh" (no one's family name).
                owners = given.get(key[1], set()) - {pid}
            elif all(t.rstrip(".").lower() in _MAN_OR_MAID for t, _ in parsed):
                # "Mr. Lorcan", "Mademoiselle Odette": a given name, for the one written "Lorcan Farrow".
                owners = full_given.get(key[1], set()) - {pid}
        _merge_if_one(cast, pid, owners)


def _merge_title_initials(cast: Cast) -> None:
    """`the DI` is the one written `Detective Inspector Ruth Kettering`: a rank's initials join the one character
    whose name begins with that rank in full."""
    for pid, person in enumerate(cast.people):
        if person.hinted or person.full or not person.forms:
            continue
        initials = {f.split()[-1] for f in person.forms if len(f.split()) <= 2 and split_title(f)[0] in (None, "The")}
        if len(initials) != 1 or len(initials) != len({split_title(f)[1][-1] for f in person.forms}):
            continue
        abbr = initials.pop()
        if not (2 <= len(abbr) <= 4 and abbr.isalpha() and abbr.isupper()):
            continue
        owners = {
            t for t, other in enumerate(cast.people) if t != pid for f in other.forms
            if len(words := f.split()) > len(abbr) and words[0].lower() in TITLES
            and "".join(w[0] for w in words[: len(abbr)]) == abbr
        }
        _merge_if_one(cast, pid, owners)


_SENTENCE_END = re.compile(r"(?<=[.!?;])(?<!\bMrs\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bSt\.)\s+")


def _named_apart(titled: Person, full: Person, paragraphs: Sequence[str]) -> bool:
    """A `Mrs.`/`Mr.` form and the first name of a full name, written alone, both in one sentence of the narration
    (`Mrs. Lindqvist kissed Ana`, `Mr. Sato bowed to Ken`): two people, a parent and a child most often."""
    forms = [f for f in titled.forms if _same_title(split_title(f)[0] or "") in ("mr", "mrs")]
    firsts = {toks[0] for title, toks in map(split_title, full.forms) if not title and len(toks) >= 2}
    firsts -= {split_title(f)[1][-1] for f in forms}
    if not forms or not firsts:
        return False
    # (The paragraphs that hold a form, picked by a plain substring test: most forms are one.)
    held = [p for p in paragraphs if forms[0] in p] if len(forms) == 1 else [
        p for p in paragraphs if any(f in p for f in forms)]
    for p in held:
        for sentence in _SENTENCE_END.split(_QUOTED.sub(" ", p)):
            # The first name alone (not `Sir John`, not `John Penhallow`).
            if any(f in sentence for f in forms) and any(_clean_token(m) in firsts for m in _MENTION_SCAN.findall(" " + sentence)):
                return True
    return False


_RANK_NICKNAMES = {"cap": ("captain", "capt"), "capt": ("captain", "capt"), "skipper": ("captain", "capt"),
                   "lieu": ("lieutenant", "lt"), "loot": ("lieutenant", "lt"), "sarge": ("sergeant",),
                   "doc": ("doctor", "dr")}
"""A rank worn as a name: `Cap` is the one `Captain Adeyemi`, `Sarge` the one `Sergeant Bright`."""


def _merge_bare_titles(cast: Cast) -> None:
    """A title used as a name ("said Mademoiselle", "the Major") is the one character who mostly holds it, and a
    rank's nickname (`Cap`, `Sarge`, `Doc`) the one who holds that rank however rarely it is written."""
    held: defaultdict[str, Counter[int]] = defaultdict(Counter)
    for pid, person in enumerate(cast.people):
        for f, n in person.forms.items():
            title, toks = split_title(f)
            if title and title != "The":
                held[title.rstrip(".").lower()][pid] += n
            elif not title and len(toks) >= 2 and toks[0].lower() in _NAME_TITLES:
                held[toks[0].lower()][pid] += n  # `Judge Harrow`: a role word before a name, as a title
    for pid, person in enumerate(cast.people):
        words = {split_title(f)[1][-1].lower() for f in person.forms if len(split_title(f)[1]) == 1}
        if person.hinted or len(words) != 1 or any(split_title(f)[0] not in (None, "The") for f in person.forms):
            continue
        word = words.pop()
        nick = word in _RANK_NICKNAMES
        held_by = sum((held.get(t, Counter()) for t in _RANK_NICKNAMES.get(word, (word,))), Counter())
        holders = [(n, t) for t, n in held_by.most_common(2) if t != pid]
        # A title held by one character alone ("Director" for Director Lindqvist) is theirs however rarely written;
        # held by several, it is the one who holds it three times as often as the next.
        if not holders or word == "the" or len(holders) > 1 and holders[0][0] < 3 * holders[1][0]:
            continue
        tgt = holders[0][1]
        if not nick and holders[0][0] < 3 and sum(person.forms.values()) > 3 * sum(cast.people[tgt].forms.values()):
            continue  # "the Doctor" twenty times is not a "Doctor Voss" named once
        g1, g2 = person.gender, cast.people[tgt].gender
        few = sum(cast.people[tgt].gender_votes.values())
        if g1 and g2 and g1 != g2 and (few >= 4 or sum(person.gender_votes.values()) < 2 * few):
            continue  # (a pronoun or two after "Doctor Voss" is as often someone else's: the Doctor's many win)
        _merge_into(cast, pid, tgt, votes=g1 is not None and g1 != g2)


_PAIRED = re.compile(r"(?:['\u2019]s)?\s+(?:and|or|&)\s+")
"""Between two names of a pair (`Juno and Rafe`, `Juno's and Rafe's`)."""
_QUOTED = re.compile(r"[\"\u201c][^\"\u201d]*[\"\u201d]?")


_THEY = re.compile(r"\b(?:[Tt]hey|[Tt]heir|them(?:self)?)\b")
"""Singular they: the pronouns a named character's own narration may give them (`themselves` is plural)."""
_PLURAL_NEAR = re.compile(
    r"\b(?:both|all(?!\s+(?:of\s+(?:it|this|that)|the\s+(?:way|time|while)))|others|everyone|everybody|each|together|we|us|our|people|crowd|group|crew|team|family|guys|men|women|"
    r"kids|children|friends|parents|couple|pair|twins|none|rest|either|neither)\b|\bof\s+(?:them|us)\b|"
    r"\b(?:the|these|those|two|three|four|five|several|many|some|a\s+few|other)\s+(?:[a-z]+\s+)?[a-z]{3,}s\b|"
    r"\band\s+(?:[A-Z]|the\s|his\s|her\s|their\s)", re.I)
"""Between a name and `they`: someone else the plural `they` may take in (`the others`, `and the twins`)."""
_THEY_SAID = re.compile(rf"[,!?\u2014-][\"\u201d]\s+they\s+(?:\w+ly\s+)?(?:{_SAYS}|say|ask|added|murmured|admitted)\b")
"""`"I'm fine," they said.`: a line tagged with `they`."""
_THEY_SAID_MIN = 2
_TAGGED_NEXT = re.compile(rf"[\"\u201c][^\"\u201d]*[,!?\u2014-][\"\u201d]\s+(she|he|they)\s+(?:\w+ly\s+)?(?:{_SAYS}|say|ask|added|murmured)\b")
"""A paragraph opening with a line tagged `she said`/`he said` (or, where it is singular, `they said`)."""
_TAGGED_GENDER = {"he": "male", "she": "female", "they": "they"}
_POSSESSIVE_S = ("'s", "\u2019s")
_PLURAL_AFTER = re.compile(r"\s+(?:all|both|each|together|two|three|four|themselves)\b", re.I)


def _they_vote(p: str, s: int, e: int, t: re.Match, mentions: list, i: int) -> bool:
    """`Rowan shrugged. They ...`, `Rowan stood with their hands in their pockets`: a `they` after a name with no
    one else in between whom a plural could take in, nor `all`/`both` after it, is that character's own."""
    if t.group() == "them" or p[e: e + 2] in _POSSESSIVE_S or p[e - 2: e] in _POSSESSIVE_S or _PLURAL_NEAR.search(p, e, t.start()) or _PLURAL_AFTER.match(p, t.end()):
        return False
    if i and _PAIRED.fullmatch(p, mentions[i - 1][1], s) or i + 1 < len(mentions) and _PAIRED.fullmatch(p, e, mentions[i + 1][0]):
        return False
    prev = _PREV_WORD.search(p, max(0, s - 64), s)
    # (`looked at Rowan, who was halfway up the stairs ... they had told`: the clause after `who` is theirs.)
    return not (prev and prev.group(1).lower() in _OBJECT_AFTER) or p.startswith(", who ", e)


_UNDERSCORED = re.compile(r"_(?<!\w_)(?=\S)[^_\n]{1,2000}?(?<=\S)_(?!\w)")


def italic_spans(p: str) -> tuple[str, ...]:
    """The italic stretches of two or more words of a paragraph: the `*marked*` ones the loader kept aside
    (`Styled.italics`) and the `_marked_` ones still in the text. In narration they are thoughts, typed messages
    or titles, not what the narration says about who is on stage."""
    spans = getattr(p, "italics", ())
    if "_" in p:
        spans += tuple(m.group(0) for m in _UNDERSCORED.finditer(p) if " " in m.group(0))
    return spans


def _span_of(spans: Sequence[tuple[int, int]], x: int) -> int:
    return next((i for i, (a, b) in enumerate(spans) if a <= x < b), -1)


def _vote_gender(cast: Cast, paragraphs: Iterable[str]) -> None:
    """A name in subject position followed closely by he/she (before any other name) votes for that gender.

    A name after a preposition or comparison (`rather than Greta`) is an object: the pronoun that follows is more
    often someone else's. Only subject and reflexive pronouns vote (`her`/`him` are as often the other person).
    """
    # Singular they only where lines are tagged `they said` (a crowd seldom says a whole line at once).
    plain = sum(1 for p in paragraphs if "they" in p and _THEY_SAID.search(p)) >= _THEY_SAID_MIN
    lone, lone_one = None, False  # the one character a paragraph of narration alone was about, opening with their name
    later: Counter[tuple[int, str]] = Counter()
    for p in paragraphs:
        spans = italic_spans(p)
        inside = [(k, k + len(x)) for x in spans if (k := p.find(x)) >= 0] if spans else ()
        quoted = '"' in p or "\u201c" in p
        if quoted:
            if lone is not None and (t := _TAGGED_NEXT.match(p)):
                if t.group(1) != "they" or lone_one:
                    later[lone, _TAGGED_GENDER[t.group(1)]] += 1
            lone = None
            p = _QUOTED.sub(" ", p)
            if not plain:
                low = p.lower()
                if "he" not in low and "hi" not in low and "h\u0131" not in low:
                    continue  # no `he`, `she`, `his`, `her`, `himself`, `herself` to vote with (nor `they`)
        mentions = cast._find(p)  # each paragraph once: no need to keep the result
        if not quoted:
            lone = mentions[0][2] if mentions and mentions[0][0] == 0 and all(m[2] == mentions[0][2] for m in mentions) else None
            lone_one = lone is not None and plain and not _PLURAL_NEAR.search(p)  # nobody a `they` could take in
        they = plain and "the" in p and _THEY.search(p) is not None
        for i, (s, e, pid) in enumerate(mentions):
            # The pronoun first: most names have none after them, and the tests below only skip a name.
            limit = mentions[i + 1][0] if i + 1 < len(mentions) else len(p)
            m = _SUBJ_PRONOUNS.search(p, e, min(limit, e + _VOTE_REACH))
            if they:
                t = _THEY.search(p, e, m.start() if m else min(limit, e + _VOTE_REACH))
                if t is not None:
                    m = None
                    if _they_vote(p, s, e, t, mentions, i):
                        cast.people[pid].gender_votes["they"] += 1
            if not m:
                continue
            if m.group()[0] in "hH" and m.group().lower() == "her" and _SEES_HER.search(p, max(0, m.start() - 12), m.start()):
                continue  # `Theo watched her go.`, `Bram let her in.`: an object, not her hands
            if inside and _span_of(inside, s) != _span_of(inside, m.start()):
                continue  # `*Mara would know,* she thought.` / `Mara thought. *She's so cute.*`: not hers
            # The word before the name: looked for near it first (the same match: `\b` sees the text before).
            prev = _PREV_WORD.search(p, max(0, s - 64), s)
            if prev is None and s > 64:
                prev = _PREV_WORD.search(p, 0, s)
            if prev and (prev.group(1).lower() in _OBJECT_AFTER or _participle_object(p, prev)):
                continue
            if (i and _PAIRED.fullmatch(p, mentions[i - 1][1], s)
                    or i + 1 < len(mentions) and _PAIRED.fullmatch(p, e, mentions[i + 1][0])):
                continue  # "Juno and Rafe looked at each other over her head": the pronoun is neither's alone
            if prev and prev.group(1).lower() == "that" and p[m.start() - 2: m.start()] == ", ":
                continue  # "Seeing that Bram was about to answer, she said": the clause after the comma is someone else's
            male = m.group().lower() in _MALE
            # "Mara told him he was wrong": after an object pronoun of the same gender, `he` is most likely him.
            if _OBJ_PRONOUN[male].search(p, e, m.start()):
                continue
            cast.people[pid].gender_votes["male" if male else "female"] += 1
    for (pid, g), n in later.items():
        votes = cast.people[pid].gender_votes
        if not votes["male"] and not votes["female"]:
            # `Tova scrubbed back a few seconds.` -- `"That's before the cat," she said.`: for one the narration
            # never gives a pronoun, the `she` of the line tagged just after a paragraph about them alone.
            votes[g] += n
