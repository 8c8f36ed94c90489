"""The engine as one object, with services named as a BPMN engineer expects."""
from __future__ import annotations

from engine.tasks import AttachmentService, CamundaFormService, TaskService
from engine.management import BatchService, ScriptLimitsService
from engine.config import EngineConfig
from engine.runtime import EngineContext, Executor, ExternalTaskService, MigrationService, RuntimeService
from engine.persistence import make_engine, make_session_factory, ensure_migrated, SpecCache
from engine.handlers import HandlerRegistry
from engine.history import DecisionHistoryService, HistoryService
from engine.identity import IdentityService
from engine.mail import OutboxService
from engine.scheduling import REMINDER_TOPIC, ReminderService, CalendarService
from engine.repository import RepositoryService
from engine.scripts import create_limited_script_engine, ScriptLimits


class ProcessEngine:
    """Repository (deploy), runtime (instances), tasks (human work), history (audit) and attachments.

    Refuses to start on a database whose schema is not at this release's migration head.
    """

    def __init__(self, config: EngineConfig | None = None, handlers: HandlerRegistry | None = None) -> None:
        config = config or EngineConfig()
        db = make_engine(config.database_url)
        try:
            ensure_migrated(db)
        except Exception:
            db.dispose()
            raise
        sessions = make_session_factory(db)
        handlers = handlers or HandlerRegistry()
        defaults = ScriptLimits(config.script_cpu_seconds, config.script_memory_mb)
        self.context = EngineContext(
            config=config, db=db, sessions=sessions, specs=SpecCache(sessions), handlers=handlers,
            script_engine=create_limited_script_engine(config.clock, defaults),
            executor=Executor(handlers, config),
        )
        # Scripts run under their deployment's limits (a worker process, engine/scripts/runner.py).
        self.script_limits = ScriptLimitsService(self.context)
        self.context.executor.limits_for = self.script_limits.for_definition
        self.repository = RepositoryService(self.context)
        self.runtime = RuntimeService(self.context)
        # Moving running instances to another version of their process (all of them or none).
        self.migration = MigrationService(self.context)
        self.tasks = TaskService(self.context)
        self.history = HistoryService(self.context)
        self.decision_history = DecisionHistoryService(self.context)
        self.identity = IdentityService(self.context)
        self.external_tasks = ExternalTaskService(self.context)
        # Deadlines: the reminder policy and the mail outbox (engine/scheduling/scheduler.py runs them).
        self.reminders = ReminderService(self.context)
        if handlers.get(REMINDER_TOPIC) is None:
            handlers.register(REMINDER_TOPIC, self.reminders.timer_handler)
        self.outbox = OutboxService(self.context)
        self.calendar = CalendarService(self.context)
        self.attachments = AttachmentService(self.context)
        self.camunda_forms = CamundaFormService(self.context)
        # Long operations in the background, their progress readable from any server process.
        self.batches = BatchService(self.context)

    @property
    def handlers(self) -> HandlerRegistry:
        return self.context.handlers

    def close(self) -> None:
        self.batches.wait_all()
        self.context.db.dispose()

    def __enter__(self) -> "ProcessEngine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
