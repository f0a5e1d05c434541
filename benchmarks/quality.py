#!/usr/bin/env python3
"""Score syndetect (and the naive MinHash recipe) against generated ground truth.

    python benchmarks/quality.py --sizes 1000,5000 --seed 1 [--out benchmarks/out/quality.json]
    python benchmarks/quality.py --score-report REPORT.json --corpus-dir DIR   # score one report

For every size: generate a corpus into benchmarks/out/ (generate_corpus.py), run
``python -m syndetect scan DIR/corpus.jsonl --format json -o DIR/report.json --quiet``, run the
naive recipe (naive.py) on the same corpus, and score both against DIR/truth.json:

- reused paragraph pairs: precision / recall / F1.  syndetect: every pair of members of one
  cluster in different documents is a predicted pair; naive: its candidate pairs.
- spans (syndetect): character-level precision / recall of the reported member spans against the
  truth spans of the same (doc, paragraph).
- boilerplate: precision / recall by (doc, paragraph), plus category agreement on the hits.
- provenance: over documents with a true upstream that carry a `published` time or a credit (the
  headline number), and over all documents with an upstream: the fraction for which some
  provenance edge has ``source == true upstream`` and ``copy == doc``.  An "external:<label>"
  upstream (a quoted statement) is matched by any edge whose source starts with "external:".
  Also reported: accuracy when naming any true ancestor counts (an aggregator that copied an
  outlet's copy of a wire story credited to the wire), per kind of upstream, and edge precision
  (exact upstream, or any true ancestor).

Targets shown beside the results: pair F1 >= 0.95, provenance accuracy >= 0.9.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import subprocess
import sys
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TARGETS = {"pair_f1": 0.95, "provenance_accuracy": 0.9}


def _load(name: str):
    """Import a sibling script (benchmarks/ is not a package)."""
    key = f"_syndetect_bench_{name}"
    if key in sys.modules:
        return sys.modules[key]
    spec = importlib.util.spec_from_file_location(key, HERE / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[key] = mod
    spec.loader.exec_module(mod)
    return mod


# --------------------------------------------------------------------------------------------
# loading

def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def load_corpus(path) -> dict:
    """{doc id: record}"""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rec = json.loads(line)
                out[rec["id"]] = rec
    return out


def _key(doc, paragraph):
    return (str(doc), int(paragraph))


def _pair(a, b):
    return (a, b) if a < b else (b, a)


# --------------------------------------------------------------------------------------------
# metrics

def prf(pred: set, gold: set) -> dict:
    tp = len(pred & gold)
    p = tp / len(pred) if pred else (1.0 if not gold else 0.0)
    r = tp / len(gold) if gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "fp": len(pred) - tp, "fn": len(gold) - tp,
            "predicted": len(pred), "gold": len(gold)}


def truth_pairs(truth: dict) -> set:
    return {_pair(_key(r["a"], r["a_paragraph"]), _key(r["b"], r["b_paragraph"])) for r in truth["reused_pairs"]}


def report_pairs(report: dict) -> set:
    pairs = set()
    for c in report.get("clusters", []):
        keys = sorted({_key(m["doc"], m["paragraph"]) for m in c.get("members", [])})
        for a, b in combinations(keys, 2):
            if a[0] != b[0]:
                pairs.add((a, b))
    return pairs


def _union(iv):
    out = []
    for s, e in sorted(iv):
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1][1] = e
        else:
            out.append([s, e])
    return out


def _overlap(a, b) -> int:
    i = j = tot = 0
    while i < len(a) and j < len(b):
        s = max(a[i][0], b[j][0])
        e = min(a[i][1], b[j][1])
        if e > s:
            tot += e - s
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tot


def score_spans(report: dict, truth: dict) -> dict:
    gold, pred = defaultdict(list), defaultdict(list)
    for s in truth["spans"]:
        gold[_key(s["doc"], s["paragraph"])].append((s["start"], s["end"]))
    for c in report.get("clusters", []):
        for m in c.get("members", []):
            if m.get("start") is not None and m.get("end") is not None:
                pred[_key(m["doc"], m["paragraph"])].append((int(m["start"]), int(m["end"])))
    g_tot = p_tot = ov = 0
    for k in set(gold) | set(pred):
        g = _union(gold.get(k, ()))
        p = _union(pred.get(k, ()))
        g_tot += sum(e - s for s, e in g)
        p_tot += sum(e - s for s, e in p)
        ov += _overlap(g, p)
    precision = ov / p_tot if p_tot else (1.0 if not g_tot else 0.0)
    recall = ov / g_tot if g_tot else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "overlap_chars": ov,
            "predicted_chars": p_tot, "gold_chars": g_tot}


def score_boilerplate(report: dict, truth: dict) -> dict:
    gold = {_key(b["doc"], b["paragraph"]): b["category"] for b in truth["boilerplate"]}
    pred = {}
    for b in report.get("boilerplate", []):
        pred.setdefault(_key(b["doc"], b["paragraph"]), b.get("category"))
    out = prf(set(pred), set(gold))
    hits = set(pred) & set(gold)
    out["category_agreement"] = (sum(pred[k] == gold[k] for k in hits) / len(hits)) if hits else None
    per_cat = defaultdict(lambda: [0, 0])
    for k, c in gold.items():
        per_cat[c][1] += 1
        per_cat[c][0] += k in pred
    out["recall_by_category"] = {c: round(h / n, 4) for c, (h, n) in sorted(per_cat.items())}
    return out


def score_provenance(report: dict, truth: dict, corpus: dict | None = None) -> dict:
    docs = truth["documents"]
    sources = defaultdict(set)
    edges = []
    for e in report.get("provenance", []):
        s, c = str(e.get("source")), str(e.get("copy"))
        sources[c].add(s)
        edges.append((s, c))

    def ok(d, up):
        srcs = sources.get(d, ())
        if up in srcs:
            return True
        return up.startswith("external:") and any(s.startswith("external:") for s in srcs)

    def published(d):
        if corpus is not None and d in corpus:
            return corpus[d].get("published")
        return docs[d].get("published")

    def ancestors(d):
        seen = []
        up = docs.get(d, {}).get("upstream")
        while up and up not in seen:
            seen.append(up)
            up = docs.get(up, {}).get("upstream") if not up.startswith("external:") else None
        return seen

    res = {}
    groups = {"all": [], "gated": [], "doc_upstream": [], "external_upstream": [], "any_ancestor_all": []}
    for d, info in docs.items():
        up = info.get("upstream")
        if not up:
            continue
        hit = ok(d, up)
        groups["all"].append(hit)
        groups["any_ancestor_all"].append(hit or any(ok(d, a) for a in ancestors(d)))
        if published(d) is not None or info.get("credit"):
            groups["gated"].append(hit)
        groups["external_upstream" if up.startswith("external:") else "doc_upstream"].append(hit)
    for name, hits in groups.items():
        res[f"accuracy_{name}"] = (sum(hits) / len(hits)) if hits else None
        res[f"n_{name}"] = len(hits)
    res["accuracy"] = res["accuracy_gated"]

    exact = anc = reversed_ = 0
    for s, c in edges:
        up = docs.get(c, {}).get("upstream")
        if up and (s == up or (up.startswith("external:") and s.startswith("external:"))):
            exact += 1
        a = ancestors(c)
        if s in a or (s.startswith("external:") and any(x.startswith("external:") for x in a)):
            anc += 1
        if docs.get(s, {}).get("upstream") == c:
            reversed_ += 1
    n = len(edges)
    res.update({"edges": n, "edge_precision_exact": exact / n if n else None,
                "edge_precision_ancestor": anc / n if n else None, "edges_reversed": reversed_})
    return res


def score_report(report: dict, truth: dict, corpus: dict | None = None) -> dict:
    return {"pairs": prf(report_pairs(report), truth_pairs(truth)),
            "spans": score_spans(report, truth),
            "boilerplate": score_boilerplate(report, truth),
            "provenance": score_provenance(report, truth, corpus)}


def score_pairs(pairs: set, truth: dict) -> dict:
    return {"pairs": prf({_pair(_key(*a), _key(*b)) for a, b in pairs}, truth_pairs(truth))}


# --------------------------------------------------------------------------------------------
# synthetic reports (for testing the scorer before / without syndetect)

def report_from_truth(truth: dict, corpus: dict) -> dict:
    """A report in syndetect's JSON contract that reproduces the truth exactly."""
    texts = {d: rec["text"].split("\n\n") for d, rec in corpus.items()}
    gold = truth_pairs(truth)
    groups = defaultdict(list)
    for s in truth["spans"]:
        groups[s["group"]].append(s)

    def member(s):
        k = _key(s["doc"], s["paragraph"])
        return {"doc": k[0], "paragraph": k[1], "start": s["start"], "end": s["end"],
                "text": texts[k[0]][k[1] - 1][s["start"]:s["end"]]}

    clusters = []
    for g in sorted(groups):
        spans = groups[g]
        keys = sorted({_key(s["doc"], s["paragraph"]) for s in spans})
        if all(_pair(a, b) in gold for a, b in combinations(keys, 2) if a[0] != b[0]):
            clusters.append({"id": len(clusters) + 1, "members": [member(s) for s in spans]})
            continue
        by_key = defaultdict(list)
        for s in spans:
            by_key[_key(s["doc"], s["paragraph"])].append(s)
        for a, b in combinations(keys, 2):   # not every member shares text with every other
            if a[0] != b[0] and _pair(a, b) in gold:
                clusters.append({"id": len(clusters) + 1,
                                 "members": [member(s) for s in by_key[a] + by_key[b]]})
    documents = [{"id": d, "source": None, "title": rec.get("title"), "outlet": rec.get("outlet"),
                  "published": rec.get("published"), "paragraphs": len(texts[d]), "reused_fraction": None}
                 for d, rec in sorted(corpus.items())]
    boiler = [{"doc": b["doc"], "paragraph": b["paragraph"], "text": texts[b["doc"]][b["paragraph"] - 1],
               "category": b["category"], "reason": "truth"} for b in truth["boilerplate"]]
    prov = [{"source": info["upstream"], "copy": d, "basis": "truth", "confidence": 1.0, "evidence": []}
            for d, info in sorted(truth["documents"].items()) if info.get("upstream")]
    return {"documents": documents, "clusters": clusters, "boilerplate": boiler, "provenance": prov,
            "parameters": {"from": "truth"}, "version": "truth"}


