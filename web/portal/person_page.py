"""A person's record (hồ sơ cá nhân): unit, position, years at the Office, recent ratings,
disciplinary records, open cases (the reason they cannot be considered now), the award history;
and, to the person themself, their own nominations with their status and result.

Who may see it: the person, the head of their unit (`head:<unit>`), TCHCQT, the council, the Chief
of Office and the admin. Anyone else gets 404, as for a person who does not exist.
"""
from __future__ import annotations

from flask import abort, redirect, render_template, url_for

from engine.errors import NotFoundError
from web.portal.auth import current_principal, engine, portal_blueprint
from web.portal.i18n import current_language
from web.portal.navigation import menu_item
from web.portal.person_nominations import own_nominations
from workflows.award_register import AwardRegister
from workflows.pending_cases import PendingCases, case_text
from workflows.service_record import whole_years
from workflows.staff_directory import StaffDirectory

blueprint = portal_blueprint("person_page", __name__)
# Staff belong to a unit; the office-wide accounts (chief, admin, designer) have no record here.
menu_item("person_page.mine", "person.nav.mine", lambda principal: principal.unit is not None)

READERS = frozenset({"tchcqt", "council", "chief", "admin"})
RATING_YEARS_SHOWN = 10


def may_see_person(principal, person) -> bool:
    return (principal.user_id == person.id or f"head:{person.unit_code}" in principal.groups
            or bool(principal.groups & READERS))


def office_today():
    service = engine()
    return service.context.now().astimezone(service.context.config.timezone).date()


@blueprint.get("/people/me")
def mine():
    return redirect(url_for("person_page.person", user_id=current_principal().user_id))


@blueprint.get("/people/<user_id>")
def person(user_id: str):
    principal = current_principal()
    service = engine()
    directory = StaffDirectory(service.context.db)
    try:
        staff = directory.get(user_id)
    except NotFoundError:
        abort(404)
    if not may_see_person(principal, staff):
        abort(404)
    today = office_today()
    try:
        unit_name = directory.get_unit(staff.unit_code).name
    except NotFoundError:
        unit_name = staff.unit_code
    ratings = directory.ratings(user_id)
    recent = sorted((y for y in ratings if y >= today.year - RATING_YEARS_SHOWN), reverse=True)
    language = current_language()
    blocked = [{"case": c, "text": case_text(c.kind, language)}
               for c in PendingCases(service.context.db).cases(user_id, open_on=today)]
    is_self = principal.user_id == user_id
    return render_template(
        "portal/person.html", person=staff, unit_name=unit_name, today=today,
        years=whole_years(staff.office_start_date, today),
        ratings=[(year, ratings[year]) for year in recent], disciplines=directory.disciplines(user_id),
        blocked=blocked, awards=AwardRegister(service.context.db).of_person(user_id), is_self=is_self,
        nominations=own_nominations(service, principal) if is_self else None)
