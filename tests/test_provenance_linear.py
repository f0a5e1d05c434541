"""Provenance of a passage shared by N documents costs O(N): counted, not timed.

The counters wrap the provenance stage's document-pair comparisons: every
document offered to ``_link`` as a candidate upstream, every affinity look-up
between two documents (one by one, or as a batch against one document), every similarity and containment test between two
documents' versions. For N and 2N documents printing one popular wire
paragraph (dated and undated, wire hosts, credits, one-word edits, trimmed
copies), the count is at most c·N and about doubles, and the edges and their
evidence grow linearly. Below ``ALL_PAIRS_DOCS`` the bounded candidates give
the same answers as comparing every pair.
"""

from __future__ import annotations

import importlib.util
import random
from collections import Counter
from pathlib import Path

import pytest

import syndetect.provenance.inference as inference
from syndetect import Document, Params, scan

_spec = importlib.util.spec_from_file_location(
    "popular_passage_bench", Path(__file__).resolve().parents[1] / "benchmarks" / "popular_passage.py")
_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_bench)
PASSAGE = _bench.PASSAGE


def popular(n: int, seed: int = 3) -> list[Document]:
    """benchmarks/popular_passage.py's corpus, each edited copy its own version, every seventh a trimmed copy."""
    return _bench.corpus(n, versions=0, seed=seed, trimmed=True)


def counted(docs: list[Document], monkeypatch) -> tuple[Counter, object]:
    counts: Counter = Counter()
    with monkeypatch.context() as m:
        link, get, rounded, similarity, contained = (inference._link, inference._Affinity.get,
                                                     inference._Affinity.rounded, inference._similarity,
                                                     inference._contained)

        def count_link(d, earlier, *a, **k):
            counts["candidates"] += len(earlier)
            return link(d, earlier, *a, **k)

        def count_get(self, key, default=0.0):
            counts["affinity"] += 1
            return get(self, key, default)

        def count_rounded(self, a, others, ci=None):
            counts["affinity"] += len(others)
            return rounded(self, a, others, ci)

        def count_similarity(a, b):
            counts["similarity"] += 1
            return similarity(a, b)

        def count_contained(*a):
            counts["containment"] += 1
            return contained(*a)

        m.setattr(inference, "_link", count_link)
        m.setattr(inference._Affinity, "get", count_get)
        m.setattr(inference._Affinity, "rounded", count_rounded)
        m.setattr(inference, "_similarity", count_similarity)
        m.setattr(inference, "_contained", count_contained)
        report = scan(docs, Params(), workers=1)
    return counts, report


@pytest.mark.parametrize("n", [200])
def test_provenance_work_and_output_linear_in_documents_sharing_a_passage(n, monkeypatch):
    (c1, r1), (c2, r2) = counted(popular(n), monkeypatch), counted(popular(2 * n), monkeypatch)
    big1, big2 = (max(len(c.docs) for c in r.clusters) for r in (r1, r2))
    assert big1 >= 0.9 * n and big2 >= 0.9 * 2 * n  # one popular cluster of (nearly) all of them
    for counts, size in ((c1, n), (c2, 2 * n)):
        assert counts["candidates"] > 0 and counts["affinity"] > 0  # the counters see the stage's work
        assert sum(counts.values()) <= 600 * size, counts  # bounded per document (all pairs: ~size²/2 each)
        assert counts["candidates"] <= 120 * size, counts
    assert sum(c2.values()) <= 2.5 * sum(c1.values()), (c1, c2)  # about twice the work, not four times
    for report, size in ((r1, n), (r2, 2 * n)):
        assert len(report.provenance) <= 3 * size
        assert sum(len(x) for e in report.provenance for x in e.evidence) <= 400 * size
    assert len(r2.provenance) <= 2.5 * len(r1.provenance)
    # no document of the popular cluster is dropped: each is the copy or the source of an edge
    big = max(r2.clusters, key=lambda c: len(c.docs))
    assert set(big.docs) <= {e.copy for e in r2.provenance} | {e.source for e in r2.provenance}


def test_bounded_candidates_give_the_all_pairs_answer(monkeypatch):
    docs = popular(60, seed=5)
    full = scan(docs, Params(), workers=1)  # 60 <= ALL_PAIRS_DOCS: every earlier document is a candidate
    assert max(len(c.docs) for c in full.clusters) > 50
    monkeypatch.setattr(inference, "ALL_PAIRS_DOCS", 8)  # the bounded path for the same cluster
    bounded = scan(docs, Params(), workers=1)
    assert [(e.source, e.copy, e.basis) for e in bounded.provenance] == [
        (e.source, e.copy, e.basis) for e in full.provenance
    ]
    assert [(c.origin, c.chain) for c in bounded.clusters] == [(c.origin, c.chain) for c in full.clusters]


def test_common_upstream_evidence_names_a_bounded_number_of_documents():
    """Documents that credit no one, beside many that credit an absent outlet: one line each, not N names."""

    def corpus(n: int) -> list[Document]:
        rng = random.Random(1)
        vocab = [f"x{i}" for i in range(9000)]

        def words(k: int) -> str:
            return " ".join(rng.choice(vocab) for _ in range(k))

        return [
            Document(id=f"e{i:04d}", outlet=f"S{i}", text="\n\n".join(
                [words(40) + ".", words(6) + " " + PASSAGE + ". " + words(9) + ".", words(40) + "."]
                + (["Source: Harbour Times"] if i % 3 == 0 else [])))
            for i in range(n)
        ]

    sizes = []
    for n in (150, 300):
        report = scan(corpus(n), Params(), workers=1)
        common = [e for e in report.provenance if e.basis == "common-upstream"]
        assert {e.copy for e in common} == {f"e{i:04d}" for i in range(n) if i % 3}  # each uncredited copy
        assert all(e.source == "external:Harbour Times" for e in common)
        assert all(" and " in e.evidence[0] and " more, which credit Harbour Times" in e.evidence[0] for e in common)
        sizes.append(sum(len(x) for e in report.provenance for x in e.evidence))
    assert sizes[1] <= 2.2 * sizes[0], sizes  # linear, not quadratic, in the documents
