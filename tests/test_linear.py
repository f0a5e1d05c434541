"""A passage shared by N documents costs O(N): candidates, verification, clusters and report.

Counted, not timed: the number of paragraph pairs that reach exact verification,
the number of verbatim links, the members of the cluster, the report's pairs and
the size of its JSON, for N and 2N documents that all print one popular quote
(framed by different words in each, a one-word edit in a third of them, the
bare quote as a paragraph of its own in a fifth).
"""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from syndetect import Document, Params, scan
from syndetect.pipeline.stages import exact_repeats, group_candidates, map_units, paragraphs_of
from syndetect.render.report import render_json

QUOTE = (
    "the ministry said in a statement that the talks between the two delegations had been constructive and "
    "that both sides agreed to meet again next month to settle the remaining questions about the border crossings"
)
SECOND = (
    "residents of the valley told reporters that the river had risen by almost two metres overnight and that "
    "the only bridge to the market town was closed until the engineers could inspect its foundations"
)


def popular_corpus(n: int, seed: int = 7, extra_pair: bool = False) -> list[Document]:
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(5000)]

    def words(k: int) -> str:
        return " ".join(rng.choice(vocab) for _ in range(k))

    docs = []
    for i in range(n):
        q = QUOTE.split()
        if i % 3 == 1:
            q[rng.randrange(len(q))] = rng.choice(vocab)  # a one-word edit
        body = [words(40) + ".", words(12) + ' "' + " ".join(q) + '," ' + words(15) + ".", words(50) + "."]
        if i % 5 == 0:
            body[1] = " ".join(q) + "."
        if extra_pair and i in (3, 4):
            body.append(words(6) + " " + SECOND + ".")
        docs.append(Document(id=f"d{i:05d}", text="\n\n".join(body), outlet=f"outlet{i % 50}"))
    return docs


def verified_pairs(docs: list[Document], params: Params) -> tuple[int, int]:
    """(paragraph pairs aligned, verbatim links made) by the scan's stages on ``docs``."""
    paragraphs = [p for d in sorted(docs, key=lambda d: d.id) for p in paragraphs_of(d)]
    doc_index = {d: i for i, d in enumerate(sorted({p.doc for p in paragraphs}))}
    owner_doc = np.array([doc_index[p.doc] for p in paragraphs], dtype=np.int64)
    reps, exact = exact_repeats(paragraphs, list(range(len(paragraphs))), params)
    batch = map_units([paragraphs[i].text for i in reps], reps, params)
    return len(group_candidates([batch], owner_doc, params)), len(exact)


@pytest.mark.parametrize("n", [150, 300])
def test_verification_of_a_popular_passage_is_linear(n):
    params = Params()
    aligned, exact = verified_pairs(popular_corpus(n), params)
    aligned2, exact2 = verified_pairs(popular_corpus(2 * n), params)
    # a star per LSH bucket (and per group of identical units) once it exceeds max_bucket:
    # a bounded number of pairs per paragraph (about 57 at N = 300, 19 at N = 1200)
    assert aligned <= 60 * n and aligned2 <= 60 * 2 * n
    assert aligned2 <= 2.3 * aligned, (aligned, aligned2)  # not 4x for 2x the documents
    assert aligned2 < (2 * n) * (2 * n - 1) / 2 / 2  # well below all pairs
    assert exact <= n and exact2 <= 2 * n  # verbatim copies: each linked to the first one


def test_popular_passage_is_one_cluster_listed_once_and_no_pair_quadratic():
    n = 300
    report = scan(popular_corpus(n), Params(), workers=1)
    big = max(report.clusters, key=lambda c: len(c.docs))
    assert len(big.docs) > 0.8 * n
    keys = [(m.doc, m.paragraph, m.start, m.end) for m in big.members]
    assert len(keys) == len(set(keys))  # every member once
    assert len(big.members) <= 2 * len(big.docs)
    assert report.pairs == ()  # the only shared text is the popular passage
    assert len(report.provenance) <= 2 * n


def test_pairs_that_share_more_than_the_popular_passage_are_summarised():
    report = scan(popular_corpus(200, extra_pair=True), Params(), workers=1)
    assert [(p.a, p.b) for p in report.pairs] == [("d00003", "d00004")]
    (pair,) = report.pairs
    popular = max(report.clusters, key=lambda c: len(c.docs))
    in_popular = {"d00003", "d00004"} <= set(popular.docs)
    assert pair.clusters == 1 + in_popular  # their own passage, and the popular one they both print
    assert pair.a_paragraphs == 1 + in_popular


def test_all_pairs_lists_every_pair_on_request():
    docs = popular_corpus(120)
    default = scan(docs, Params(), workers=1)
    every = scan(docs, Params(all_pairs=True), workers=1)
    assert default.clusters == every.clusters
    n = len(every.clusters[0].docs)
    assert len(every.pairs) == n * (n - 1) // 2
    assert default.pairs == ()
    assert every.parameters["all_pairs"] is True and default.parameters["all_pairs"] is False


def test_report_size_grows_linearly():
    small = render_json(scan(popular_corpus(150), Params(), workers=1), pretty=False)
    large = render_json(scan(popular_corpus(300), Params(), workers=1), pretty=False)
    assert len(json.loads(large)["pairs"]) == 0
    assert len(large) <= 2.3 * len(small), (len(small), len(large))


def test_popular_docs_is_validated():
    with pytest.raises(ValueError):
        Params(popular_docs=1)


@pytest.mark.parametrize("n", [150, 600])
def test_verified_spans_of_a_popular_passage_are_linear(n):
    """The verify stage itself (the batch aligner): spans found for a passage in N documents stay <= c*N,
    and are the spans align() finds pair by pair."""
    from syndetect.core import verify
    from syndetect.core.text import tokenize
    from syndetect.pipeline.stages import pair_batch, verify_rows

    params = Params()
    counts = []
    for docs in (popular_corpus(n), popular_corpus(2 * n)):
        paragraphs = [p for d in sorted(docs, key=lambda d: d.id) for p in paragraphs_of(d)]
        doc_index = {d: i for i, d in enumerate(sorted({p.doc for p in paragraphs}))}
        owner_doc = np.array([doc_index[p.doc] for p in paragraphs], dtype=np.int64)
        reps, _ = exact_repeats(paragraphs, list(range(len(paragraphs))), params)
        pairs = group_candidates([map_units([paragraphs[i].text for i in reps], reps, params)], owner_doc, params)
        batch = pair_batch(pairs, paragraphs)
        rows = verify_rows(batch, params)
        reference = verify.align_many([tokenize(t) for t in batch.texts], batch.pairs, params, compiled=False)
        assert len(rows) == len(reference) and len(rows) >= len(pairs) // 2  # most candidates verify
        counts.append(len(rows))
    assert counts[0] <= 60 * n and counts[1] <= 60 * 2 * n
    assert counts[1] <= 2.3 * counts[0], counts
