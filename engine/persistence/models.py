"""The engine's tables. Alembic migrations in engine/persistence/migrations mirror these definitions."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def index_when_set(table: str, column: str) -> Index:
    """An index of a column that most rows leave empty, holding only the rows that set it.

    Queries compare the column with a value, so they use it all the same; the rows that leave it
    empty (nearly every instance and fresh task) skip it, which saves a page write on every
    step's commit. Both SQLite and PostgreSQL have partial indexes.
    """
    where = text(f"{column} IS NOT NULL")
    return Index(f"ix_{table}_{column}", column, sqlite_where=where, postgresql_where=where)


class UtcDateTime(TypeDecorator):
    """Always hands back timezone-aware UTC datetimes, whatever the backend stores."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Deployment(Base):
    __tablename__ = "deployment"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    source: Mapped[str | None] = mapped_column(String(255))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    deployed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    deployed_by: Mapped[str | None] = mapped_column(String(255))
    # Limits of the scripts of this deployment's processes, set by an administrator; empty means
    # the service's defaults (engine/management/script_limits.py). A new version keeps its predecessor's.
    script_cpu_seconds: Mapped[float | None] = mapped_column(Float)
    script_memory_mb: Mapped[int | None] = mapped_column(Integer)


class Resource(Base):
    """A file exactly as the designer deployed it (the BPMN stays the source of truth)."""

    __tablename__ = "resource"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    deployment_id: Mapped[str] = mapped_column(ForeignKey("deployment.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    content_hash: Mapped[str] = mapped_column(String(64))


class _VersionedDefinition:
    """A process or decision parsed from one deployed file, numbered per key."""

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(255))
    deployment_id: Mapped[str] = mapped_column(ForeignKey("deployment.id", ondelete="CASCADE"), index=True)
    resource_id: Mapped[str] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"))
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ProcessDefinition(_VersionedDefinition, Base):
    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("key", "version", name="uq_process_definition_key_version"),)

    # The parsed spec and its subprocess specs, serialized once per version (instances only hold state).
    spec_json: Mapped[str] = mapped_column(Text)
    # A suspended version starts no instance, by hand, by a timer or by a call activity.
    suspended: Mapped[bool] = mapped_column(Boolean, server_default=false())


class DecisionDefinition(_VersionedDefinition, Base):
    __tablename__ = "decision_definition"
    __table_args__ = (UniqueConstraint("key", "version", name="uq_decision_definition_key_version"),)


