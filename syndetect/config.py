"""Parameters of the pipeline, validated on construction (``ValueError``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from functools import cached_property

from syndetect.errors import ParameterError

__all__ = ["Params"]


@dataclass(frozen=True)
class Params:
    """Every knob of a scan; stored in each report and each index.

    Candidate search
        ``shingle_size`` words per shingle (hashed with xxhash);
        ``num_perm`` MinHash permutations and ``seed`` (datasketch's);
        ``threshold`` the Jaccard similarity LSH aims at, or explicit
        ``bands`` x ``rows`` (``bands * rows <= num_perm``); when only the
        threshold is given, bands and rows are datasketch's optimum for it.
        ``min_unit``/``max_unit``: units are sentences and quotations of at
        least ``min_unit`` words, long ones cut into windows of ``max_unit``.
        ``max_bucket``: an LSH bucket (or a group of identical units) larger
        than this is verified as a star around one member instead of all
        pairs, so popular passages never make verification quadratic.
    Verification
        ``min_span_words``: a reused span must hold at least this many
        matching words (15: a shared 15-word quote counts, a 10-word stock
        phrase does not); ``min_overlap``: at least this share of the words
        of the span, on each side, must match exactly (edits fill the rest);
        ``max_gap_words``: two exact runs are joined into one span across at
        most this many differing words; ``min_secondary_words``: once a
        paragraph pair holds a full span, further spans in the same pair are
        kept down to this many words (the second sentence of a quote).
    Report
        ``popular_docs``: a cluster over more than this many documents is a
        popular passage; it is listed once with its members, and document
        pairs are summarised only where they share a less popular cluster
        (so the report stays linear in the corpus); ``all_pairs`` lists every
        pair of documents that share any cluster (N²/2 for a passage in N
        documents).
    """

    shingle_size: int = 5
    num_perm: int = 128
    seed: int = 1
    threshold: float = 0.3
    bands: int | None = None
    rows: int | None = None
    min_unit: int = 12
    max_unit: int = 40
    max_bucket: int = 64
    min_span_words: int = 15
    min_overlap: float = 0.7
    max_gap_words: int = 8
    min_secondary_words: int = 10
    popular_docs: int = 16
    all_pairs: bool = False

    def __post_init__(self) -> None:
        def need(cond: bool, message: str) -> None:
            if not cond:
                raise ParameterError(message)

        need(1 <= self.shingle_size <= 32, "shingle_size must be between 1 and 32")
        need(1 <= self.num_perm <= 1024, "num_perm must be between 1 and 1024")
        need(0.0 < self.threshold < 1.0, "threshold must be in (0, 1)")
        need((self.bands is None) == (self.rows is None), "give both bands and rows, or neither")
        if self.bands is not None and self.rows is not None:
            need(self.bands >= 1 and self.rows >= 1, "bands and rows must be positive")
            need(self.bands * self.rows <= self.num_perm, "bands * rows must not exceed num_perm")
        need(2 <= self.min_unit <= self.max_unit, "need 2 <= min_unit <= max_unit")
        need(self.max_bucket >= 2, "max_bucket must be at least 2")
        need(self.popular_docs >= 2, "popular_docs must be at least 2")
        need(self.min_span_words >= self.shingle_size, "min_span_words must be >= shingle_size")
        need(0.0 < self.min_overlap <= 1.0, "min_overlap must be in (0, 1]")
        need(self.max_gap_words >= 0, "max_gap_words must be >= 0")
        need(
            self.shingle_size <= self.min_secondary_words <= self.min_span_words,
            "need shingle_size <= min_secondary_words <= min_span_words",
        )

    @cached_property
    def banding(self) -> tuple[int, int]:
        """``(bands, rows)``: explicit, or datasketch's optimum for the threshold."""
        if self.bands is not None and self.rows is not None:
            return self.bands, self.rows
        from syndetect.core.minhash import optimal_banding  # numpy only: no datasketch/SciPy import

        return optimal_banding(self.threshold, self.num_perm)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["bands"], d["rows"] = self.banding
        return d

    def candidate_key(self) -> dict:
        """The parameters an index must share with a check to be comparable."""
        d = self.to_dict()
        return {k: d[k] for k in ("shingle_size", "num_perm", "seed", "bands", "rows", "min_unit", "max_unit")}

    @classmethod
    def from_dict(cls, data: dict) -> Params:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})

    def with_(self, **changes) -> Params:
        return replace(self, **changes)
