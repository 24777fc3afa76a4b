"""Load a work from disk: pick the loader by content and extension, decode, fail with one clear line."""

from __future__ import annotations

import codecs
import logging
from pathlib import Path

from castbook.errors import SourceError
from castbook.model import Work

log = logging.getLogger(__name__)

__all__ = ["load_work", "decode"]

_MAX_BYTES = 200 * 1024 * 1024
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_TEXT_SUFFIXES = (".txt", ".text", ".md", "")


def load_work(path: Path) -> Work:
    """Read a .txt, .html or .epub work into a Work, detecting the shape from the content.

    Raises SourceError (one line naming the file and what to do) for anything that holds no readable story.
    """
    path = Path(path)
    if not path.exists():
        raise SourceError(f"{path}: no such file; check the path")
    if path.is_dir():
        raise SourceError(f"{path}: is a directory; give the path of one work file (.txt, .html or .epub)")
    if not path.is_file():  # a FIFO or a device would block the read forever
        raise SourceError(f"{path}: not a regular file; give the path of one work file (.txt, .html or .epub)")
    try:
        data = path.read_bytes() if path.stat().st_size <= _MAX_BYTES else None
    except OSError as exc:
        raise SourceError(f"{path}: cannot be read ({exc.strerror or exc}); check its permissions") from exc
    if data is None:
        raise SourceError(f"{path}: larger than 200 MB; this is not a single work")
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise SourceError(f"{path}: the file is empty; export the work again")
    suffix = path.suffix.lower()
    if data[:4] == b"PK\x03\x04" or suffix == ".epub":
        if data[:4] != b"PK\x03\x04":
            raise SourceError(f"{path}: not a valid EPUB (not a zip archive); download the EPUB again")
        from castbook.sources.epub import load_epub

        work = load_epub(path, data)
    else:
        text = decode(path, data)
        if not text.strip():
            raise SourceError(f"{path}: the file is empty; export the work again")
        head = text[:2048].lstrip().lower()
        if suffix in _HTML_SUFFIXES or head.startswith(("<!doctype html", "<html", "<?xml")) and "<html" in head:
            from castbook.sources.html import load_html

            work = load_html(path, text)
        else:
            from castbook.sources.text import load_text

            work = load_text(path, text)
    if not work.chapters or not any(p for c in work.chapters for p in c.paragraphs):
        raise SourceError(f"{path}: no story text found; check that this is the work itself, not an index page")
    if work.title is None:
        from castbook.sources.text import prettify

        work = _with_title(work, prettify(path.stem))
    log.info("%s: %s, %d chapters", path, work.format, len(work.chapters))
    return work


def _with_title(work: Work, title: str) -> Work:
    from dataclasses import replace

    return replace(work, title=title)


def decode(path: Path, data: bytes) -> str:
    """Bytes to text: BOM-marked UTF-8/16/32, UTF-16 without BOM, UTF-8, else cp1252 (latin-1 fallback)."""
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                     (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc)
            except UnicodeDecodeError as exc:
                raise SourceError(f"{path}: broken {enc} text ({exc.reason}); save it again as UTF-8") from exc
    sample = data[:4096]
    if sample.count(b"\x00") > len(sample) // 4:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        enc = "utf-16-le" if odd > even * 4 else "utf-16-be" if even > odd * 4 else None
        if enc:
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                pass
        raise SourceError(f"{path}: a binary file, not text; give a .txt, .html or .epub work")
    if sample.count(b"\x00") > max(16, len(sample) // 50) or _control_share(sample) > 0.05:
        raise SourceError(f"{path}: a binary file, not text; give a .txt, .html or .epub work")
    if b"\x00" in data:  # a few stray NULs (a damaged download) are dropped, not read
        nuls = data.count(b"\x00")
        if nuls > max(16, len(data) // 50):
            raise SourceError(f"{path}: a binary file, not text; give a .txt, .html or .epub work")
        log.warning("%s: dropped %d NUL byte(s) from the text", path, nuls)
        data = data.replace(b"\x00", b"")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _control_share(sample: bytes) -> float:
    if not sample:
        return 0.0
    bad = sum(1 for b in sample if b < 32 and b not in (0, 9, 10, 12, 13, 27))  # NULs are counted apart
    return bad / len(sample)
