"""Runtime service: starting and advancing instances (the executor and the instance context),
variables, called instances, timer starts, external tasks, progress, involvement and migration
between process versions."""
from __future__ import annotations

from engine.lazy_exports import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    "RuntimeService": "service",
    "InstanceQuery": "service",
    "EngineContext": "context",
    "Executor": "execution",
    "ExternalTaskService": "external_tasks",
    "TopicRequest": "external_tasks",
    "Involvement": "involvement",
    "InstanceProgress": "progress",
    "Activity": "activities",
    "VariableError": "variables",
    "as_plain_start_events": "timer_starts",
    "plan_timer_starts": "timer_starts",
    "replace_timer_starts": "timer_starts",
    "process_variables": "execution",
    "earliest_timer_start": "timer_starts",
    "CallerBusyError": "context",
    "require_active": "context",
    "offered_to": "involvement",
    "takes_part_in": "involvement",
    "check_variables": "variables",
    "change_variables": "variable_changes",
    "set_instance_suspended": "suspension",
    "set_definitions_suspended": "suspension",
    "modify_instance": "modification",
    "ModificationError": "modification",
    "MigrationService": "migration",
    "MigrationValidationError": "migration",
    "MigrationPlan": "migration_plan",
    "MigrationInstruction": "migration_plan",
    "MigrationReport": "migration_plan",
    "CorrelationResult": "messages",
    "MessageCorrelationError": "messages",
    "EventSubscriptionQuery": "event_subscriptions",
    "IncidentQuery": "incidents",
    "FailedJob": "incidents",
})
