"""The reader benchmarks run (on tiny inputs) and measure what they say; no timing is asserted."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
FIXTURE = ROOT / "fixtures" / "article-extraction-benchmark"
sys.path.insert(0, str(BENCH))

import extraction  # noqa: E402
import warc_stream  # noqa: E402

pytest.importorskip("psutil")


def test_scores_are_right_on_known_texts():
    assert extraction.body_words("a b c d", "a b c d") == (1.0, 1.0)
    p, r = extraction.body_words("one two three four", "one two five six seven eight")
    assert (p, r) == (2 / 6, 2 / 4)
    tp, fp, fn = extraction.shingle_tp_fp_fn("w1 w2 w3 w4 w5", "w1 w2 w3 w4 x")
    assert (tp, fp, fn) == (1 / 3, 1 / 3, 1 / 3)  # 2 true shingles, 2 predicted, 1 shared
    s = extraction.score({"k": "the same words here now"}, {"k": "the same words here now"})
    assert s["words"]["f1"] == s["shingles"]["f1"] == 1.0


@pytest.mark.slow
def test_extraction_script_on_five_pages(tmp_path):
    html = tmp_path / "html"
    html.mkdir()
    for p in sorted((FIXTURE / "html").iterdir())[:5]:
        shutil.copy(p, html / p.name)
    out = tmp_path / "extraction.json"
    result = extraction.main(["--html", str(html), "--out", str(out), "--workers", "1"])
    assert json.loads(out.read_text()) == json.loads(json.dumps(result))
    ours, plain = result["rows"][0], result["rows"][1]
    assert result["found"]["documents"] == 5 and ours["extracted"] == 5
    assert ours["shingles"]["f1"] > 0.8 and plain["shingles"]["f1"] > 0.8
    whole = result["rows"][-1]
    assert whole["words"]["precision"] < ours["words"]["precision"]  # the page chrome costs precision


def test_warc_stream_script_writes_and_reads_a_crawl(tmp_path):
    path = tmp_path / "crawl.warc"
    info = warc_stream.write_warc(path, 8, 0.3)
    assert info["records"]["html"] >= 1 and info["records"]["video"] == 1
    got = warc_stream.consume(str(path), workers=1)
    assert got["documents"] == info["records"]["html"] and got["skipped"] == 0
