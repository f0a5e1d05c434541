"""The command line: a thin typer layer over the library."""

import os

# numpy's OpenBLAS starts one thread per core when numpy is imported: about 0.05 s of CPU in every
# `syndetect` process (a third of what a `check` may cost), for matrix products syndetect does not need
# threads for (a few small ones in provenance and the LSH banding optimum; exact either way). The user's
# own setting wins.
for _var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from syndetect.cli.app import app, main  # noqa: E402,F401

__all__ = ["app", "main"]
