"""Pure text repair for speech: encoding damage, odd spaces, glued sentences, emoji, emphasis marks."""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

import ftfy

log = logging.getLogger(__name__)

# Characters that take no room and must not reach the speech engine (ZWJ/ZWNJ only glue emoji in our texts).
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u2061\u2062\u2063\ufe0e\ufe0f"))
# Every horizontal space that is not a plain space becomes one.
_SPACES = dict.fromkeys(map(ord, "\t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
                             "\u200a\u202f\u205f\u3000"), " ")
# Control characters (NUL, ESC, DEL, C1) are never text: dropped.
_CONTROLS = dict.fromkeys([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F, *range(0x80, 0x85), *range(0x86, 0xA0)])
_TRANSLATE = {**_CONTROLS, **_ZERO_WIDTH, **_SPACES, 0x0B: "\n", 0x0C: "\n", 0x85: "\n", 0x2028: "\n",
              0x2029: "\n\n"}
# str.translate with a dict costs ~30 us per paragraph even when nothing changes: find the few odd characters first.
_ODD = re.compile("[" + "".join(re.escape(chr(c)) for c in _TRANSLATE) + "]")


def _translate(text: str) -> str:
    return text.translate(_TRANSLATE) if _ODD.search(text) else text

_FTFY = ftfy.TextFixerConfig(uncurl_quotes=False, fix_character_width=False, explain=False, normalization="NFC")


def fix_text(raw: str) -> str:
    """Repair a whole decoded file: mojibake (ftfy), line endings, BOM, odd and zero-width spaces. Quotes kept."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if any(ch in text for ch in "ÃÂâ€ï»¿Ð"):  # the usual marks of UTF-8 read as cp1252; skip ftfy's cost otherwise
        text = ftfy.fix_text(text, _FTFY)
    else:
        text = unicodedata.normalize("NFC", text)
    return _translate(text)


# --- scene breaks ------------------------------------------------------------------------------

_BREAK_SYMBOLS = re.compile(r"[\s*~=#_\-–—•·.+<>|/\\^°§◇◆○●□■☆★♡♥❤︎❀✿❁✦✧⁂※]{3,}")
_BREAK_MARK = re.compile(r"[*~#+§◇◆○●□■☆★♡♥❤✿❀❁✦✧⁂※]+(?: [*~#+§◇◆○●□■☆★♡♥❤✿❀❁✦✧⁂※])?")
"""One or two marks that draw a break on their own (but not a lone `.` or `-`, which can be text)."""
_BREAK_WORDS = re.compile(
    r"[\s*~=\-_.]*(?:(?:oO)+o|(?:Oo)+O|(?:o0)+o|(?:0o)+0|(?:xX)+x|(?:Xx)+X|x x x|[Ss]cene [Bb]reak|[Ll]ine [Bb]reak"
    r"|SCENE BREAK|LINE BREAK)[\s*~=\-_.]*"
)


def is_scene_break(line: str) -> bool:
    """True for a line drawn as a scene break: `***`, `* * *`, `~*~`, `---`, `oOo`, `xXx`, ..."""
    s = line.strip()
    if not s or len(s) > 40:
        return False
    if len(s) < 3 and _BREAK_MARK.fullmatch(s):
        return True  # a lone `*`, `#`, `~` or `§` between paragraphs
    if _BREAK_SYMBOLS.fullmatch(s):
        return s.strip(".") != "" or len(s) >= 3
    if _BREAK_WORDS.fullmatch(s):
        return "o" in s.lower() or "x" in s.lower() or "break" in s.lower()
    return False


# --- glued sentences ---------------------------------------------------------------------------

_ABBREVIATIONS = frozenset(
    "mr mrs ms mx dr st jr sr prof rev fr gen col capt lt sgt cpl mt ft no vs etc eg ie al inc ltd co ave rd"
    " messrs mme mlle hon gov pres sen rep dept univ approx".split()
)
# A sentence end glued to the next sentence: `spiral.The`, `tonight.“Mara`, `door.”The`, `wait...What`.
_GLUE = re.compile(r"(?<=[A-Za-z0-9\u00C0-\u024F])([.!?…]+[”’\")\]]*)(?=[A-Z\u00C0-\u00DE“‘]|(?<=\")[—–])"
                   r"|(?<=[.!?,…—–\-])([”])(?=[A-Za-z\u00C0-\u024F“])")
_GLUE_HINT = re.compile(r"[.!?…”][”’\")\]]*[A-Za-z\u00C0-\u024F“‘]")
"""What every `_GLUE` match has (a cheap test that skips most paragraphs; `_GLUE` starts with a lookbehind)."""
_FANDOM_TAG = re.compile(r"(?<![\w!])[a-z]{2,}!(?=[A-Z][\w'\u2019\-]*(?:[/,;)&]|\s+[x&/]\s))")
"""`alpha!Cassius/omega!Ellis`, `human!Dean,`: fan fiction's role-of-a-character notation, not two sentences."""
_URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|\b[\w-]+\.(?:com|org|net|io|html?)\b\S*", re.IGNORECASE)
_WORD_BEFORE = re.compile(r"([A-Za-z]+)\.?$")