def perturb_report(report: dict, seed: int = 0, rate: float = 0.1) -> dict:
    """Damage a report: drop clusters, add false ones, shrink spans, drop / add boilerplate,
    reverse provenance edges."""
    rng = random.Random(seed)
    clusters = [dict(c, members=[dict(m) for m in c["members"]]) for c in report["clusters"]
                if rng.random() >= rate]
    docs = [d["id"] for d in report["documents"]]
    n_paras = {d["id"]: d["paragraphs"] for d in report["documents"]}
    for _ in range(max(1, int(rate * len(report["clusters"])))):
        a, b = rng.sample(docs, 2)
        clusters.append({"id": len(clusters) + 1, "members": [
            {"doc": a, "paragraph": rng.randint(1, n_paras[a]), "start": 0, "end": 10, "text": ""},
            {"doc": b, "paragraph": rng.randint(1, n_paras[b]), "start": 0, "end": 10, "text": ""}]})
    for c in clusters:
        for m in c["members"]:
            if rng.random() < rate:
                m["end"] = m["start"] + max(1, int((m["end"] - m["start"]) * 0.6))
    boiler = [b for b in report["boilerplate"] if rng.random() >= rate]
    for _ in range(max(1, int(rate * len(report["boilerplate"])))):
        d = rng.choice(docs)
        boiler.append({"doc": d, "paragraph": rng.randint(1, n_paras[d]), "text": "", "category": "other",
                       "reason": "noise"})
    prov = []
    for e in report["provenance"]:
        e = dict(e)
        if rng.random() < rate and not str(e["source"]).startswith("external:"):
            e["source"], e["copy"] = e["copy"], e["source"]
        prov.append(e)
    return dict(report, clusters=clusters, boilerplate=boiler, provenance=prov)


