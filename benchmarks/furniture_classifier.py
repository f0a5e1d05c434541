#!/usr/bin/env python3
"""Could a learned paragraph classifier replace ``shape/outside-body``? A held-out answer.

Issue 10's remaining target is "≤ 0.5 % of body paragraphs flagged" on the 181
real pages with furniture recall ≥ 0.9; the hand-written ``shape/outside-body``
rule (syndetect/rules/shape.py) flags 93 body paragraphs there. This script
measures the boilerpipe-style alternative (Kohlschütter et al. 2010, "shallow
text features") *held out*, before any of it goes into the runtime:

* every paragraph of a page the rule applies to (a whole page: the rule found
  furniture around a body) that no other per-document rule flagged is described
  by shallow features (:func:`paragraph_features`: word count, sentence end,
  prose/title shape, capitalised share, digit share, average word length,
  colon/list-item/separator/year/quote forms, sentence count; the same of the
  previous and next paragraph; position relative to the page's body span,
  distance to it, relative position, the run of short non-prose lines it sits
  in, prose density around it, the body's share of the page; and what the
  rule itself says, with a few interactions);
* two models are trained in plain numpy: an L2 logistic regression (Newton
  steps) and gradient-boosted depth-3 trees (histogram splits, 100 rounds);
* **cross-validation grouped by site** (registrable domain: 126 sites for the
  181 pages; grouping by page alone would let a site's template leak from its
  other pages into the test fold): each paragraph is scored by a model not
  trained on any page of its site; ``--folds`` folds;
* reported for decision thresholds from 0.5 to 0.99: body paragraphs flagged
  (the model's, plus the 15 other rules' body flags of the full scan) and
  furniture recall (the model's furniture flags, plus the other rules'), next
  to the rule's own figures on the same paragraphs, and the same models fit
  on all pages and scored on them (``--fit-on-all``: in-sample, for contrast).

Usage::

    python benchmarks/furniture_classifier.py [--folds 5] [--fit-on-all] [--json FILE]

(≈1 min on a quiet core). Needs numpy only.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from real_pages import emit, load_pages  # noqa: E402

from syndetect import Document, Params, scan  # noqa: E402
from syndetect.pipeline.scan import paragraphs_of  # noqa: E402
from syndetect.provenance.wires import registrable_domain  # noqa: E402
from syndetect.rules import shape  # noqa: E402
from syndetect.rules.boilerplate import Boilerplate, body_skip  # noqa: E402

_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
_PROSE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_DIGIT = re.compile(r"\d")
_NAV_CHARS = re.compile(r"[|•·»\u2022]")
_LIST_ITEM = shape._LIST_ITEM
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_QUOTE_START = re.compile(r"^[\"“‘'(\[]")
_SENTENCE = re.compile(r"[.!?…](?:\s|$)")


def _own(text: str, prose: bool, title: bool) -> tuple[float, ...]:
    s = text.strip()
    words = s.split()
    n = len(words)
    alpha = [w for w in _WORD.findall(s) if len(w) > 3]
    chars = sum(1 for c in s if not c.isspace()) or 1
    return (
        math.log1p(n), float(bool(_PROSE_END.search(s))), float(prose), float(title),
        sum(1 for w in alpha if w[0].isupper()) / len(alpha) if alpha else 1.0,
        len(_DIGIT.findall(s)) / chars, (sum(len(w) for w in words) / n) / 10.0 if n else 0.0,
        float(s.endswith(":")), float(bool(_LIST_ITEM.match(s))), float(bool(_NAV_CHARS.search(s))),
        float(bool(_YEAR.search(s))), float(bool(_QUOTE_START.match(s))), math.log1p(len(_SENTENCE.findall(s))),
    )


def paragraph_features(texts: Sequence[str], skip: Sequence[bool], span: tuple[int, int], rule: Sequence[bool],
                       params: shape.ShapeParams) -> list[tuple[float, ...]]:
    n = len(texts)
    lo, hi = span
    prose = [shape.is_prose(t, params) for t in texts]
    title = [shape.is_title_like(t, params) for t in texts]
    own = [_own(t, p, ti) for t, p, ti in zip(texts, prose, title)]
    short = [skip[i] or (not prose[i] and len(texts[i].split()) <= params.outside_max_words) for i in range(n)]
    run = [0] * n
    i = 0
    while i < n:
        j = i
        while j < n and short[j]:
            j += 1
        for k in range(i, j):
            run[k] = j - i
        i = j + 1 if j == i else j

    def neighbour(j: int) -> tuple[float, ...]:
        if j < 0 or j >= n:
            return (0.0, 0.0, 0.0, 0.0, 1.0, 1.0)
        o = own[j]
        return (o[0], o[1], o[2], o[3], float(skip[j]), float(rule[j]))

    out = []
    for i in range(n):
        inside, before, after = lo <= i <= hi, i < lo, i > hi
        dist = lo - i if before else (i - hi if after else 0)
        window = range(max(0, i - 3), min(n, i + 4))
        r = float(rule[i])
        out.append((
            *own[i], *neighbour(i - 1), *neighbour(i + 1),
            r, float(inside), float(before), float(after), math.log1p(dist),
            math.log1p(min(i - lo, hi - i) if inside else 0), i / max(1, n - 1), math.log1p(run[i]),
            sum(1 for j in window if prose[j] and j != i) / 6.0, (hi - lo + 1) / n, math.log1p(n),
            r * after, r * math.log1p(dist), own[i][3] * inside, own[i][2] * (not inside), own[i][0] * inside,
        ))
    return out


def site_of(host: str) -> str:
    """The site of a page: its registrable domain (``sport.guardian.co.uk`` -> ``guardian.co.uk``)."""
    return registrable_domain(host.removeprefix("www.")) or host


def collect(pages) -> dict:
    """Per paragraph of the pages the rule applies to (not flagged by another per-document rule):
    features, label (1 = furniture), the rule's decision, the site; and the full scan's other flags."""
    bp = Boilerplate.load()
    sp = bp.shape
    X, y, rule, groups = [], [], [], []
    for p in pages:
        d = Document(id=p.id, text=p.text, url=p.url)
        pars = paragraphs_of(d)
        flags, _ = bp.detect_documents([(d, pars)])
        sk = body_skip(flags)
        texts = [q.text for q in pars]
        skip = [(q.doc, q.index) in sk for q in pars]
        span = shape.body_span(texts, skip, sp)
        flagged = shape.outside_body(texts, skip, sp, span) if span else []
        if not flagged:
            continue
        r = [False] * len(texts)
        for i, _side in flagged:
            r[i] = True
        feats = paragraph_features(texts, skip, span, r, sp)  # type: ignore[arg-type]
        for i, t in enumerate(texts):
            if skip[i] or not shape._ALNUM.search(t):
                continue
            X.append(feats[i])
            y.append(0.0 if p.labels[i] else 1.0)
            rule.append(r[i])
            groups.append((site_of(p.host), p.id))
    # the rest of the full scan: every other rule's flags (the model only replaces shape/outside-body)
    report = scan([Document(id=p.id, text=p.text, url=p.url) for p in pages], Params(), workers=1)
    labels = {p.id: p.labels for p in pages}
    other_body = other_furniture = 0
    for f in report.boilerplate:
        if f.rule == "shape/outside-body":
            continue
        if labels[f.doc][f.paragraph - 1]:
            other_body += 1
        else:
            other_furniture += 1
    return {"X": np.array(X), "y": np.array(y), "rule": np.array(rule), "groups": groups,
            "body": sum(sum(v) for v in labels.values()), "furniture": sum(len(v) - sum(v) for v in labels.values()),
            "other_body": other_body, "other_furniture": other_furniture}


# -- models (plain numpy) ------------------------------------------------------
def fit_logistic(X, y, l2: float = 1.0):
    mu, sd = X.mean(0), X.std(0)
    sd[sd < 1e-9] = 1.0
    Z = np.hstack([(X - mu) / sd, np.ones((len(X), 1))])
    w = np.zeros(Z.shape[1])
    reg = l2 * np.r_[np.ones(len(w) - 1), 0.0]
    for _ in range(50):
        p = 1 / (1 + np.exp(-(Z @ w)))
        step = np.linalg.solve((Z * (p * (1 - p))[:, None]).T @ Z + np.diag(reg), Z.T @ (p - y) + reg * w)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return lambda Xt: 1 / (1 + np.exp(-(((Xt - mu) / sd) @ w[:-1] + w[-1])))


def fit_trees(X, y, rounds: int = 100, depth: int = 3, rate: float = 0.1, lam: float = 1.0, nbins: int = 32):
    edges = [np.unique(np.quantile(X[:, j], np.linspace(0, 1, nbins + 1)[1:-1])) for j in range(X.shape[1])]
    B = np.stack([np.searchsorted(e, X[:, j], side="right") for j, e in enumerate(edges)], 1)
    n, nf = B.shape
    p0 = float(np.clip(y.mean(), 1e-3, 1 - 1e-3))
    base = math.log(p0 / (1 - p0))
    F = np.full(n, base)
    trees = []
    for _ in range(rounds):
        p = 1 / (1 + np.exp(-F))
        g, h = p - y, p * (1 - p)
        tree: dict[int, tuple] = {}
        stack = [(0, np.arange(n), 0)]
        while stack:
            nid, idx, d = stack.pop()
            G, H = g[idx].sum(), h[idx].sum()
            best = (0.0, -1, -1)
            if d < depth and len(idx) >= 20:
                for j in range(nf):
                    gl = np.cumsum(np.bincount(B[idx, j], weights=g[idx], minlength=nbins + 1))[:-1]
                    hl = np.cumsum(np.bincount(B[idx, j], weights=h[idx], minlength=nbins + 1))[:-1]
                    ok = (hl >= 5) & (H - hl >= 5)
                    gain = np.where(ok, gl**2 / (hl + lam) + (G - gl) ** 2 / (H - hl + lam) - G**2 / (H + lam), -1.0)
                    b = int(np.argmax(gain))
                    if gain[b] > best[0]:
                        best = (float(gain[b]), j, b)
            if best[1] < 0:
                tree[nid] = ("leaf", -G / (H + lam) * rate)
                F[idx] += tree[nid][1]
                continue
            j, b = best[1], best[2]
            tree[nid] = ("split", j, edges[j][b] if b < len(edges[j]) else np.inf)
            left = B[idx, j] <= b
            stack += [(2 * nid + 1, idx[left], d + 1), (2 * nid + 2, idx[~left], d + 1)]
        trees.append(tree)

    def predict(Xt):
        out = np.full(len(Xt), base)
        for tree in trees:
            node = np.zeros(len(Xt), dtype=int)
            for _ in range(depth + 1):
                for k in np.unique(node):
                    t = tree[k]
                    if t[0] == "split":
                        m = node == k
                        go_left = Xt[m, t[1]] < t[2]
                        node[np.where(m)[0]] = np.where(go_left, 2 * k + 1, 2 * k + 2)
            out += np.array([tree[k][1] for k in node])
        return 1 / (1 + np.exp(-out))

    return predict


def folds(keys: Sequence[str], k: int) -> np.ndarray:
    """The fold of each row: every row of one group (a site, or a page) in the same fold."""
    fold_of = {key: int(hashlib.sha1(key.encode()).hexdigest(), 16) % k for key in set(keys)}
    return np.array([fold_of[key] for key in keys])


def held_out(X, y, fold: np.ndarray, fit) -> np.ndarray:
    """Each row's score from a model fit on the other folds only."""
    P = np.zeros(len(y))
    for k in sorted(set(fold.tolist())):
        model = fit(X[fold != k], y[fold != k])
        P[fold == k] = model(X[fold == k])
    return P