def _glue_points(text: str) -> list[int]:
    """Offsets where a space is missing between two sentences (outside URLs and abbreviations)."""
    if not _GLUE_HINT.search(text) and '—"' not in text and '–"' not in text:
        return []
    protected = [(m.start(), m.end()) for m in _URL.finditer(text)] if ("." in text and ("/" in text or "@" in text or "www" in text or ".com" in text or ".org" in text)) else []
    opening = _opening_straight_quotes(text) if '"' in text else frozenset()
    points = []
    for m in _GLUE.finditer(text):
        end = m.end()
        if any(a <= end <= b for a, b in protected):
            continue
        if m.group(1) and m.group(1)[0] == ".":
            w = _WORD_BEFORE.search(text, max(0, m.start() - 12), m.start())
            if w and (w.group(1).lower() in _ABBREVIATIONS
                      or len(w.group(1)) == 1 and text[w.start() - 1:w.start()] not in ("'", "\u2019")):
                continue  # `Mr.Smith`, `U.S.A` and initials are not two sentences
        if m.group(1) == "!":
            w = _WORD_BEFORE.search(text, max(0, m.start() - 30), m.start())
            if w and _FANDOM_TAG.match(text, w.start()):
                continue  # `alpha!Cassius/omega!Ellis`
        if end - 1 in opening:
            end -= 1  # `anyway."Coil two`: the straight quote opens the next sentence
        elif text[end:end + 1] in "—–":
            continue  # (`starts."—leave her`: only a quote that opens a line broken into)
        points.append(end)
    # `work.""Noted`: one straight quote closes, the next opens.
    at = text.find('""')
    while at >= 0:
        if at + 1 in opening and at not in opening:
            points.append(at + 1)
        at = text.find('""', at + 1)
    # `so I—"Prusak slapped`: a straight quote closing a broken-off line, glued to the next paragraph's capital.
    for dash in ('—"', '–"'):
        at = text.find(dash) if opening else -1
        while at >= 0:
            q = at + 1
            if q not in opening and text[q + 1:q + 2].isupper():
                points.append(q + 1)
            at = text.find(dash, q)
    return sorted(set(points)) if opening else points


def _opening_straight_quotes(text: str) -> set[int]:
    """Offsets of the straight double quotes that open speech, by counting: the 1st, 3rd, 5th ... open.

    Only used where a sentence end is glued to the next one, which is the only place a straight quote's
    direction cannot be seen from the spaces around it."""
    return {i for n, i in enumerate(i for i, ch in enumerate(text) if ch == '"') if n % 2 == 0}


