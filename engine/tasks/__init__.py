"""Task service: human tasks, their queries, claim and completion, Camunda Forms and the
attachments of a task or an instance."""
from __future__ import annotations

from engine.lazy_exports import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    "TaskService": "service",
    "TaskQuery": "service",
    "TaskView": "service",
    "CamundaFormService": "camunda_forms",
    "AttachmentService": "attachments",
    "AttachmentError": "attachments",
    "form_keys": "camunda_forms",
    "input_components": "camunda_forms",
    "validate_form_submission": "camunda_forms",
})
