"""The `thidua` command: serve, deploy, start, tasks, complete, db upgrade/backup/restore, documents."""
from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta
from pathlib import Path

import click

from engine import EngineConfig, ProcessEngine, TaskQuery
from engine.errors import EngineError
from engine.forms import FormValidationError
from web.cli_cases import case
from web.cli_documents import documents
from web.cli_progress import ProgressLine
from web.composition import (backup_database, build_engine, outbox_sender, restore_database, staff_directory,
                             upgrade_database)
from workflows.council import ROLE_NAMES, Council, CouncilError, parse_assignment, sync_group
from workflows.demo import load_demo
from workflows.demo_story import DemoClock
from workflows.staff_import import StaffImporter


def parse_vars(pairs: tuple[str, ...]) -> dict:
    """`k=v` pairs; v is read as JSON when it is JSON (numbers, true, "text"), else as text."""
    variables = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"'{pair}' is not of the form name=value", param_hint="--var")
        try:
            variables[name] = json.loads(raw)
        except ValueError:
            variables[name] = raw
    return variables


def open_engine() -> ProcessEngine:
    return build_engine(EngineConfig())


@click.group()
def main() -> None:
    """ThiDua Flow: BPMN workflows for emulation campaigns and commendations."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database (DATABASE_URL, default instance/thidua.db) to this release's schema."""
    upgrade_database(EngineConfig().database_url)
    click.echo("database is up to date")


def _schemas(schemas: dict) -> str:
    return ", ".join(f"{table} {revision or '-'}" for table, revision in schemas.items())


@db.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def db_backup(file: Path) -> None:
    """Write the database and the attachments to FILE (.tar.gz); the service may keep running."""
    report = backup_database(EngineConfig(), file)
    click.echo(f"backup written to {report.path}: {report.database} database ({_schemas(report.schemas)}), "
               f"{report.attachments} attachments, {report.size / 1024 / 1024:.1f} MB")


@db.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="replace a database (and attachments) that are not empty")
def db_restore(file: Path, force: bool) -> None:
    """Replace the database and the attachments with the backup in FILE (stop the service first)."""
    report = restore_database(EngineConfig(), file, force=force)
    click.echo(f"restored {file}: made {report.created_at} with {_schemas(report.schemas_before)}, now at this "
               f"release's schema; {report.attachments} attachments")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1),
              help="gunicorn worker processes; one scheduler acts whatever their number")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the portal with gunicorn (as docker-compose.yml does), with the scheduler."""
    from web.serving import serve as serve_with_gunicorn

    serve_with_gunicorn(host, port, workers)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", help="deployment name")
@click.option("--user", default=None, help="who deploys (recorded in history)")
def deploy(files: tuple[Path, ...], name: str | None, user: str | None) -> None:
    """Deploy BPMN, DMN and form files; unchanged files create no new version."""
    with open_engine() as engine:
        result = engine.repository.deploy([(f.name, f.read_bytes()) for f in files], name=name,
                                          source="thidua cli", actor=user,
                                          progress=ProgressLine("triển khai / deploying"))
    for definition in result.processes + result.decisions:
        click.echo(f"deployed {definition.key} version {definition.version} ({definition.id})")
    for key in result.unchanged:
        click.echo(f"unchanged {key}")


@main.command("script-limits")
@click.argument("deployment_id")
@click.option("--cpu-seconds", type=float, default=None, help="CPU time a script may use")
@click.option("--memory-mb", type=int, default=None, help="memory a script may use")
@click.option("--default", "to_default", is_flag=True, help="back to the service's defaults")
@click.option("--user", default=None, help="who changes them (recorded in history)")
def script_limits(deployment_id: str, cpu_seconds: float | None, memory_mb: int | None, to_default: bool,
                  user: str | None) -> None:
    """Show, or change, the CPU-time and memory limits of a deployment's scripts."""
    with open_engine() as engine:
        if to_default or cpu_seconds is not None or memory_mb is not None:
            current = engine.script_limits.get(deployment_id)
            limits = engine.script_limits.set(
                deployment_id, actor=user,
                cpu_seconds=None if to_default else (cpu_seconds if cpu_seconds is not None else current.cpu_seconds),
                memory_mb=None if to_default else (memory_mb if memory_mb is not None else current.memory_mb))
        else:
            limits = engine.script_limits.get(deployment_id)
    click.echo(f"deployment {deployment_id}: {limits.effective.describe()}"
               + (" (the service's defaults)" if limits.cpu_seconds is None and limits.memory_mb is None else ""))


@main.command()
@click.argument("key")
@click.option("--var", "pairs", multiple=True, help="process variable name=value (repeatable)")
@click.option("--business-key", default=None)
@click.option("--user", default=None)
def start(key: str, pairs: tuple[str, ...], business_key: str | None, user: str | None) -> None:
    """Start the latest version of process KEY."""
    with open_engine() as engine:
        instance = engine.runtime.start_process_by_key(key, parse_vars(pairs), business_key=business_key, actor=user)
    click.echo(f"{instance.id} {instance.status}")


