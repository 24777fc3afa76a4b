"""Edit voices.yaml in place with ruamel.yaml round-trip: comments, key order and hand edits survive.

`config.py` reads and checks a voices file; this module only writes one. Every write goes through
`save`, which writes a temporary file beside the target, renames it over the target, re-loads it with
`load_config` and puts the original back when the result does not load.
"""

from __future__ import annotations

import io
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.tokens import CommentToken

from .config import Config, load_config
from .errors import ConfigError

log = logging.getLogger(__name__)

NEW_FILE_HEADER = (
    "# voices.yaml: the cast, written by `castbook cast --write`. Edit it freely: castbook keeps your\n"
    "# comments, order and changes when it adds characters. Reference: README.md, \"voices.yaml reference\".\n"
    "# List the voices you can use with:  castbook voices list --lang en\n"
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One character to write under `characters:`; None fields are left out (or left as they are)."""

    name: str
    """The key under `characters:`."""
    voice: str | None = None
    rate: int | None = None
    pitch: int | None = None
    volume: float | None = None
    aliases: tuple[str, ...] = ()
    """Aliases to add (existing ones are kept)."""
    engine: str | None = None
    """Written only when the voice needs a different engine than the one it would inherit."""


class CastFile:
    """A voices.yaml loaded for round-trip editing."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.original: str | None = None
        """The file's text before editing (None when it did not exist)."""
        self._yaml = YAML(typ="rt")
        self._yaml.preserve_quotes = True
        self._yaml.width = 4096  # never re-wrap long lines or comments
        if path.is_file():
            try:
                self.original = path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{path}: cannot read it ({exc}); check the file") from None
            text = self.original
        elif path.exists():
            raise ConfigError(f"{path}: is a directory, not a voices.yaml file")
        else:
            text = NEW_FILE_HEADER + "\ncharacters:\n"
        self._set_indent(text)
        try:
            data = self._yaml.load(text)
        except YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f":{mark.line + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or "invalid YAML"
            raise ConfigError(f"{path}{line}: YAML syntax error: {problem}") from None
        if data is None:
            data = CommentedMap()
        if not isinstance(data, CommentedMap):
            raise ConfigError(f"{path}: expected a mapping of settings (narrator:, characters:, ...) at the top")
        self.data: CommentedMap = data

    # ------------------------------------------------------------ reading

    def characters(self) -> CommentedMap | None:
        """The `characters:` mapping as written (None when absent or empty)."""
        chars = self.data.get("characters")
        return chars if isinstance(chars, CommentedMap) else None

    def find(self, name: str) -> str | None:
        """The key under `characters:` whose name or alias is `name` (case-insensitive)."""
        chars = self.characters()
        if not chars:
            return None
        want = name.casefold()
        for key, value in chars.items():
            names = [str(key)]
            if isinstance(value, Mapping):
                al = value.get("aliases")
                names += [str(a) for a in ([al] if isinstance(al, str) else al or [])]
            if any(n.strip().casefold() == want for n in names):
                return str(key)
        return None

    def names(self) -> set[str]:
        """Every name and alias already in `characters:`, casefolded."""
        out: set[str] = set()
        for key, value in (self.characters() or {}).items():
            out.add(str(key).casefold())
            if isinstance(value, Mapping):
                al = value.get("aliases")
                out |= {str(a).casefold() for a in ([al] if isinstance(al, str) else al or [])}
        return out

    # ------------------------------------------------------------ editing

    def add(self, entries: Iterable[Entry]) -> list[str]:
        """Append characters the file does not have yet (by name or alias); return the names added."""
        entries = [e for e in entries if self.find(e.name) is None]
        if not entries:
            return []
        chars = self._characters_for_append()
        tail = _detach_trailing(self.data, "characters")
        for e in entries:
            chars[e.name] = self._entry_map(e, CommentedMap())
        _attach_trailing(chars, tail)
        return [e.name for e in entries]

    def set(self, entry: Entry) -> tuple[str, bool]:
        """Create or update one character; return (its key in the file, created)."""
        key = self.find(entry.name)
        if key is None:
            self.add([entry])
            return entry.name, True
        chars = self.characters()
        assert chars is not None
        current = chars[key]
        if not isinstance(current, CommentedMap):  # short form `Eli: en-gb+m3` -> a full entry
            short = current
            current = CommentedMap()
            if short is not None:
                current["voice"] = short
            chars[key] = current
        self._entry_map(entry, current)
        return key, False

    def _characters_for_append(self) -> CommentedMap:
        chars = self.data.get("characters")
        if isinstance(chars, CommentedMap) and (chars or not chars.fa.flow_style()):
            if chars.fa.flow_style():
                chars.fa.set_block_style()
            return chars
        if chars is not None and not isinstance(chars, Mapping):
            raise ConfigError(f"{self.path}: characters: expected a mapping (name: settings lines)")
        new = CommentedMap()
        if "characters" in self.data:
            self.data["characters"] = new
        else:
            _ensure_blank_line_before_new_key(self.data)
            self.data["characters"] = new
        return new

    def _entry_map(self, e: Entry, target: CommentedMap) -> CommentedMap:
        for key, value in (("engine", e.engine), ("voice", e.voice), ("rate", e.rate), ("pitch", e.pitch),
                           ("volume", e.volume)):
            if value is not None:
                target[key] = value  # an existing key keeps its place and its comment
        if e.aliases:
            have = target.get("aliases")
            if isinstance(have, str):
                have = [have]
            if isinstance(have, CommentedSeq):
                known = {str(a).casefold() for a in have}
                have.extend(a for a in e.aliases if a.casefold() not in known)
            else:
                seq = CommentedSeq(list(dict.fromkeys([*(have or []), *e.aliases])))
                seq.fa.set_flow_style()
                target["aliases"] = seq
        return target

    # ------------------------------------------------------------ writing

    def dumps(self) -> str:
        """The edited file as text."""
        buf = io.StringIO()
        self._yaml.dump(self.data, buf)
        return buf.getvalue()

    def save(self) -> Config:
        """Write atomically, then check the result like a render would; restore the original if it fails."""
        write_atomic(self.path, self.dumps())
        try:
            return load_config(self.path)
        except ConfigError:
            if self.original is None:
                self.path.unlink(missing_ok=True)
            else:
                write_atomic(self.path, self.original)
            raise

    def _set_indent(self, text: str) -> None:
        """Keep the file's own indentation for the lines we add."""
        mapping, offset = 2, 2
        m = re.search(r"^[^\s#][^\n]*:[ \t]*(?:#[^\n]*)?\n(?:[ \t]*(?:#[^\n]*)?\n)*( +)[^\s#-]", text, re.M)
        if m:
            mapping = len(m.group(1))
        s = re.search(r"^( *)[^\s#-][^\n]*:[ \t]*\n( *)- ", text, re.M)
        if s:
            offset = max(0, len(s.group(2)) - len(s.group(1)))
        self._yaml.indent(mapping=mapping, sequence=offset + 2, offset=offset)


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ConfigError(f"{path}: cannot write it ({exc.strerror}); check the folder's permissions") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ---------------------------------------------------------------- ruamel comment plumbing
# ruamel attaches the comment lines that follow a block to the last scalar of that block (as the tail
# of its end-of-line comment). Appending after that scalar would push those lines (often the next
# section's heading comment) above the new entries. So the tail is cut off before appending and put
# back after the last new entry; the end-of-line comment itself stays where it was.


def _last_slot(node: Any) -> tuple[Any, Any] | None:
    """(container, key) of the last scalar in a block mapping/sequence tree."""
    slot = None
    while isinstance(node, (CommentedMap, CommentedSeq)) and len(node) and not node.fa.flow_style():
        key = list(node.keys())[-1] if isinstance(node, CommentedMap) else len(node) - 1
        slot = (node, key)  # a flow collection's comments sit on the key that holds it
        node = node[key]
    return slot


def _comment_token(container: Any, key: Any) -> CommentToken | None:
    entry = container.ca.items.get(key)
    if not entry:
        return None
    idx = 2 if isinstance(container, CommentedMap) else 0
    tok = entry[idx] if len(entry) > idx else None
    return tok if isinstance(tok, CommentToken) else None


def _detach_trailing(top: CommentedMap, key: str) -> str:
    """Cut the comment lines after the `key` block (keeping any end-of-line comment); return them."""
    slots = [_last_slot(top.get(key)), (top, key)]
    for slot in slots:
        if slot is None:
            continue
        tok = _comment_token(*slot)
        if tok is None:
            continue
        head, nl, tail = tok.value.partition("\n")
        if not head.lstrip().startswith("#"):  # no end-of-line comment: everything is trailing
            head, tail = "", tok.value
        else:
            head += nl
        if not tail.strip():  # only blank lines follow: leave them
            continue
        tok.value = head or "\n"
        return tail
    return ""


def _attach_trailing(chars: CommentedMap, tail: str) -> None:
    if not tail:
        return
    slot = _last_slot(chars)
    if slot is None:
        return
    container, key = slot
    idx = 2 if isinstance(container, CommentedMap) else 0
    entry = container.ca.items.setdefault(key, [None, None, None, None])
    entry[idx] = CommentToken("\n" + tail, CommentMark(0), None)


def _ensure_blank_line_before_new_key(top: CommentedMap) -> None:
    """Keep a blank line between the last existing block and a new top-level key."""
    if not top:
        return
    slot = _last_slot(top)
    if slot is None:
        return
    tok = _comment_token(*slot)
    if tok is None:
        container, key = slot
        idx = 2 if isinstance(container, CommentedMap) else 0
        container.ca.items.setdefault(key, [None, None, None, None])[idx] = CommentToken("\n\n", CommentMark(0),
                                                                                         None)
    elif not tok.value.endswith("\n\n"):
        tok.value = tok.value.rstrip("\n") + "\n\n"
