"""Scripts: the RestrictedPython sandbox and the worker process that runs scripts and costly
expressions under CPU and memory limits."""
from __future__ import annotations

from engine.lazy_exports import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    "ScriptRunner": "runner",
    "ScriptLimits": "runner",
    "ScriptPolicyError": "sandbox",
    "create_script_engine": "sandbox",
    "LimitedEnvironment": "limited_environment",
    "create_limited_script_engine": "limited_environment",
    "check_script": "sandbox",
    "limits_in_force": "limited_environment",
})
