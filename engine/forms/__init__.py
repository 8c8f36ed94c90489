"""Generated task forms (camunda:formData): the field definitions, value coercion and the
validation of a submission, shared by deployment checks, the runtime and the task service."""
from __future__ import annotations

from engine.lazy_exports import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    "Form": "submission",
    "FormField": "submission",
    "FieldError": "submission",
    "FormValidationError": "submission",
    "FormDefinitionError": "submission",
    "parsed_form": "submission",
    "validate_submission": "submission",
    "form_from_xml": "submission",
})
