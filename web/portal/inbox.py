"""The inbox: the tasks a user holds and those offered to them or their groups; claim and unclaim."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import abort, flash, redirect, render_template, request, url_for

from engine.errors import ConflictError, NotFoundError, SuspendedEntityError
from engine.runtime import InstanceQuery
from engine.tasks import TaskQuery, TaskView
from workflows.vietnamese import text_sort_key
from web.authorization import may_work_on_task
from web.portal.auth import current_principal, engine, portal_blueprint
from web.portal.i18n import translate
from web.portal.navigation import involvement_of, unit_names
from web.portal.task_page import visible_task

blueprint = portal_blueprint("inbox", __name__)
DUE_SOON = timedelta(days=3)
# More open tasks than this for one person is a campaign gone wrong; the inbox shows the first ones.
MAX_TASKS = 500
FILTERS = ("campaign", "unit", "due")


@dataclass(frozen=True)
class InboxRow:
    task: TaskView
    campaign: str | None
    unit: str | None
    due_state: str | None  # "overdue", "soon" or None

    @property
    def mine(self) -> bool:
        return self.task.assignee is not None


def due_state(due_at: datetime | None, now: datetime) -> str | None:
    if due_at is None:
        return None
    if due_at < now:
        return "overdue"
    return "soon" if due_at - now <= DUE_SOON else None


def end_of_week(now: datetime, tz) -> datetime:
    """Sunday 23:59:59 of the current week, in the office's time zone."""
    local = now.astimezone(tz)
    sunday = local.date() + timedelta(days=6 - local.weekday())
    return datetime.combine(sunday, time(23, 59, 59), tz)


def inbox_rows(principal, now: datetime) -> list[InboxRow]:
    tasks = engine().tasks.list(TaskQuery(involving=involvement_of(principal), limit=MAX_TASKS))
    # A group's task a colleague has claimed is theirs now: it leaves everyone else's inbox.
    tasks = [t for t in tasks if t.assignee in (None, principal.user_id)]
    instance_ids = sorted({t.instance_id for t in tasks})
    instances = {i.id: i for i in engine().runtime.list_instances(
        InstanceQuery(instance_ids=instance_ids, limit=None))} if instance_ids else {}
    rows = []
    for task in tasks:
        instance = instances.get(task.instance_id)
        rows.append(InboxRow(task, task.business_key, instance.unit if instance else None,
                             due_state(task.due_at, now)))
    return rows


def apply_filters(rows: list[InboxRow], args, now: datetime, tz) -> list[InboxRow]:
    campaign, unit, due = args.get("campaign"), args.get("unit"), args.get("due")
    if campaign:
        rows = [r for r in rows if r.campaign == campaign]
    if unit:
        rows = [r for r in rows if r.unit == unit]
    if due == "overdue":
        rows = [r for r in rows if r.due_state == "overdue"]
    elif due == "week":
        week_end = end_of_week(now, tz)
        rows = [r for r in rows if r.task.due_at is not None and r.task.due_at <= week_end]
    elif due:
        abort(400)
    return rows


@blueprint.get("/")
@blueprint.get("/inbox")
def inbox():
    principal = current_principal()
    now = engine().context.now()
    tz = engine().context.config.timezone
    everything = inbox_rows(principal, now)
    rows = apply_filters(everything, request.args, now, tz)
    campaigns = sorted({r.campaign for r in everything if r.campaign}, key=text_sort_key)
    units = sorted({r.unit for r in everything if r.unit}, key=text_sort_key)
    return render_template("portal/inbox.html", unit_names=unit_names(), mine=[r for r in rows if r.mine], offered=[r for r in rows if not r.mine],
                           campaigns=campaigns, units=units, filters={k: request.args.get(k, "") for k in FILTERS})


def _back(task_id: str):
    target = request.form.get("next")
    if target == "task":
        return redirect(url_for("task_page.task", task_id=task_id))
    return redirect(url_for("inbox.inbox"))


@blueprint.post("/tasks/<task_id>/claim")
def claim(task_id: str):
    principal = current_principal()
    task = visible_task(task_id)
    if not may_work_on_task(principal, task):
        abort(403)
    try:
        engine().tasks.claim(task_id, principal.user_id)
        flash(translate("inbox.claimed", name=task.name or task.element_id), "success")
    except SuspendedEntityError:
        flash(translate("inbox.claim_suspended"), "warning")
    except (ConflictError, NotFoundError):
        flash(translate("inbox.claim_conflict"), "warning")
    return _back(task_id)


@blueprint.post("/tasks/<task_id>/unclaim")
def unclaim(task_id: str):
    principal = current_principal()
    task = visible_task(task_id)
    if task.assignee != principal.user_id:
        abort(403)
    try:
        engine().tasks.unclaim(task_id, actor=principal.user_id)
        flash(translate("inbox.unclaimed", name=task.name or task.element_id), "success")
    except NotFoundError:
        flash(translate("inbox.claim_conflict"), "warning")
    return _back(task_id)
