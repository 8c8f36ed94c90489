"""Public names of engine/ and its packages, loaded on first use (PEP 562).

A process that needs one module (the script worker imports only the sandbox) does not pay for the
database layer and the whole engine at start-up, and a package's __init__ never forms an import
cycle with the modules of other packages that import its members.
"""
from __future__ import annotations

import importlib
import sys
from typing import Callable


def lazy_exports(package: str, exports: dict[str, str]) -> tuple[Callable[[str], object], list[str]]:
    """`__getattr__` and `__all__` for a package whose `exports` map each public name to the module
    (relative to the package) defining it."""

    def __getattr__(name: str) -> object:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__, sorted(exports)
