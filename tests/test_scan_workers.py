"""When a scan's worker processes live: started early in the read, gone after verify.

The workers are started once the first megabyte of input is read, so they are
not forked from a process that already holds the whole corpus, and they are
released after the last batch stage (verify). Counted with the live child
processes, not timed; the report equals the serial one.
"""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

from syndetect import Document, Params, scan
from syndetect.render.report import report_to_dict

ROOT = Path(__file__).resolve().parent.parent
BODIES = ROOT / "fixtures" / "article-extraction-benchmark" / "ground-truth.json"


def _docs() -> list[Document]:
    data = json.loads(BODIES.read_text(encoding="utf-8"))
    base = [Document(id=k[:16], text=v["articleBody"], url=v.get("url")) for k, v in sorted(data.items())]
    # three copies under other ids: about 2.4 MB of text, more than 2,000 paragraphs
    return [Document(id=f"{i}-{d.id}", text=d.text, url=d.url) for i in range(3) for d in base]


def test_workers_start_before_the_corpus_is_read_and_stop_after_verify():
    docs = _docs()
    total = sum(len(d.text) for d in docs)
    assert total > 2 << 20
    seen: list[tuple[int, int]] = []  # (characters yielded so far, live child processes)

    def stream():
        n = 0
        for d in docs:
            seen.append((n, len(multiprocessing.active_children())))
            n += len(d.text)
            yield d

    stages: list[tuple[str, int]] = []

    def progress(stage: str, done: int, of: int) -> None:
        stages.append((stage, len(multiprocessing.active_children())))

    report = report_to_dict(scan(stream(), Params(), workers=2, progress=progress))
    before_first_mb = [kids for n, kids in seen if n < 1 << 20]
    after_first_mb = [kids for n, kids in seen if n > (1 << 20) + 200_000]
    assert before_first_mb and max(before_first_mb) == 0
    assert after_first_mb and min(after_first_mb) == 2  # started while most of the corpus was still unread
    assert {kids for stage, kids in stages if stage in ("boilerplate", "signatures")} == {2}
    assert multiprocessing.active_children() == []  # released (after verify, at the latest on return)
    assert report == report_to_dict(scan(docs, Params(), workers=1))
    assert report["clusters"]


def test_small_corpus_starts_no_workers():
    docs = _docs()[:20]
    assert sum(len(d.text) for d in docs) < 1 << 20
    kids: list[int] = []
    scan(docs, Params(), workers=2, progress=lambda *a: kids.append(len(multiprocessing.active_children())))
    assert kids and set(kids) == {0}
