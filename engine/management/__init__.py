"""Management service: what administrators do to a running installation: script limits per
deployment, batches (long operations and their progress), backup and restore."""
from __future__ import annotations

from engine.lazy_exports import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    "ScriptLimitsService": "script_limits",
    "BatchService": "batches",
    "BatchRecord": "batches",
    "DeploymentLimits": "script_limits",
    "create_backup": "backup",
    "restore_backup": "backup",
    "BackupReport": "backup",
    "RestoreReport": "backup",
    "inherited_limits": "script_limits",
})
