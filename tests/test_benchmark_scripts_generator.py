"""Tests for the benchmark scripts: corpus generator, naive recipe, quality scorer.

The scripts live in benchmarks/ (not a package) and are loaded by path."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
WORD = re.compile(r"[a-z0-9]+")


def _load(name):
    key = f"_syndetect_bench_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, BENCH / f"{name}.py")
        mod = importlib.util.module_from_spec(spec)
        sys.modules[key] = mod          # dataclasses need the module registered
        spec.loader.exec_module(mod)
    return sys.modules[key]


gen = _load("generate_corpus")
naive = _load("naive")
quality = _load("quality")

N = 30


def _words(s):
    return WORD.findall(s.lower())


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("corpus")
    gen.generate(gen.Params(articles=N, seed=7), d)
    return d


@pytest.fixture(scope="module")
def data(corpus_dir):
    truth = json.loads((corpus_dir / "truth.json").read_text(encoding="utf-8"))
    docs = {}
    for line in (corpus_dir / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        docs[rec["id"]] = rec
    return truth, docs


def test_deterministic_for_a_seed(corpus_dir, tmp_path):
    again = tmp_path / "again"
    gen.generate(gen.Params(articles=N, seed=7), again)
    assert (again / "corpus.jsonl").read_bytes() == (corpus_dir / "corpus.jsonl").read_bytes()
    first = json.loads((corpus_dir / "truth.json").read_text())
    second = json.loads((again / "truth.json").read_text())
    for truth in (first, second):  # generation time is the one thing allowed to differ
        truth.get("stats", {}).pop("seconds", None)
    assert first == second
    other = tmp_path / "other"
    gen.generate(gen.Params(articles=N, seed=8), other)
    assert (other / "corpus.jsonl").read_bytes() != (corpus_dir / "corpus.jsonl").read_bytes()


def test_cli_writes_corpus(tmp_path):
    assert gen.main(["--articles", "12", "--seed", "3", "--out", str(tmp_path), "--quiet"]) == 0
    lines = (tmp_path / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 12


def test_corpus_records_and_paragraphs(data):
    truth, docs = data
    assert len(docs) == N and set(docs) == set(truth["documents"])
    for rec in docs.values():
        assert set(rec) == {"id", "title", "outlet", "url", "published", "text"}
        paras = rec["text"].split("\n\n")
        assert all(p and p == p.strip() and "\n" not in p for p in paras)
        if rec["published"] is not None:
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", rec["published"])
    roles = Counter(v["role"] for v in truth["documents"].values())
    assert set(roles) <= {"wire", "outlet", "aggregator", "independent", "hard-negative", "statement-quoter"}
    assert roles["wire"] + roles["independent"] >= 1
    for d, info in truth["documents"].items():
        up = info["upstream"]
        assert up is None or up.startswith("external:") or up in truth["documents"]
        assert info["outlet"] == docs[d]["outlet"]


def test_spans_point_into_paragraphs_and_groups_share_text(data):
    truth, docs = data
    assert truth["spans"] and truth["reused_pairs"]
    spans = defaultdict(list)
    groups = defaultdict(list)
    for s in truth["spans"]:
        paras = docs[s["doc"]]["text"].split("\n\n")
        assert 1 <= s["paragraph"] <= len(paras)
        text = paras[s["paragraph"] - 1]
        assert 0 <= s["start"] < s["end"] <= len(text)
        span_text = text[s["start"]:s["end"]]
        assert span_text == span_text.strip() and _words(span_text)
        spans[(s["doc"], s["paragraph"])].append(span_text)
        groups[s["group"]].append((s["doc"], span_text))
    # every group links two documents whose span texts share >= 15 words
    for members in groups.values():
        assert len({d for d, _ in members}) >= 2
        best = 0
        for i, (da, ta) in enumerate(members):
            for db, tb in members[i + 1:]:
                if da != db:
                    best = max(best, sum((Counter(_words(ta)) & Counter(_words(tb))).values()))
        assert best >= 15
    # every reused pair: the spans of both paragraphs share >= 15 words
    for r in truth["reused_pairs"]:
        a, b = (r["a"], r["a_paragraph"]), (r["b"], r["b_paragraph"])
        assert a < b and a[0] != b[0]
        ca = Counter(_words(" ".join(spans[a])))
        cb = Counter(_words(" ".join(spans[b])))
        assert sum((ca & cb).values()) >= 15
        assert r["source"] in truth["documents"] or r["source"].startswith("external:")


def test_boilerplate_points_at_existing_paragraphs(data):
    truth, docs = data
    cats = {"newsletter", "social", "comments", "related", "credit", "notice", "byline", "navigation",
            "repeated-headline", "end-marker", "other"}
    assert truth["boilerplate"]
    reused = {(r["a"], r["a_paragraph"]) for r in truth["reused_pairs"]} | \
             {(r["b"], r["b_paragraph"]) for r in truth["reused_pairs"]}
    for b in truth["boilerplate"]:
        paras = docs[b["doc"]]["text"].split("\n\n")
        assert 1 <= b["paragraph"] <= len(paras)
        assert b["category"] in cats
        assert (b["doc"], b["paragraph"]) not in reused


def _runs(text, n):
    w = _words(text)
    return {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}


def test_hard_negatives_share_no_long_run(tmp_path):
    # more hard negatives than the default mix, still tiny
    d = tmp_path / "hn"
    gen.generate(gen.Params(articles=40, seed=11, hard_negative_prob=1.0, wire_story_prob=1.0), d)
    truth = json.loads((d / "truth.json").read_text(encoding="utf-8"))
    bp = {(b["doc"], b["paragraph"]) for b in truth["boilerplate"]}
    runs = {}
    for line in (d / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        r = set()
        for k, p in enumerate(rec["text"].split("\n\n"), 1):
            if (rec["id"], k) not in bp:
                r |= _runs(p, 15)
        runs[rec["id"]] = r
    hns = [k for k, v in truth["documents"].items() if v["role"] == "hard-negative"]
    assert hns
    for h in hns:
        for other, r in runs.items():
            if other != h:
                assert not (runs[h] & r), (h, other)


def test_no_accidental_runs_across_stories(corpus_dir):
    res = gen.corpus_check(corpus_dir, run=12)
    assert res["documents_checked"] == N and res["violations"] == 0, res["examples"]


def test_naive_recipe_returns_pairs(corpus_dir, data):
    truth, _ = data
    pairs, timings = naive.naive_pairs(corpus_dir / "corpus.jsonl", return_timings=True)
    assert pairs and all(a < b and a[0] != b[0] for a, b in pairs)
    assert {"read", "minhash", "index", "query", "total"} <= set(timings)
    gold = quality.truth_pairs(truth)
    assert pairs & gold      # finds some true reuse ...
    assert naive.naive_pairs(corpus_dir / "corpus.jsonl") == pairs


def test_scorer_perfect_and_perturbed(data):
    truth, docs = data
    report = quality.report_from_truth(truth, docs)
    s = quality.score_report(report, truth, docs)
    assert s["pairs"]["f1"] == 1.0
    assert s["spans"]["precision"] == 1.0 and s["spans"]["recall"] == 1.0
    assert s["boilerplate"]["precision"] == 1.0 and s["boilerplate"]["recall"] == 1.0
    assert s["provenance"]["accuracy_all"] == 1.0 and s["provenance"]["accuracy_gated"] == 1.0
    bad = quality.score_report(quality.perturb_report(report, seed=1, rate=0.3), truth, docs)
    assert bad["pairs"]["f1"] < 1.0
    assert bad["boilerplate"]["precision"] < 1.0
    assert bad["provenance"]["accuracy_all"] < 1.0
    empty = quality.score_report({"clusters": [], "boilerplate": [], "provenance": []}, truth, docs)
    assert empty["pairs"]["recall"] == 0.0 and empty["provenance"]["accuracy_all"] == 0.0


def test_scorer_counts_cluster_pairs_across_documents_only():
    truth = {"reused_pairs": [{"a": "x", "a_paragraph": 1, "b": "y", "b_paragraph": 2, "source": "x"}]}
    rep = {"clusters": [{"id": 1, "members": [{"doc": "x", "paragraph": 1}, {"doc": "x", "paragraph": 3},
                                              {"doc": "y", "paragraph": 2}]}]}
    s = quality.prf(quality.report_pairs(rep), quality.truth_pairs(truth))
    assert s["tp"] == 1 and s["fp"] == 1 and s["fn"] == 0


def test_provenance_stage_dump_and_run_give_the_scans_provenance(tmp_path):
    """benchmarks/provenance_stage.py: the stage run alone on a scan's inputs gives that scan's edges."""
    import subprocess

    from syndetect import scan
    from syndetect.readers.inputs import read_inputs

    seeds = BENCH.parent / "fixtures" / "seeds"
    pkl = tmp_path / "inputs.pkl"
    script = str(BENCH / "provenance_stage.py")
    dumped = subprocess.run([sys.executable, script, "dump", str(seeds), str(pkl), "--workers", "1"],
                            capture_output=True, text=True, timeout=120)
    assert dumped.returncode == 0 and pkl.exists(), dumped.stderr
    ran = subprocess.run([sys.executable, script, "run", str(pkl)], capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    got = json.loads(ran.stdout)
    report = scan(read_inputs([str(seeds)]), workers=1)
    assert got["edges"] == len(report.provenance) > 0 and got["clusters"] == len(report.clusters)