def unglue(text: str) -> str:
    """Insert the missing space in `spiral.The`; leaves `e.g.`, `3.5`, `Mr.`, URLs and initials alone."""
    points = _glue_points(text)
    if not points:
        return text
    parts, last = [], 0
    for p in points:
        parts.append(text[last:p])
        last = p
    parts.append(text[last:])
    return " ".join(parts)


def split_glued_paragraphs(text: str, min_length: int = 1500) -> list[str]:
    """Recover paragraphs from a long line whose breaks were lost: glue points become paragraph breaks.

    Lines shorter than `min_length` are left whole (a glue there is a typo, fixed by `unglue`). Long stretches
    with no glue at all are cut at sentence ends outside quotes, so no paragraph runs to hundreds of kilobytes.
    """
    if len(text) < min_length:
        return [text]
    points = _glue_points(text)
    pieces, last = [], 0
    for p in points:
        pieces.append(text[last:p].strip())
        last = p
    pieces.append(text[last:].strip())
    out: list[str] = []
    for piece in pieces:
        out.extend(_cut_long(piece) if len(piece) > 4000 else [piece])
    return [p for p in out if p]


_SENTENCE_END = re.compile(r"[.!?…][”’\")]*\s+(?=[A-Z“\"])")


def _cut_long(text: str, target: int = 1200, hard: int = 4000) -> list[str]:
    """Cut a very long paragraph at sentence ends that sit outside quotation marks.

    Past `hard` characters a sentence end inside quotes is taken too (an unclosed quote must not make one
    paragraph of a whole chapter), and a stretch with no sentence end at all is cut at a comma or a space.
    """
    out, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if m.end() - start < target:
            continue
        chunk = text[start:m.end()]
        if (chunk.count("“") != chunk.count("”") or chunk.count('"') % 2) and len(chunk) < hard:
            continue
        out.append(chunk.strip())
        start = m.end()
    out.append(text[start:].strip())
    return [piece for p in out for piece in _cut_hard(p, hard)]


