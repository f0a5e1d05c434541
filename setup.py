"""Build of the optional compiled hot path (``syndetect/core/_hot.c``, plain CPython C API).

Everything else is configured in pyproject.toml. ``optional=True``: when no C
compiler is available the install goes on without it, and syndetect uses the
pure-Python/numpy reference path (same output, slower).
"""

import sys

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "syndetect.core._hot",
            ["syndetect/core/_hot.c"],
            optional=True,
            extra_compile_args=[] if sys.platform == "win32" else ["-O3"],
        )
    ]
)
