"""What every portal page shows around its content: the signed-in user and their task counts."""
from __future__ import annotations

from typing import Callable

from flask import Flask, current_app
from flask_login import current_user

from engine.runtime import Involvement
from engine.tasks import TaskQuery


# (endpoint, catalog key, who sees it) of the pages after the inbox in the navigation bar.
MENU: list[tuple[str, str, Callable]] = []


def menu_item(endpoint: str, key: str, visible: Callable = lambda principal: True) -> None:
    """A page module adds its entry to the navigation bar: `menu_item("campaign.index", "nav.campaigns")`."""
    if all(existing[0] != endpoint for existing in MENU):
        MENU.append((endpoint, key, visible))


def involvement_of(principal) -> Involvement:
    return Involvement(principal.user_id, principal.groups, principal.unit)


def unit_names() -> dict[str, str]:
    """unit code -> the unit's name, from the `unit:<code>` groups."""
    groups = current_app.extensions["thidua.engine"].identity.list_groups("unit")
    return {g.id.removeprefix("unit:"): g.name for g in groups}


def task_counts(principal) -> dict[str, int]:
    """Tasks held by the user, and tasks offered to them or their groups that nobody holds yet."""
    tasks = current_app.extensions["thidua.engine"].tasks
    return {"mine": tasks.count(TaskQuery(assignee=principal.user_id)),
            "offered": tasks.count(TaskQuery(involving=involvement_of(principal), unassigned=True))}


def counters(counts: dict[str, int]) -> list[dict]:
    """The inbox's counters as the menu shows them: short words on the badge ("3 việc chờ nhận"),
    the whole sentence as its title and accessible name."""
    from web.portal.i18n import translate
    return [{"id": f"count-{kind}", "tone": tone, "count": counts[kind],
             "text": translate(f"nav.count.{kind}", count=counts[kind]),
             "title": translate(f"nav.count.{kind}.title", count=counts[kind])}
            for kind, tone in (("mine", "light"), ("offered", "warning"))]


def init_app(app: Flask) -> None:
    @app.context_processor
    def navigation():
        if not current_user.is_authenticated:
            return {"task_counts": None, "task_counters": [], "portal_menu": [], "missing_vendor": app.config.get("THIDUA_MISSING_VENDOR", [])}
        principal = current_user.principal
        counts = task_counts(principal)
        return {"task_counts": counts, "task_counters": counters(counts),
                "portal_menu": [(endpoint, key) for endpoint, key, visible in MENU if visible(principal)],
                "missing_vendor": app.config.get("THIDUA_MISSING_VENDOR", [])}
