"""Builds the service from its parts: the engine, the campaign's schema and its handlers."""
from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

from engine import EngineConfig, HandlerRegistry, ProcessEngine
from engine.management import BackupReport, RestoreReport, create_backup, restore_backup
from engine.persistence import make_engine, ENGINE_MIGRATIONS, upgrade as upgrade_engine_schema
from engine.mail import OutboxSender, SmtpSettings
from engine.scheduling import Scheduler
from workflows.award_register import AwardRegister
from workflows.council import Council
from workflows.document_register import DocumentRegister
from workflows.documents.templates_store import TemplateStore
from workflows.reminder_texts import CampaignReminderTexts
from workflows.engine_hooks import MAIL_VARIABLES, office_config
from workflows.handlers import register_handlers
from workflows.schema import CAMPAIGN_MIGRATIONS
from workflows.schema import ensure_migrated as ensure_campaign_schema
from workflows.schema import upgrade as upgrade_campaign_schema
from workflows.staff_directory import StaffDirectory
from workflows.variable_labels import VOCABULARY


def upgrade_database(database_url: str) -> None:
    db = make_engine(database_url)
    try:
        upgrade_engine_schema(db)
        upgrade_campaign_schema(db)
    finally:
        db.dispose()


# Every schema in the service's database; a backup records and a restore migrates each of them.
SCHEMAS = (ENGINE_MIGRATIONS, CAMPAIGN_MIGRATIONS)


def backup_database(config: EngineConfig, path: Path) -> BackupReport:
    return create_backup(config.database_url, config.attachments_dir, path, SCHEMAS, config.clock())


def restore_database(config: EngineConfig, path: Path, force: bool = False) -> RestoreReport:
    return restore_backup(config.database_url, config.attachments_dir, path, SCHEMAS, force=force)


def build_engine(config: EngineConfig | None = None) -> ProcessEngine:
    """The engine with every campaign handler; refuses a database that is not migrated."""
    registry = HandlerRegistry()
    engine = ProcessEngine(office_config(config or EngineConfig()), handlers=registry)
    try:
        ensure_campaign_schema(engine.context.db)
    except Exception:
        engine.close()
        raise
    # Handlers are looked up when a task runs, so the directory (which needs the engine's
    # database) can be registered after the engine exists.
    register_handlers(registry, staff_directory(engine), DocumentRegister(engine.context.db),
                      awards=AwardRegister(engine.context.db), council=Council(engine.context.db))
    engine.reminders.mail_variables = MAIL_VARIABLES
    return engine


def portal_vocabulary() -> dict:
    """The campaign's names for its variables and coded values, for the portal's instance page."""
    return VOCABULARY


def staff_directory(engine: ProcessEngine) -> StaffDirectory:
    return StaffDirectory(engine.context.db)


def template_store(engine: ProcessEngine) -> TemplateStore:
    return TemplateStore(engine.context.db)


def mail_texts() -> CampaignReminderTexts:
    """The words of the reminder mail: the sender writes them, the admin's outbox previews them."""
    return CampaignReminderTexts()


def outbox_sender(engine: ProcessEngine) -> OutboxSender | None:
    """The mail sender the SMTP_* variables describe (None when SMTP_HOST is unset); a wrong
    value raises MailConfigError naming it."""
    settings = SmtpSettings.from_env(engine.context.config.smtp)
    return None if settings is None else OutboxSender(engine.context, settings, mail_texts())


# The scheduler's pace, in seconds (unset: engine/scheduling/scheduler.py's defaults). An operator rarely
# needs them; a test of real server processes needs them short to see a takeover in seconds.
SCHEDULER_INTERVALS = {"timer_watch_seconds": "THIDUA_SCHEDULER_TIMER_WATCH_SECONDS",
                       "reminder_seconds": "THIDUA_SCHEDULER_REMINDER_SECONDS",
                       "send_seconds": "THIDUA_SCHEDULER_SEND_SECONDS",
                       "lock_retry_seconds": "THIDUA_SCHEDULER_LOCK_RETRY_SECONDS",
                       "lock_check_seconds": "THIDUA_SCHEDULER_LOCK_CHECK_SECONDS"}


def scheduler_intervals(env: Mapping[str, str]) -> dict[str, float]:
    intervals = {}
    for argument, name in SCHEDULER_INTERVALS.items():
        if not env.get(name):
            continue
        try:
            seconds = float(env[name])
        except ValueError:
            seconds = float("nan")
        if not 0 < seconds < float("inf"):  # NaN fails this too
            raise ValueError(f"{name} phải là một số giây lớn hơn 0 / must be a number of seconds above 0 "
                             f"(got {env[name]!r})")
        intervals[argument] = seconds
    return intervals


def start_scheduler(engine: ProcessEngine) -> Scheduler:
    """Timers, reminders and the outbox; of several workers, the one holding the lock acts."""
    return Scheduler(engine, outbox_sender(engine), **scheduler_intervals(os.environ)).start()



def post_worker_init(worker) -> None:
    """gunicorn hook (`gunicorn -c python:web.composition ...`, `thidua serve`): each worker starts
    a scheduler for its app; the database lock lets one of them act."""
    if not logging.getLogger().handlers:
        # Which worker's scheduler holds the lock is worth a line in gunicorn's log.
        logging.basicConfig(level=logging.INFO, format="[%(process)d] [%(levelname)s] %(name)s: %(message)s")
        logging.getLogger("apscheduler").setLevel(logging.WARNING)  # two lines per job run otherwise
    worker.thidua_scheduler = start_scheduler(worker.wsgi.extensions["thidua.engine"])


def worker_exit(server, worker) -> None:
    """gunicorn hook: a stopping worker's scheduler finishes its job and frees the lock at once,
    so another worker takes over without waiting for the process to go."""
    scheduler = getattr(worker, "thidua_scheduler", None)
    if scheduler is not None:
        scheduler.stop()
