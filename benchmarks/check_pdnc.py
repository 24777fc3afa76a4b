"""Check that loading the PDNC novels loses no quotation: every gold quote's opening must survive load_work."""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

from castbook.sources import load_work

PDNC = Path("/work/shared/pdnc")


def squash(text: str) -> str:
    """Whitespace collapsed; `--` may have become an em dash."""
    return re.sub(r"\s+", " ", text.replace("—", "--")).strip()


def main() -> int:
    total = missing = 0
    for txt in sorted(PDNC.glob("*.txt")):
        gold = txt.with_suffix(".gold.json")
        if not gold.exists():
            continue
        t0 = time.perf_counter()
        work = load_work(txt)
        elapsed = time.perf_counter() - t0
        body = squash("\n".join(p for c in work.chapters for p in c.paragraphs))
        quotes = json.loads(gold.read_text())["quotes"]
        lost = [q["starts_with"] for q in quotes if squash(q["starts_with"]) not in body]
        total += len(quotes)
        missing += len(lost)
        titles = [c.title for c in work.chapters]
        print(f"{txt.stem:32} {len(work.chapters):3} ch  {len(quotes):5} quotes  {len(lost):3} lost  {elapsed:5.2f}s"
              f"  title={work.title!r} author={work.author!r}  {titles[:3]} .. {titles[-1:]}")
        for s in lost[:3]:
            print("      lost:", s[:70])
    print(f"total {total} quotes, {missing} lost")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