# --------------------------------------------------------------------------------------------
# running

def run_syndetect(corpus: Path, report: Path, extra_args=(), timeout=None) -> dict:
    cmd = [sys.executable, "-m", "syndetect", "scan", str(corpus), "--format", "json", "-o", str(report),
           "--quiet", *extra_args]
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    t0 = time.perf_counter()
    peak = None
    try:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            import psutil
            ps = psutil.Process(proc.pid)
            peak = 0
            while proc.poll() is None:
                try:
                    rss = ps.memory_info().rss + sum(c.memory_info().rss for c in ps.children(recursive=True))
                    peak = max(peak, rss)
                except psutil.Error:
                    pass
                if timeout and time.perf_counter() - t0 > timeout:
                    proc.kill()
                    break
                time.sleep(0.05)
        except ImportError:
            pass
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return {"ok": False, "seconds": time.perf_counter() - t0, "error": "timeout", "cmd": cmd}
    secs = time.perf_counter() - t0
    res = {"ok": proc.returncode == 0 and report.exists(), "seconds": secs, "returncode": proc.returncode,
           "cmd": cmd, "peak_rss_mb": round(peak / 2**20, 1) if peak else None}
    if not res["ok"]:
        res["error"] = (err or out or "")[-2000:]
    return res


def _r(x, nd=3):
    return "-" if x is None else f"{x:.{nd}f}"


