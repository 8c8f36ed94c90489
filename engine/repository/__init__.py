"""Repository service: deployments of BPMN and DMN models, their parsing and checks, versions,
model diffs, decision tables and the flow order of a process's elements."""
from __future__ import annotations

from engine.lazy_exports import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    "RepositoryService": "service",
    "ModelFile": "parsing",
    "parse_deployment": "parsing",
    "diff_models": "model_diff",
    "ModelDiff": "model_diff",
    "DecisionTable": "decision_table",
    "read_table": "decision_table",
    "diff_tables": "decision_table",
    "flow_order": "flow_order",
    "DecisionOutcome": "dmn_evaluation",
    "DecisionEvaluationError": "dmn_evaluation",
    "evaluate_decision": "dmn_evaluation",
    "evaluate_translated": "dmn_evaluation",
    "read_decisions": "dmn_model",
    "HIT_POLICIES": "dmn_model",
    "DecisionEvaluation": "dmn_evaluation",
    "DECISION_RESULT_MAPPINGS": "dmn_evaluation",
    "convert_output": "dmn_types",
    "decision_variable_type": "dmn_types",
})
