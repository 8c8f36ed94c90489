"""A real SMTP server (aiosmtpd on 127.0.0.1) the tests read the received mail from, and can stop."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from engine import EngineConfig, HandlerRegistry, ProcessEngine, TaskQuery
from engine.mail.sender import OutboxSender, SmtpSettings
from engine.scheduling.scheduler import Scheduler
from tests.conftest import FakeClock
from tests.live import ReservedPort
from workflows.engine_hooks import office_config
from workflows.reminder_texts import CampaignReminderTexts


@dataclass
class Received:
    recipients: list[str]
    message: EmailMessage
    raw: bytes = b""  # as it came over the wire, to check the headers' encoding

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain", "html")).get_content()


class MailServer:
    """`received` is every mail accepted; `down()` and `up()` stop and restart it on its port."""

    def __init__(self) -> None:
        # Kept while the server is down too: `up()` comes back on the same port, no one else's.
        self._port = ReservedPort()
        self.port = self._port.number
        self.received: list[Received] = []
        self._controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        self.received.append(Received(list(envelope.rcpt_tos), message_from_bytes(raw, policy=default_policy), raw))
        return "250 Message accepted for delivery"

    def up(self) -> None:
        if self._controller is None:
            self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
            self._controller.start()

    def down(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def close(self) -> None:
        self.down()
        self._port.release()

    @property
    def env(self) -> dict[str, str]:
        return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.port), "SMTP_TLS": "off",
                "SMTP_SENDER": "Văn phòng UBND tỉnh <thidua@sonla.gov.vn>"}

    def take(self) -> list[Received]:
        """The mail received since the last call."""
        taken, self.received = self.received, []
        return taken


@pytest.fixture
def smtp_server():
    server = MailServer()
    server.up()
    yield server
    server.close()


MODELS = Path(__file__).parent / "models"
OFFICE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# user -> (groups, e-mail, reminder mode)
PEOPLE = {
    "lan": (["reporters", "unit:phong_a"], "lan@sonla.gov.vn", "digest"),
    "tuan": (["reporters", "unit:phong_a"], None, "digest"),  # no address: never mailed
    "minh": (["head:phong_a", "unit:phong_a"], "minh@sonla.gov.vn", "digest"),
    "chanh": (["chief"], "chanh@sonla.gov.vn", "digest"),
    "binh": (["reviewers"], "binh@sonla.gov.vn", "immediate"),
}


def local(*args) -> datetime:
    return datetime(*args, tzinfo=OFFICE_TZ)


class Office:
    """An engine on a moved clock with the test models, people with addresses, a mail sender and a
    scheduler (not started: `tick()` runs its jobs once, as it does at a moment)."""

    def __init__(self, engine: ProcessEngine, clock: FakeClock, server: MailServer) -> None:
        self.engine, self.clock, self.server = engine, clock, server
        self.sender = OutboxSender(engine.context, SmtpSettings.from_env(server.env), CampaignReminderTexts(),
                                   backoff=timedelta(minutes=5))
        self.scheduler = Scheduler(engine, self.sender)

    def start(self, key: str, **variables):
        return self.engine.runtime.start_process_by_key(key, {"unit": "phong_a", **variables})

    def at(self, *args) -> None:
        self.clock.now = local(*args)

    def tick(self) -> list[Received]:
        self.scheduler.tick()
        return self.server.take()

    def task(self, instance_id: str):
        (task,) = self.engine.tasks.list(TaskQuery(instance_id=instance_id))
        return task

    def outbox(self) -> list[tuple]:
        return sorted((m.recipient, m.kind, m.status) for m in self.engine.outbox.list())


def build_office(database_url: str, server: MailServer, handlers=None, clock: FakeClock | None = None) -> Office:
    clock = clock or FakeClock(local(2025, 7, 28, 7, 0))
    # The Office's escalation (head of the unit after 1 day, chief after 3): what the service builds.
    config = office_config(EngineConfig(database_url=database_url, clock=clock, portal_url="https://thidua.example.vn"))
    engine = ProcessEngine(config, handlers=handlers or HandlerRegistry())
    return Office(engine, clock, server)


def populate(office: Office) -> None:
    engine = office.engine
    engine.repository.deploy([(f.name, f.read_bytes()) for f in sorted(MODELS.glob("*.bpmn"))])
    for user_id, (groups, email, mode) in PEOPLE.items():
        for group in groups:
            engine.identity.ensure_group(group, group, "unit" if group.startswith("unit:") else "role")
        engine.identity.create_user(user_id, f"Cán bộ {user_id}", email=email, groups=groups)
        engine.reminders.set_reminder_mode(user_id, mode)


@pytest.fixture
def office(database_url, smtp_server):
    office = build_office(database_url, smtp_server)
    populate(office)
    yield office
    office.engine.close()