class ProcessInstance(Base):
    __tablename__ = "process_instance"
    __table_args__ = tuple(index_when_set("process_instance", column)
                           for column in ("business_key", "unit", "parent_instance_id", "next_timer_at"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    definition_id: Mapped[str] = mapped_column(ForeignKey("process_definition.id"), index=True)
    definition_key: Mapped[str] = mapped_column(String(255), index=True)
    business_key: Mapped[str | None] = mapped_column(String(255))
    # The office unit the instance belongs to (its start variable `unit`): what a unit may see.
    unit: Mapped[str | None] = mapped_column(String(64))
    # Set on an instance started by a call activity: the calling instance and its waiting task.
    # No foreign key: the called instance is written before the caller's own row is.
    parent_instance_id: Mapped[str | None] = mapped_column(String(36))
    parent_task_id: Mapped[str | None] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(16))
    incident_message: Mapped[str | None] = mapped_column(Text)
    incident_element_id: Mapped[str | None] = mapped_column(String(255))
    # Serialized SpiffWorkflow state without the spec; `revision` is the optimistic lock.
    state: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    started_by: Mapped[str | None] = mapped_column(String(255))
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    next_timer_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Suspended by an operator: its tasks are not completed or claimed, its timers and reminders wait.
    suspended: Mapped[bool] = mapped_column(Boolean, server_default=false())
    # While it waits on a timer: the catch events it waits on, a JSON list of element ids, so that
    # following many instances (a campaign's units) needs no state loaded. None on rows written
    # before the column: those are read from the state.
    waiting_json: Mapped[str | None] = mapped_column(Text)


class Task(Base):
    """An open human task: what inboxes query, never the serialized state."""

    __tablename__ = "task"
    # Inboxes page through tasks by due date, then id (engine/tasks/service.py).
    __table_args__ = (index_when_set("task", "assignee"), Index("ix_task_due_at_id", "due_at", "id"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    definition_id: Mapped[str] = mapped_column(String(128))
    definition_key: Mapped[str] = mapped_column(String(255))
    business_key: Mapped[str | None] = mapped_column(String(255))
    element_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255))
    assignee: Mapped[str | None] = mapped_column(String(255))
    priority: Mapped[int] = mapped_column(Integer, default=50)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    follow_up_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    form_key: Mapped[str | None] = mapped_column(String(255))
    form_ref: Mapped[str | None] = mapped_column(String(255))
    form_json: Mapped[str | None] = mapped_column(Text)
    properties_json: Mapped[str | None] = mapped_column(Text)
    # A copy of its instance's flag, so that inboxes and reminders need no join to show or skip it.
    suspended: Mapped[bool] = mapped_column(Boolean, server_default=false())


class TaskCandidate(Base):
    """Candidate groups and users of a task (Camunda's identity links)."""

    __tablename__ = "task_candidate"
    # A group's tasks read from the index alone.
    __table_args__ = (Index("ix_task_candidate_kind_value_task", "kind", "value", "task_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    value: Mapped[str] = mapped_column(String(255))


class ExternalTask(Base):
    """A service task waiting for a worker, or for its in-process handler to be retried."""

    __tablename__ = "external_task"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    element_id: Mapped[str] = mapped_column(String(255))
    topic: Mapped[str] = mapped_column(String(255), index=True)
    retries: Mapped[int | None] = mapped_column(Integer)
    error_message: Mapped[str | None] = mapped_column(Text)
    worker_id: Mapped[str | None] = mapped_column(String(255))
    # Locked until then by `worker_id`; after a failure, not offered again before then.
    lock_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class HistoryEvent(Base):
    __tablename__ = "history_event"
    __table_args__ = (index_when_set("history_event", "task_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    # Read by instance or task; every index here is paid on each step's commit.
    time: Mapped[datetime] = mapped_column(UtcDateTime)
    event_type: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str | None] = mapped_column(String(255))
    definition_id: Mapped[str | None] = mapped_column(String(128))
    instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    element_id: Mapped[str | None] = mapped_column(String(255))
    element_name: Mapped[str | None] = mapped_column(String(255))
    data_json: Mapped[str | None] = mapped_column(Text)


class UserAccount(Base):
    """A person who signs in; `id` is the user name BPMN assignees and history actors refer to."""

    __tablename__ = "user_account"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    # Argon2 hash; None for an account that signs in with API tokens only.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    unit: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The portal's language ("vi" or "en"); None follows the browser, then the portal default.
    language: Mapped[str | None] = mapped_column(String(8))
    # "digest" (one mail a day) or "immediate" (one mail per reminder).
    reminder_mode: Mapped[str] = mapped_column(String(16), default="digest", server_default="digest")
    # Kept in the database so a password guesser is slowed down across every web worker.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    login_blocked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LoginThrottle(Base):
    """Failed sign-ins for names that are not accounts, so that guessing them is slowed down
    exactly like guessing a real account's password and the answer does not reveal which exist."""

    __tablename__ = "login_throttle"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    login_blocked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)


class UserGroup(Base):
    """A role, office unit or workgroup; `id` is what BPMN candidateGroups name."""

    __tablename__ = "user_group"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(16))


class Membership(Base):
    __tablename__ = "membership"

    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    # The primary key serves lookups by user; members of a group need their own index.
    group_id: Mapped[str] = mapped_column(ForeignKey("user_group.id", ondelete="CASCADE"), primary_key=True,
                                          index=True)


class ApiToken(Base):
    """A named secret a script or integration signs in with; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # None: valid until revoked, as tokens were before expiry existed.
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Attachment(Base):
    """A file attached to an instance (and optionally one of its tasks), such as a dossier document.

    The bytes live in the attachment store outside the web root under `storage_key`; the row keeps
    what the portal shows and what a download is checked against.
    """

    __tablename__ = "attachment"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36), index=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    created_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