THRESHOLDS = (0.5, 0.7, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99)


def curve(P, data) -> list[dict]:
    y = data["y"]
    out = []
    for t in THRESHOLDS:
        fl = P >= t
        body = int((fl & (y == 0)).sum()) + data["other_body"]
        furn = int((fl & (y == 1)).sum()) + data["other_furniture"]
        out.append({"threshold": t, "body_flagged": body, "body_flagged_share": round(body / data["body"], 4),
                    "furniture_recall": round(furn / data["furniture"], 4)})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(HERE / "out"))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--group", choices=("site", "page"), default="site",
                    help="cross-validation groups: a page's whole site held out with it (default), or the page alone")
    ap.add_argument("--fit-on-all", action="store_true", help="also fit on all pages and score them (in-sample)")
    ap.add_argument("--json", default=None)
    ap.add_argument("--limit", type=int, default=None, help="only the first N pages (a quick run)")
    args = ap.parse_args(argv)
    data = collect(load_pages(Path(args.out), args.limit))
    X, y = data["X"], data["y"]
    fold = folds([g[0] if args.group == "site" else g[1] for g in data["groups"]], args.folds)
    sites = sorted({g[0] for g in data["groups"]})
    rule = data["rule"].astype(float)
    result: dict = {
        "paragraphs": len(y), "sites": len(sites), "pages": len({g[1] for g in data["groups"]}),
        "groups": args.group, "folds": args.folds, "pages_body": data["body"], "pages_furniture": data["furniture"],
        "other_rules_body_flags": data["other_body"], "other_rules_furniture_flags": data["other_furniture"],
        "rule": curve(rule, data)[0] | {"threshold": None},
    }
    for name, fit in (("logistic", fit_logistic), ("trees", fit_trees)):
        result[f"{name}_held_out"] = curve(held_out(X, y, fold, fit), data)
        if args.fit_on_all:
            result[f"{name}_fit_on_all"] = curve(fit(X, y)(X), data)
    return emit(result, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