@main.command()
@click.option("--group", default=None, help="only tasks offered to this candidate group")
@click.option("--assignee", default=None)
@click.option("--instance", "instance_id", default=None)
def tasks(group: str | None, assignee: str | None, instance_id: str | None) -> None:
    """List open tasks, earliest deadline first."""
    with open_engine() as engine:
        views = engine.tasks.list(TaskQuery(candidate_group=group, assignee=assignee, instance_id=instance_id,
                                            limit=None))
    for task in views:
        due = task.due_at.isoformat() if task.due_at else "-"
        click.echo(f"{task.id}  {task.name or task.element_id}  due {due}  "
                   f"groups {','.join(task.candidate_groups) or '-'}  assignee {task.assignee or '-'}")


@main.command()
@click.argument("task_id")
@click.option("--var", "pairs", multiple=True, help="form field or variable name=value (repeatable)")
@click.option("--user", default=None)
def complete(task_id: str, pairs: tuple[str, ...], user: str | None) -> None:
    """Complete a task with its form values."""
    with open_engine() as engine:
        engine.tasks.complete(task_id, parse_vars(pairs), actor=user)
    click.echo("completed")


@main.group()
def user() -> None:
    """People who sign in to the portal and the REST API."""


@user.command("add")
@click.argument("user_id")
@click.option("--name", "display_name", required=True, help="full name, e.g. \"Nguyễn Văn An\"")
@click.option("--unit", default=None, help="office unit, e.g. tong_hop")
@click.option("--group", "groups", multiple=True, help="group or role (repeatable); created if missing")
@click.option("--email", default=None)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="read from a prompt when not given")
def user_add(user_id: str, display_name: str, unit: str | None, groups: tuple[str, ...], email: str | None,
             password: str) -> None:
    with open_engine() as engine:
        for group in groups:
            kind = "unit" if group.startswith("unit:") else "role"
            engine.identity.ensure_group(group, group, kind)
        engine.identity.create_user(user_id, display_name, password=password, email=email, unit=unit,
                                    groups=groups)
    click.echo(f"user {user_id} created")


@user.command("token")
@click.argument("user_id")
@click.argument("name")
@click.option("--days", type=click.IntRange(1, 3650), help="the token stops working after this many days")
def user_token(user_id: str, name: str, days: int | None) -> None:
    """Create an API token (Bearer) for USER_ID; it is shown once."""
    with open_engine() as engine:
        expires_at = engine.context.now() + timedelta(days=days) if days else None
        click.echo(engine.identity.create_token(user_id, name, expires_at=expires_at))


@main.group()
def staff() -> None:
    """The staff directory (danh bạ cán bộ)."""


staff.add_command(case)
main.add_command(documents)


@staff.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="check the file and show what would change, write nothing")
def staff_import(file: Path, dry_run: bool) -> None:
    """Import staff from a CSV or XLSX file with Vietnamese headers."""
    with open_engine() as engine:
        importer = StaffImporter(staff_directory(engine))
        progress = ProgressLine("nhập danh bạ / importing staff")
        preview = importer.preview(file.read_bytes(), file.name, progress)
        for warning in preview.warnings:
            click.echo(f"cảnh báo: {warning}", err=True)
        for error in preview.errors:
            click.echo(f"lỗi: {error.message}", err=True)
        if not preview.ok:
            sys.exit(1)
        if dry_run:
            click.echo(f"{len(preview.rows)} dòng hợp lệ, {len(preview.new_ids)} cán bộ mới; chưa ghi")
            return
        result = importer.apply(preview, progress)
    click.echo(f"đã nhập: {result.created} mới, {result.updated} cập nhật, {result.ratings} xếp loại")


@main.group()
def council() -> None:
    """The Emulation and Commendation Council (Hội đồng TĐKT): its members and their roles."""


def _echo_council(seats) -> None:
    for seat in seats:
        click.echo(f"{seat.staff_id:<12} {ROLE_NAMES[seat.role][0]:<22} {seat.full_name}")


@council.command("set")
@click.argument("assignments", nargs=-1, required=True)
def council_set(assignments: tuple[str, ...]) -> None:
    """Replace the council with USER:ROLE pairs (chair, vice_chair, member, secretary), e.g.
    `thidua council set minhtb:chair hapt:secretary hungnv:member`."""
    with open_engine() as engine:
        try:
            seats = Council(engine.context.db).set_members(parse_assignment(a) for a in assignments)
        except CouncilError as err:
            for problem in err.problems:
                click.echo(f"lỗi: {problem}", err=True)
            sys.exit(1)
        without_account = sync_group(engine.identity, seats)
    _echo_council(seats)
    for user_id in without_account:
        click.echo(f"cảnh báo: {user_id} chưa có tài khoản, chưa nhận được việc của Hội đồng / "
                   f"{user_id} has no account yet", err=True)
    click.echo(f"Hội đồng có {len(seats)} thành viên")


