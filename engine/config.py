"""Engine settings, read from the environment with defaults for a developer's machine."""
from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

DEFAULT_DATABASE_URL = "sqlite:///instance/thidua.db"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def default_name_order(display_name: str) -> tuple:
    return unicodedata.normalize("NFC", display_name).casefold(), display_name


@dataclass
class EngineConfig:
    database_url: str = field(default_factory=lambda: os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    timezone: ZoneInfo = field(
        default_factory=lambda: ZoneInfo(os.environ.get("THIDUA_TIMEZONE", "Asia/Ho_Chi_Minh"))
    )
    # A real process diagram is well under 1 MB; anything near this is an accident or an attack.
    max_model_bytes: int = 5 * 1024 * 1024
    # Scripts (and expressions that could loop or grow) run in a worker process stopped past
    # these; an administrator sets other limits per deployment (engine/management/script_limits.py).
    script_cpu_seconds: float = field(
        default_factory=lambda: float(os.environ.get("THIDUA_SCRIPT_CPU_SECONDS", "2")))
    script_memory_mb: int = field(default_factory=lambda: int(os.environ.get("THIDUA_SCRIPT_MEMORY_MB", "256")))
    # In-process service-task handlers are retried this many times before an incident is raised.
    service_task_attempts: int = 3
    clock: Callable[[], datetime] = utcnow
    # Portal sign-in: after this many wrong passwords in a row the name is blocked for a while,
    # long enough to make guessing useless, short enough that a forgetful officer can wait it out.
    login_max_failures: int = 10
    login_block: timedelta = timedelta(minutes=15)
    # Dossier attachments live outside the web root; the portal serves them only after a permission check.
    attachments_dir: Path = field(
        default_factory=lambda: Path(os.environ.get("THIDUA_ATTACHMENTS_DIR", "instance/attachments")))
    max_attachment_bytes: int = field(
        default_factory=lambda: int(os.environ.get("THIDUA_MAX_ATTACHMENT_MB", "20")) * 1024 * 1024)
    # Deadlines and reminders (README, "Deadlines and reminders"): the portal's address for links
    # in mails, the SMTP_* variables (checked when the mail sender is built), the default policy.
    portal_url: str = field(default_factory=lambda: os.environ.get("THIDUA_PORTAL_URL", "http://127.0.0.1:5000"))
    smtp: dict[str, str] = field(
        default_factory=lambda: {k: v for k, v in os.environ.items() if k.startswith("SMTP_")})
    reminders: str = field(default_factory=lambda: os.environ.get("THIDUA_REMINDERS", "7, 3, 1, 0"))
    # None: the service that builds the engine decides (web/composition.py gives the Office's);
    # an engine built bare never escalates.
    escalate_to: str | None = field(default_factory=lambda: os.environ.get("THIDUA_ESCALATE_TO") or None)
    reminder_hour: int = 8  # local time of the day's reminders
    # Whose public holidays are days off for deadlines (an ISO 3166 code of the `holidays` package);
    # None: only weekends and the admin's calendar (the service building the engine gives its country).
    holiday_country: str | None = field(default_factory=lambda: os.environ.get("THIDUA_HOLIDAY_COUNTRY") or None)
    # How people's display names sort in lists (identity.list_users): a hook for the language of the
    # office using the engine (the service building it gives its collation); by default case-folded text.
    name_order: Callable[[str], Any] = default_name_order