def _cut_hard(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut after a comma or semicolon when one is near, else at a space."""
    out = []
    while len(text) > limit:
        window = text[:limit]
        cut = max(window.rfind(", "), window.rfind("; "), window.rfind(": "))
        if cut < limit // 2:
            cut = window.rfind(" ")
        cut = cut + 1 if cut > 0 else limit  # a single "word" longer than the limit is cut where it must be
        out.append(text[:cut].strip())
        text = text[cut:]
    out.append(text.strip())
    return [p for p in out if p]


# --- emoji, kaomoji, emphasis, stretched words -------------------------------------------------

_SHRUG = re.compile(r"¯\\+_\(ツ\)_/+¯")
_KAOMOJI = re.compile(r"[(（][^()（）A-Za-z0-9\s]{0,4}[^()（）A-Za-z0-9]{1,14}[^()（）A-Za-z0-9\s]{0,4}[)）]")
_EMOTICON = re.compile(
    r"(?<!\S)(?:[:;=8][\-'^o]?[)(DPpO3/\\|\]\[*$@]+|<3+|\^[_.\-o]*\^|[Tt;>\-oO][_.][Tt;<\-oO]|[xX]D+|:'\(|QQ)(?=[\s.,!?]|$)"
)
_FACE_CHARS = set("^_°□ω‿◕´｀`・ಠ益ʘﾉ╯╰︵┻━┳ノヽд∀≧≦▽＾；;ᴗ•ㅠㅜ〃ﾟ｡｡◉✧♡☆")


_HIGH = re.compile("[\u2000-\U0010ffff]")


@lru_cache(maxsize=4096)
def _is_symbol(ch: str) -> bool:
    """Emoji and pictographs: symbols (So/Sk) and the emoji blocks; letters and punctuation stay."""
    cp = ord(ch)
    if cp < 0x2000:
        return False
    if 0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF or 0x2B00 <= cp <= 0x2BFF or 0xE0000 <= cp <= 0xE007F:
        return True
    return unicodedata.category(ch) in ("So", "Sk", "Co") and ch not in "°©®™"


def drop_emoji(text: str) -> str:
    """Remove emoji, kaomoji and emoticons; they are never spelled out."""
    if "¯" in text:
        text = _SHRUG.sub("", text)
    if "(" in text or "（" in text:
        text = _KAOMOJI.sub(lambda m: "" if _looks_like_face(m.group(0)) else m.group(0), text)
    text = _EMOTICON.sub("", text)
    high = set(_HIGH.findall(text))
    if high:  # per character only for the few distinct characters above U+2000
        symbols = [ch for ch in high if _is_symbol(ch)]
        if symbols:
            text = text.translate(dict.fromkeys(map(ord, symbols)))
        text = re.sub(r"(?<=[\s(])[╯╰ノヽﾉ︵┻━┳]+|[╯╰ノヽﾉ︵┻━┳]{2,}", "", text)
    return text


def _cased(ch: str) -> bool:
    return ch.isalpha() and ch.lower() != ch.upper()


def _looks_like_face(group: str) -> bool:
    inner = group[1:-1]
    if not inner.strip() or all(ch in ".…!?,;:-–—*'\"“”‘’ " for ch in inner):
        return False
    if any(_cased(a) and _cased(b) for a, b in zip(inner, inner[1:])):
        return False  # two cased letters in a row are a word, "(да; нет)"; a face has one ω or д at a time
    # CJK punctuation and halfwidth forms draw faces, CJK letters are words: "(東京)" is read, "(｡ﾟ)" is not
    return any(ch in _FACE_CHARS or _is_symbol(ch) or ord(ch) > 0x2E80 and not ch.isalnum() for ch in inner)


_EMPHASIS = re.compile(r"(?<![\w*])(\*{1,3})(?=[^\s*])([^*\n]{1,2000}?)(?<=[^\s*])\1(?![\w*])")


def strip_emphasis(text: str) -> str:
    """`*really*` and `**really**` lose their asterisks so they are never read as "asterisk"."""
    return _EMPHASIS.sub(r"\2", text) if "*" in text else text


class Styled(str):
    """A cleaned paragraph that had emphasis marks: `italics` holds the words of each marked stretch of two or
    more words (`*Don't look at him,* she thought.`, a text message typed in italics). The text is spoken as it
    is; only the attribution reads `italics`, so that names inside a thought are not people the narration
    puts on stage."""

    italics: tuple[str, ...] = ()


def emphasis_spans(text: str) -> tuple[str, ...]:
    """The words of each `*marked*` stretch of two or more words, marks dropped."""
    if "*" not in text:
        return ()
    return tuple(unglue(m.group(2)).strip() for m in _EMPHASIS.finditer(text) if " " in m.group(2).strip())


def with_italics(p: str, spans: tuple[str, ...]) -> str:
    """A cleaned paragraph with the italic stretches its markup gave (HTML <em>) that it holds, cleaned alike."""
    found = tuple(s for s in map(clean_paragraph, spans) if s and s in p)
    if not found:
        return p
    styled = Styled(p)
    styled.italics = getattr(p, "italics", ()) + found
    return styled


_MULTISPACE = re.compile(r"[ \t]{2,}")


def clean_paragraph(text: str) -> str:
    """One paragraph ready for speech: spaces collapsed, sentences unglued, emoji and emphasis marks dropped.

    Stretched words (`Nooooo`) are kept as written: the engine reads them, and quotation text stays intact.
    """
    text = _translate(text).replace("\n", " ")
    text = drop_emoji(text)
    spans = emphasis_spans(text)
    text = strip_emphasis(text)
    text = unglue(text)
    text = _MULTISPACE.sub(" ", text).strip()
    if spans:
        text = Styled(text)
        text.italics = tuple(_MULTISPACE.sub(" ", s) for s in spans)
    return text