@council.command("list")
def council_list() -> None:
    """The council's members: the chair first, then by role and given name."""
    with open_engine() as engine:
        seats = Council(engine.context.db).members()
    _echo_council(seats)
    click.echo(f"Hội đồng có {len(seats)} thành viên")


def parse_moment(value: str, tz) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date and time such as 2025-08-05T08:00",
                                 param_hint="--at") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


@main.command()
@click.option("--dry-run", is_flag=True, help="print what would be written to the outbox, write nothing")
@click.option("--at", "at", default=None, help="with --dry-run: the moment, e.g. 2025-08-05T08:00 (office time)")
def remind(dry_run: bool, at: str | None) -> None:
    """Decide the reminders due now and send the outbox (the scheduler does this on its own)."""
    if at is not None and not dry_run:
        raise click.BadParameter("only a dry run can be made at another moment than now", param_hint="--at")
    with open_engine() as engine:
        tz = engine.context.config.timezone
        if dry_run:
            moment = parse_moment(at, tz) if at else engine.context.now()
            planned = engine.reminders.dry_run(moment)
            for p in planned:
                click.echo(f"{p.remind_at.astimezone(tz):%d/%m/%Y %H:%M}  {p.kind:<12} {p.recipient} <{p.email}>  "
                           f"{p.payload['task']} (hạn {p.due_at.astimezone(tz):%d/%m/%Y})")
            click.echo(f"{len(planned)} nhắc việc sẽ được ghi vào hộp thư đi lúc "
                       f"{moment.astimezone(tz):%d/%m/%Y %H:%M}")
            return
        sender = outbox_sender(engine)  # bad SMTP settings stop the command before anything is written
        decided = engine.reminders.decide()
        report = sender.send_due() if sender else None
    click.echo(f"{len(decided)} nhắc việc mới; "
               + (f"đã gửi {report.sent} thư, lỗi {report.failed}" if report else "SMTP_HOST chưa đặt: chưa gửi"))


@main.command("reminder-policy")
@click.argument("business_key")
@click.option("--reminders", default=None, help="working days before the deadline, e.g. \"7, 3, 1, 0\", or none")
@click.option("--escalate-to", default=None, help="group@days overdue, e.g. \"head:{unit}@1, chief@3\", or none")
def reminder_policy(business_key: str, reminders: str | None, escalate_to: str | None) -> None:
    """Set a campaign's own reminder offsets and escalation (tasks' properties still win)."""
    with open_engine() as engine:
        engine.reminders.set_business_key_policy(business_key, reminders, escalate_to)
    click.echo(f"đã lưu cách nhắc việc của {business_key}")


@main.command()
@click.argument("day", required=False, type=click.DateTime(formats=["%Y-%m-%d", "%d/%m/%Y"]))
@click.argument("kind", required=False, type=click.Choice(["working", "day_off", "clear"]))
@click.option("--note", default=None)
def calendar(day, kind: str | None, note: str | None) -> None:
    """List the admin's calendar days, or mark DAY as a make-up working day, a day off, or clear it."""
    with open_engine() as engine:
        if day is not None:
            if kind is None:
                raise click.BadParameter("say working, day_off or clear", param_hint="KIND")
            engine.calendar.set_day(day.date(), None if kind == "clear" else kind, note)
        for marked in engine.calendar.days():
            click.echo(f"{marked.day:%d/%m/%Y}  {marked.kind:<8} {marked.note or ''}".rstrip())


@main.command()
@click.option("--models", "models_dir", default="bpmn", show_default=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--year", type=click.IntRange(2025, 2025), default=None,
              help="only the finished campaign of that year (2025), without this year's live one")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="load as of this day (YYYY-MM-DD) instead of the real date: the live campaign's dates follow it")
def demo(models_dir: Path, year: int | None, today: datetime | None) -> None:
    """Load the demo Office (units, staff, accounts), its 2025 campaign played to the end and this
    year's campaign under way; safe to run again."""
    clock = DemoClock(today=today.date() if today else None)
    with build_engine(EngineConfig(clock=clock)) as engine:
        summary = load_demo(engine, staff_directory(engine), models_dir, clock, live=year is None)
    click.echo(summary)


def run() -> None:
    try:
        main(standalone_mode=False)
    except FormValidationError as err:
        for error in err.errors:
            click.echo(f"error: {error.field}: {error.message}", err=True)
        sys.exit(1)
    except EngineError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(1)
    except click.exceptions.Abort:
        sys.exit(1)
    except click.ClickException as err:
        err.show()
        sys.exit(err.exit_code)
