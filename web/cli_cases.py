"""`thidua staff case ...`: an admin opens and closes the pending cases of the staff register
(workflows/pending_cases.py), which block a person's nomination while open."""
from __future__ import annotations

import click

from engine import EngineConfig
from web.composition import build_engine
from workflows.models import PENDING_CASE_KINDS
from workflows.pending_cases import PendingCases, case_text

DAY = click.DateTime(formats=["%Y-%m-%d", "%d/%m/%Y"])


def _cases(engine) -> PendingCases:
    return PendingCases(engine.context.db)


def _line(case) -> str:
    closed = f"đã kết thúc {case.closed_on:%d/%m/%Y}" if case.closed_on else "đang mở"
    return (f"{case.id:>4}  {case.staff_id:<14} {case.kind:<18} {case_text(case.kind)}; "
            f"từ {case.opened_on:%d/%m/%Y}, {closed}" + (f" ({case.note})" if case.note else ""))


@click.group("case")
def case() -> None:
    """Pending cases (xem xét kỷ luật, điều tra, thanh tra, khiếu nại, tố cáo) that block a nomination."""


@case.command("open")
@click.argument("user_id")
@click.argument("kind", type=click.Choice(PENDING_CASE_KINDS))
@click.option("--on", "opened_on", required=True, type=DAY, help="the day it opened, 2025-07-15 or 15/07/2025")
@click.option("--note", default=None, help="what it is about")
def case_open(user_id: str, kind: str, opened_on, note: str | None) -> None:
    """Open a case of KIND for USER_ID."""
    with build_engine(EngineConfig()) as engine:
        opened = _cases(engine).open(user_id, kind, opened_on.date(), note)
    click.echo(f"đã mở vụ việc số {opened.id}: {user_id} {case_text(kind)} từ {opened.opened_on:%d/%m/%Y}")


@case.command("close")
@click.argument("case_id", type=int)
@click.option("--on", "closed_on", required=True, type=DAY, help="the day it was settled")
def case_close(case_id: int, closed_on) -> None:
    """Close case CASE_ID: from that day it no longer blocks a nomination."""
    with build_engine(EngineConfig()) as engine:
        closed = _cases(engine).close(case_id, closed_on.date())
    click.echo(f"đã kết thúc vụ việc số {closed.id} ngày {closed.closed_on:%d/%m/%Y}")


@case.command("list")
@click.argument("user_id")
def case_list(user_id: str) -> None:
    """List USER_ID's cases, oldest first."""
    with build_engine(EngineConfig()) as engine:
        found = _cases(engine).cases(user_id)
    for item in found:
        click.echo(_line(item))
    if not found:
        click.echo(f"{user_id}: không có vụ việc nào")
