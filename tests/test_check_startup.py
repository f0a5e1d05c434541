"""Start-up of a ``check`` process: the built-in lexicon compiles its regular expressions on first use.

A check reads a handful of paragraphs; compiling the built-in lexicon's
patterns and the merged prefilter of every word-cap tier at every start cost
it 30-45 ms of CPU. Here: nothing is compiled when the rules are loaded, only
what a paragraph needs is compiled when it is matched, and the lazily built
lexicon flags exactly what one built whole flags.
"""

from __future__ import annotations

from syndetect.pipeline import rules
from syndetect.rules.lexicon import Lexicon

PARAGRAPHS = [
    "Sign up for our newsletter to get the latest news delivered to your inbox every morning.",
    "Follow us on Twitter and Facebook.",
    "The council voted on Tuesday to approve the new budget, which raises spending on schools and roads "
    "by four per cent and will be reviewed again in the spring.",
    "Read more: the full report on the council's spending.",
    "(Reporting by Jane Doe; Editing by John Smith)",
    "Copyright 2024 The Associated Press. All rights reserved.",
    "Advertisement",
    "Share this article",
]


def _compiled(lex: Lexicon) -> tuple[int, int]:
    tiers = sum(t is not None for t in lex._tiers)
    patterns = sum(getattr(r.pattern, "_compiled", True) is not None for r in lex.rules)
    return tiers, patterns


def test_loading_the_rules_compiles_no_lexicon_pattern():
    lex = rules.load_rules(()).lexicon
    assert lex.rules and _compiled(lex) == (0, 0)
    lex.match(PARAGRAPHS[1])  # one short paragraph: one tier, a few patterns
    tiers, patterns = _compiled(lex)
    assert tiers == 1
    assert patterns < len(lex.rules)


def test_lazy_lexicon_flags_what_a_fully_built_one_flags():
    lazy = rules.load_rules(()).lexicon
    whole = rules.load_rules(()).lexicon
    for i in range(len(whole._caps)):
        whole._tier(i)
    for r in whole.rules:
        r.pattern.search("x")  # every pattern compiled
    assert _compiled(whole) == (len(whole._caps), len(whole.rules))
    for text in PARAGRAPHS:
        a, b = lazy.match(text), whole.match(text)
        assert (a and (a[0].name, a[1].span())) == (b and (b[0].name, b[1].span())), text
    assert any(lazy.match(t) for t in PARAGRAPHS) and not lazy.match(PARAGRAPHS[2])


def _threads_after_numpy(env_value: str | None) -> tuple[str, int]:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    if env_value is not None:
        env["OPENBLAS_NUM_THREADS"] = env_value
    code = (
        "import os; from syndetect.cli.app import single_threaded_blas; single_threaded_blas(); import numpy; "
        "print(os.environ['OPENBLAS_NUM_THREADS'], len(os.listdir('/proc/self/task')))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    value, threads = out.split()
    return value, int(threads)


def test_the_command_line_runs_numpy_on_one_thread_unless_told_otherwise():
    import os

    import pytest

    if not os.path.isdir("/proc/self/task"):
        pytest.skip("needs Linux /proc")
    assert _threads_after_numpy(None) == ("1", 1)  # no BLAS thread pool started at import
    value, _ = _threads_after_numpy("2")
    assert value == "2"  # the user's choice is kept


def test_a_tier_gated_by_all_merged_rules_matches_what_its_own_prefilter_matches(monkeypatch):
    from syndetect.rules import lexicon as lexicon_module

    own = rules.load_rules(()).lexicon
    for i in range(len(own._caps)):
        own._own_prefilter(i)
    monkeypatch.setattr(lexicon_module, "_OWN_PREFILTER_AFTER", 10**9)  # every tier keeps the shared one
    monkeypatch.setattr(lexicon_module, "_OWN_PREFILTERS", {})  # ... none compiled in this process before
    shared = rules.load_rules(()).lexicon
    lines = [e for r in own.rules for e in (*r.examples, *r.not_examples)] + PARAGRAPHS
    lines += [" ".join(lines[i : i + 3]) for i in range(0, len(lines), 3)]
    found = 0
    for text in lines:
        a, b = own.match(text), shared.match(text)
        assert (a and (a[0].name, a[1].span())) == (b and (b[0].name, b[1].span())), text
        found += a is not None
    assert found > 20
    built = [t for t in shared._tiers if t is not None and t[3] is not None]
    assert len(built) > 3 and len({id(t[3]) for t in built}) == 1  # one prefilter, compiled once
    assert len({id(t[3]) for t in own._tiers if t is not None and t[3] is not None}) > 3
