"""The provenance stage's shortcuts give the answers of the plain computations they replace.

Each shortcut (affinities per version, a large cluster's candidates through sorted prefixes, a
quoted-speech test that stops once the passage can no longer be quoted speech, the lead paragraph
looked for only where a wire tag can be) is run beside the plain computation, written out here
as it was, on clusters that exercise it: the results must be equal, not close.
"""

from __future__ import annotations

import random
import re
from bisect import bisect_left
from collections import Counter

import pytest

import syndetect.provenance.inference as inference
from syndetect import Document, Params, scan
from syndetect.core.text import tokenize
from syndetect.model import Cluster, Member
from tests.test_provenance_linear import popular


def _clusters(seed: int, n_docs: int = 250, n_clusters: int = 14) -> list[Cluster]:
    """Overlapping clusters of few versions (and some of many): documents share several passages."""
    rng = random.Random(seed)
    vocab = [f"v{i}" for i in range(60)]
    out = []
    for k in range(n_clusters):
        base = [rng.choice(vocab) for _ in range(rng.randint(6, 20))]
        many = k % 5 == 4  # more versions than _AFFINITY_MAX_VERSIONS
        versions = []
        for _ in range(40 if many else rng.randint(1, 6)):
            words = list(base)
            for _ in range(rng.randint(0, 3)):
                words[rng.randrange(len(words))] = rng.choice(vocab)
            versions.append(" ".join(words))
        docs = sorted(rng.sample(range(n_docs), rng.randint(2, 60)))
        members = []
        for d in docs:
            for p in range(rng.choice((1, 1, 1, 2))):  # a document may hold the passage twice
                text = rng.choice(versions)
                members.append(Member(f"d{d:03d}", 2 * k + p, 0, len(text), text))
        out.append(Cluster(f"c{k}", f"f{k}", tuple(members), 10))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_rounded_affinities_are_the_pairwise_sums(seed):
    clusters = _clusters(seed)
    affinity = inference._Affinity(clusters)
    reference = inference._Affinity(clusters)  # its own caches
    checked = Counter()
    for ci, c in enumerate(clusters):
        docs = sorted({m.doc for m in c.members})
        for a in docs:
            others = [o for o in docs if o != a]
            expected = [round(reference.get((min(a, o), max(a, o)), 0.0), 3) for o in others]
            assert affinity.rounded(a, others, ci) == expected
            assert affinity.rounded(a, others) == expected
            checked["elsewhere" if len(affinity.clusters_of[a]) > 1 else "one"] += 1
    assert checked["elsewhere"] and checked["one"]


def _reference_bigrams(text: str) -> frozenset[tuple[str, str]]:
    toks = tokenize(text)
    return frozenset(zip(toks, toks[1:])) | {(t, "") for t in toks}


@pytest.mark.parametrize("seed", range(3))
def test_version_similarities_are_the_jaccard_of_string_pairs(seed):
    clusters = _clusters(seed)
    odd = ["", "a", "a a a a", "a b a b a", "b a", "Ünïcödé words, and more words", "a b c d e f g h i j k l"]
    clusters.append(Cluster("odd", "odd", tuple(Member(f"o{i}", 1, 0, len(t), t) for i, t in enumerate(odd)), 1))
    affinity = inference._Affinity(clusters)
    compared = 0
    for ci in range(len(clusters)):
        texts = affinity._version_text[ci]
        for va, a in enumerate(texts):
            for vb, b in enumerate(texts):
                if va != vb:
                    ga, gb = _reference_bigrams(a), _reference_bigrams(b)
                    assert affinity._similarity(ci, va, vb) == len(ga & gb) / max(1, len(ga | gb))
                    compared += 1
    assert compared > 100


def _reference_candidates(self, d: str, pos: int) -> list[str]:
    """``_Cluster.candidates`` as it was: every run bisected for every document."""
    picked: set[int] = set()
    for positions, first, tied in self.runs:
        below = bisect_left(positions, pos)
        picked.update(positions[: min(first, below)])
        if min(tied, below):
            picked.add(positions[min(tied, below) - 1])
    for cj in self.affinity.clusters_of[d]:
        if cj != self.ci and len(self.affinity.docs_of[cj]) <= inference.ALL_PAIRS_DOCS:
            picked.update(i for o in self.affinity.docs_of[cj] if (i := self.pos.get(o, pos)) < pos)
    for lab, _ in self.evidence[d].credits:
        picked.update([i for i in (self.pos[o] for o in self.outlet_docs(lab)[: inference.EARLIEST]) if i < pos])
    return [self.ordered[i] for i in sorted(picked)]