def markdown(results: dict) -> str:
    head = ("| size | system | pair P | pair R | pair F1 | span P | span R | boiler P | boiler R | "
            "prov acc (dated/credited) | prov acc (all) | seconds |")
    lines = [head, "|" + "---|" * 12]
    for size, r in results["sizes"].items():
        for system in ("syndetect", "naive"):
            s = r.get(system)
            if s is None:
                continue
            if not s.get("ok", True):
                lines.append(f"| {size} | {system} | failed: {str(s.get('error', ''))[:60].strip()!r} |" + " |" * 9)
                continue
            sc = s["scores"]
            p = sc["pairs"]
            sp, bp, pv = sc.get("spans"), sc.get("boilerplate"), sc.get("provenance")
            lines.append(" | ".join([
                f"| {size}", system, _r(p["precision"]), _r(p["recall"]), _r(p["f1"]),
                _r(sp and sp["precision"]), _r(sp and sp["recall"]),
                _r(bp and bp["precision"]), _r(bp and bp["recall"]),
                _r(pv and pv["accuracy_gated"]), _r(pv and pv["accuracy_all"]),
                f"{s['seconds']:.1f} |"]))
    lines.append(f"| target | | | | >= {TARGETS['pair_f1']} | | | | | >= {TARGETS['provenance_accuracy']} | | |")
    return "\n".join(lines)


def targets_met(results: dict) -> dict:
    out = {}
    for size, r in results["sizes"].items():
        s = r.get("syndetect")
        if not s or not s.get("ok"):
            out[size] = None
            continue
        f1 = s["scores"]["pairs"]["f1"]
        acc = s["scores"]["provenance"]["accuracy_gated"]
        out[size] = {"pair_f1": f1 >= TARGETS["pair_f1"],
                     "provenance_accuracy": acc is not None and acc >= TARGETS["provenance_accuracy"]}
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--sizes", default="1000,5000", help="comma-separated corpus sizes (documents)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", type=Path, default=HERE / "out", help="where corpora and reports go")
    ap.add_argument("--out", type=Path, help="write the results JSON here")
    ap.add_argument("--reuse", action="store_true", help="reuse an existing corpus of the same size and seed")
    ap.add_argument("--no-naive", action="store_true", help="skip the naive MinHash recipe")
    ap.add_argument("--no-syndetect", action="store_true", help="skip syndetect")
    ap.add_argument("--syndetect-arg", action="append", default=[], help="extra argument for syndetect scan")
    ap.add_argument("--timeout", type=float, default=None, help="seconds allowed for one syndetect run")
    ap.add_argument("--score-report", type=Path, help="only score this report against --corpus-dir")
    ap.add_argument("--corpus-dir", type=Path, help="directory with corpus.jsonl and truth.json")
    args = ap.parse_args(argv)

    if args.score_report:
        if not args.corpus_dir:
            ap.error("--score-report needs --corpus-dir")
        truth = load_json(args.corpus_dir / "truth.json")
        corpus = load_corpus(args.corpus_dir / "corpus.jsonl")
        scores = score_report(load_json(args.score_report), truth, corpus)
        print(json.dumps(scores, indent=1))
        if args.out:
            args.out.write_text(json.dumps(scores, indent=1), encoding="utf-8")
        return 0

    gen = _load("generate_corpus")
    naive = _load("naive")
    results = {"seed": args.seed, "targets": TARGETS, "sizes": {}}
    for size in [int(x) for x in args.sizes.split(",") if x.strip()]:
        d = args.workdir / f"q{size}-s{args.seed}"
        entry = {}
        if not (args.reuse and (d / "truth.json").exists() and (d / "corpus.jsonl").exists()):
            print(f"[{size}] generating corpus in {d}", file=sys.stderr)
            t0 = time.perf_counter()
            gen.generate(gen.Params(articles=size, seed=args.seed), d)
            entry["generation_seconds"] = round(time.perf_counter() - t0, 2)
        truth = load_json(d / "truth.json")
        corpus = load_corpus(d / "corpus.jsonl")
        entry["corpus"] = {"dir": str(d), **truth.get("stats", {})}
        if not args.no_syndetect:
            print(f"[{size}] running syndetect", file=sys.stderr)
            rp = d / "report.json"
            if rp.exists():
                rp.unlink()
            run = run_syndetect(d / "corpus.jsonl", rp, args.syndetect_arg, args.timeout)
            if run["ok"]:
                try:
                    run["scores"] = score_report(load_json(rp), truth, corpus)
                except Exception as exc:      # malformed report: say so, keep going
                    run.update(ok=False, error=f"could not score report: {exc!r}")
            else:
                print(f"[{size}] syndetect failed: {run.get('error', '')[-500:]}", file=sys.stderr)
            entry["syndetect"] = run
        if not args.no_naive:
            print(f"[{size}] running the naive recipe", file=sys.stderr)
            pairs, timings = naive.naive_pairs(d / "corpus.jsonl", return_timings=True)
            entry["naive"] = {"ok": True, "seconds": timings["total"], "timings": timings,
                              "scores": score_pairs(pairs, truth)}
            del pairs
        results["sizes"][str(size)] = entry
    results["targets_met"] = targets_met(results)
    table = markdown(results)
    results["table"] = table
    print(table)
    out = args.out or (args.workdir / "quality.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    print(f"\nwritten {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