def _tied_docs(n: int, seed: int) -> list[Document]:
    """The popular passage on three dates (many documents tied on each), some undated; a second
    passage shared by some of the same documents."""
    rng = random.Random(seed)
    second = "the harbour authority confirmed that the new ferry timetable will take effect on the first monday of march"
    out = []
    for i, d in enumerate(popular(n, seed=seed)):
        pars = d.text.split("\n\n")
        if i % 20 == 0:
            own = " ".join(f"y{rng.randrange(9999)}" for _ in range(12))
            pars.insert(1, f"{own} {second}. {own}.")
        text = "\n\n".join(pars)
        out.append(Document(id=d.id, text=text, outlet=d.outlet, url=f"https://outlet{i}.example.com/{i}",
                            published=None if i % 5 == 0 else f"2024-01-0{1 + i % 3}"))
    return out


def test_large_cluster_candidates_are_the_plain_ones(monkeypatch):
    fast = inference._Cluster.candidates
    calls = Counter()

    def both(self, d, pos):
        got = fast(self, d, pos)
        assert got == _reference_candidates(self, d, pos)
        calls["compared"] += 1
        calls["ties"] += bool(self._ties)
        calls["shared"] += bool(self._shared)
        return got

    monkeypatch.setattr(inference, "ALL_PAIRS_DOCS", 8)  # the bounded path for every cluster beyond 8 documents
    monkeypatch.setattr(inference._Cluster, "candidates", both)
    scan(_tied_docs(150, seed=4), Params(), workers=1)
    assert calls["compared"] > 100 and calls["ties"] and calls["shared"]


def _reference_statement(members, text_of, cluster_id):
    """``_statement_label`` as it was: every member read to the end."""
    quoted = 0
    speakers: Counter = Counter()
    evidence = []
    for m in members:
        text = text_of[(m.doc, m.paragraph)]
        share = inference._quoted_share(text, m.start, m.end)
        attributed, who = inference._speaker(text, m.start, m.end)
        if share >= 0.7 or (share >= 0.3 and attributed):
            quoted += 1
            if who and who.lower() not in ("he", "she", "it", "they"):
                speakers[who] += 1
            evidence.append(f"{m.doc}: quoted speech{' attributed to ' + who if who else ''}")
    if quoted < max(2, (len(members) + 1) // 2):
        return None, []
    named = {
        re.sub(r"^(?:The|An?)\s+", "", who): n
        for who, n in speakers.items()
        if who[:1].isupper() and re.sub(r"^(?:the|an?)\s+", "", who.lower()) not in inference._GENERIC
    }
    if named:
        top = max(named.items(), key=lambda kv: (kv[1], len(kv[0]), kv[0]))[0]
        label = top if "statement" in top.lower() else f"{top} statement"
    else:
        label = f"statement quoted in {cluster_id}"
    return f"external:{label}", evidence


@pytest.mark.parametrize("seed", range(4))
def test_quoted_speech_test_stops_early_with_the_same_answer(seed):
    rng = random.Random(seed)
    quote = "the talks were constructive and both sides will meet again next month"
    forms = [
        f'"{quote}," the Foreign Ministry said.',
        f'The minister said: "{quote}".',
        f"{quote}, according to people familiar with the matter.",
        f'He added that "{quote}" and left.',
        f'"{quote}',
    ]
    answers = Counter()
    for k in range(40):
        members, text_of = [], {}
        for i in range(rng.randint(1, 9)):
            text = rng.choice(forms)
            start = text.index(quote)
            members.append(Member(f"d{i}", 1, start, start + len(quote), quote))
            text_of[(f"d{i}", 1)] = text
        got = inference._statement_label(members, text_of, f"c{k}")
        assert got == _reference_statement(members, text_of, f"c{k}")
        answers[got[0] is not None] += 1
    assert answers[True] and answers[False]


def test_lines_by_doc_is_the_prefix_filter():
    lines = ["a: quoted speech", "b: quoted speech attributed to X", "a: quoted speech attributed to Y", "ab: x"]
    for docs in (["a", "b", "ab", "c"], ["a", "a:b", "b"]):
        lines_of = inference._lines_by_doc(lines + [f"{d}: q" for d in docs], docs)
        for d in docs:
            assert lines_of(d) == [w for w in lines + [f"{x}: q" for x in docs] if w.startswith(d + ":")]
