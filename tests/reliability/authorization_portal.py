"""Who may open each portal page and send each form, by role; another unit's objects answer 404.

Without a session (and a REST token is no portal session, valid or not) every page but sign-in,
sign-out, the language switch, /health and the static files sends the browser to sign in.
"""
from __future__ import annotations

import base64
import io

from tests.conftest import fixture_bytes
from tests.reliability.authorization_cases import LOGIN, Table, expect, office_wide, only
from tests.reliability.authorization_seed import PASSWORD, PDF, STAFF_CSV
from workflows.documents.build_templates import default_template

PORTAL = Table(refused_without_login=LOGIN)
add = PORTAL.add
EVERYONE = expect(200)
ADMIN = only(200, 403, "admin")
ADMIN_REDIRECT = only(302, 403, "admin")
DESIGNERS = only(200, 403, "designer", "admin")


def get(path: str):
    return lambda s: (path.format(s=s), {})


def form(path: str, data: dict | None = None, *, fresh=None):
    """A POSTed form (with the page's CSRF token); `fresh(seed)` makes the object that fills {id}."""
    def build(s):
        made = fresh(s) if fresh else None
        return path.format(s=s, id=made), {"data": dict(data or {})}
    return build


def upload(path: str, field: str, name: str, content: bytes, extra: dict | None = None):
    def build(s):
        return path.format(s=s), {"data": {field: (io.BytesIO(content), name), **(extra or {})},
                                  "content_type": "multipart/form-data"}
    return build


# -- public -----------------------------------------------------------------------------------
SIGNED_IN_LEAVE_LOGIN = expect(302, anonymous=200, expired=200, revoked=200)
add("GET", "/login", "", get("/login"), SIGNED_IN_LEAVE_LOGIN, public=True)
add("POST", "/login", "another person signs in", form("/login", {"username": "an", "password": PASSWORD}),
    expect(302, anonymous=302), public=True, fresh_session=True)
add("POST", "/logout", "", form("/logout"), expect(302, anonymous=302), public=True, fresh_session=True)
add("POST", "/language", "", form("/language", {"language": "vi", "next": "/inbox"}), expect(302, anonymous=302),
    public=True, fresh_session=True)
add("GET", "/health", "", get("/health"), expect(200, anonymous=200), public=True)
add("GET", "/.well-known/camunda-automation-platform/webapps", "",
    get("/.well-known/camunda-automation-platform/webapps"), expect(200, anonymous=200), public=True)
add("GET", "/static/<path:filename>", "", get("/static/vendor/htmx/htmx.min.js"), expect(200, anonymous=200),
    public=True)

# -- inbox and tasks --------------------------------------------------------------------------
add("GET", "/", "", get("/"), EVERYONE)
add("GET", "/inbox", "", get("/inbox"), EVERYONE)
# The campaign's "deploy the plan" task is offered to the unit's head; staff do not see it.
add("GET", "/tasks/<task_id>", "own unit", get("/tasks/{s.task[own]}"), office_wide(200, 404, head=200))
add("GET", "/tasks/<task_id>", "other unit", get("/tasks/{s.task[other]}"), office_wide(200, 404))
# A fresh task offered to the own unit's group: its people work on it; the office-wide roles see
# it (403 to act), the others do not (404).
WORK_OWN = office_wide(403, 404, staff=302, head=302)
WORK_OTHER = office_wide(403, 404)
for side, work in (("own", WORK_OWN), ("other", WORK_OTHER)):
    add("POST", "/tasks/<task_id>/claim", f"{side} unit", form("/tasks/{id}/claim", fresh=lambda s, side=side:
                                                                 s.fresh_task(side)), work)
    add("POST", "/tasks/<task_id>/complete", f"{side} unit", form("/tasks/{id}/complete", fresh=lambda s, side=side:
                                                                    s.fresh_task(side)), work)
# In the portal only the holder releases a task (the office-wide roles hand over through REST).
add("POST", "/tasks/<task_id>/unclaim", "own unit, held by its head",
    form("/tasks/{id}/unclaim", fresh=lambda s: s.fresh_task("own", claimed_by="head_a")),
    office_wide(403, 404, staff=403, head=302))
add("POST", "/tasks/<task_id>/unclaim", "other unit, held there",
    form("/tasks/{id}/unclaim", fresh=lambda s: s.fresh_task("other", claimed_by="an")), office_wide(403, 404))
# Files go on a task the uploader may work on: the head's own task.
add("POST", "/tasks/<task_id>/attachments", "own unit", upload("/tasks/{s.task[own]}/attachments", "file",
                                                               "Kế hoạch.pdf", PDF), office_wide(403, 404, head=302))
add("POST", "/tasks/<task_id>/attachments", "other unit", upload("/tasks/{s.task[other]}/attachments", "file",
                                                                 "Kế hoạch.pdf", PDF), office_wide(403, 404))
add("GET", "/attachments/<attachment_id>", "own unit", get("/attachments/{s.attachment[own]}"),
    office_wide(200, 404, staff=200, head=200))
add("GET", "/attachments/<attachment_id>", "other unit", get("/attachments/{s.attachment[other]}"),
    office_wide(200, 404))

# -- instances and campaigns ------------------------------------------------------------------
SEE_OWN_INSTANCE = office_wide(200, 404, staff=200, head=200)
for rule, path in (("/instances/<instance_id>", "/instances/{{s.instance[{side}]}}"),
                   ("/instances/<instance_id>/diagram.bpmn", "/instances/{{s.instance[{side}]}}/diagram.bpmn")):
    add("GET", rule, "own unit", get(path.format(side="own")), SEE_OWN_INSTANCE)
    add("GET", rule, "other unit", get(path.format(side="other")), office_wide(200, 404))
add("GET", "/campaigns", "", get("/campaigns"), EVERYONE)
# A unit's people see the campaign their unit takes part in; council and designer have no part yet.
add("GET", "/campaigns/<campaign_id>", "", get("/campaigns/{s.campaign_id}"), SEE_OWN_INSTANCE)
add("GET", "/campaigns/<campaign_id>", "other unit's instance highlighted",
    get("/campaigns/{s.campaign_id}?instance={s.instance[other]}"), office_wide(200, 404))
add("GET", "/campaigns/<campaign_id>/diagram.bpmn", "", get("/campaigns/{s.campaign_id}/diagram.bpmn"),
    SEE_OWN_INSTANCE)
add("GET", "/campaigns/<campaign_id>/units.bpmn", "", get("/campaigns/{s.campaign_id}/units.bpmn"), SEE_OWN_INSTANCE)
# The award statistics are what the announcement made public: whoever sees the campaign page.
add("GET", "/campaigns/<campaign_id>/statistics.xlsx", "", get("/campaigns/{s.campaign_id}/statistics.xlsx"),
    SEE_OWN_INSTANCE)

# -- official documents: a unit's to its people, the council's to the council and the office-wide
# roles, the public ones (the guidance) to everyone in the campaign; the Chief and the admin sign.
READ_OWN_UNIT = office_wide(200, 404, staff=200, head=200, council=200)
add("GET", "/documents/<int:doc_id>.<fmt>", "own unit's tờ trình", get("/documents/{s.document[own]}.docx"),
    READ_OWN_UNIT)
add("GET", "/documents/<int:doc_id>.<fmt>", "other unit's tờ trình", get("/documents/{s.document[other]}.docx"),
    office_wide(200, 404, council=200))
add("GET", "/documents/<int:doc_id>.<fmt>", "council minutes", get("/documents/{s.document[minutes]}.docx"),
    office_wide(200, 404, council=200))
add("GET", "/documents/<int:doc_id>.<fmt>", "the guidance (public)", get("/documents/{s.document[guidance]}.docx"),
    READ_OWN_UNIT)
add("POST", "/documents/<int:doc_id>/sign", "the guidance", form("/documents/{s.document[guidance]}/sign"),
    expect(403, chief=302, admin=302, designer=404))
# All of a campaign's documents the reader may read, made in the background, then as one ZIP.
add("POST", "/campaigns/<campaign_id>/documents/prepare", "", form("/campaigns/{s.campaign_id}/documents/prepare"),
    office_wide(303, 404, staff=303, head=303))
add("GET", "/campaigns/<campaign_id>/documents.zip", "", get("/campaigns/{s.campaign_id}/documents.zip"),
    SEE_OWN_INSTANCE)
# -- a long operation's page: only who started it follows it (its label and result may name what
# others may not see); for anyone else it does not exist.
add("GET", "/batches/<batch_id>", "the unit head's", get("/batches/{s.batch}"), expect(404, head=200))
add("GET", "/batches/<batch_id>/progress", "the unit head's", get("/batches/{s.batch}/progress"),
    expect(404, head=200))
add("GET", "/tasks/<task_id>/drafts/<int:index>.<fmt>", "the guidance task's draft",
    get("/tasks/{s.guidance_task}/drafts/0.docx"), office_wide(200, 404))

# -- a person's record: the person, their unit's head and the office-wide readers (TCHCQT, council,
# Chief, admin); another unit's people and the designer get 404, as for nobody.
add("GET", "/people/me", "", get("/people/me"), expect(302))
add("GET", "/people/<user_id>", "own unit's staff member", get("/people/lan"),
    expect(200, designer=404))
add("GET", "/people/<user_id>", "other unit's staff member", get("/people/an"),
    expect(200, staff=404, head=404, designer=404))
add("GET", "/people/<user_id>", "nobody", get("/people/khong-co"), expect(404))

# -- models and document templates: designers ------------------------------------------------------
add("GET", "/models", "", get("/models"), DESIGNERS)
add("POST", "/models", "", upload("/models", "files", "approval.bpmn", fixture_bytes("approval.bpmn")),
    only(302, 403, "designer", "admin"))
add("GET", "/models/<definition_id>", "", get("/models/{s.definition_id}"), DESIGNERS)
add("GET", "/models/<definition_id>/model.xml", "", get("/models/{s.definition_id}/model.xml"), DESIGNERS)
# A process model has no rule table to compare: 404 to a designer, 403 to the others, as the page decides.
add("GET", "/models/<definition_id>/compare", "", get("/models/{s.definition_id}/compare"),
    only(404, 403, "designer", "admin"))
add("GET", "/templates", "", get("/templates"), DESIGNERS)
add("GET", "/templates/<kind>/v<int:version>.docx", "", get("/templates/chief_decision/v0.docx"), DESIGNERS)
add("POST", "/templates/<kind>", "", upload("/templates/chief_decision", "file", "Quyết định.docx",
                                            default_template("chief_decision")), only(302, 403, "designer", "admin"))

# -- administration: admin --------------------------------------------------------------------
add("GET", "/admin/", "", get("/admin/"), ADMIN_REDIRECT)
add("GET", "/admin/users", "", get("/admin/users"), ADMIN)
add("POST", "/admin/users", "", lambda s: ("/admin/users", {"data": {
    "user_id": s.unique("matrix-user-"), "display_name": "Người Thử", "password": "mật-khẩu-dài-2025",
    "unit": "tong_hop"}}), ADMIN_REDIRECT)
add("GET", "/admin/users/<user_id>", "", get("/admin/users/an"), ADMIN)
add("POST", "/admin/users/<user_id>", "", form("/admin/users/an", {"display_name": "Lê Văn An", "unit": "kinh_te",
                                                                   "groups": "staff"}), ADMIN_REDIRECT)
add("POST", "/admin/users/<user_id>/active", "", form("/admin/users/an/active", {"active": "1"}), ADMIN_REDIRECT)
add("POST", "/admin/users/<user_id>/password", "", form("/admin/users/an/password"), ADMIN)
add("GET", "/admin/units", "", get("/admin/units"), ADMIN)
add("POST", "/admin/units", "", lambda s: ("/admin/units", {"data": {"code": s.unique("dv_"), "name": "Đơn vị thử"}}),
    ADMIN_REDIRECT)
add("GET", "/admin/roles", "", get("/admin/roles"), ADMIN)
add("POST", "/admin/roles", "", lambda s: ("/admin/roles", {"data": {"group_id": s.unique("vai-tro-"),
                                                                     "name": "Vai trò thử"}}), ADMIN_REDIRECT)
add("POST", "/admin/groups/<group_id>/name", "", form("/admin/groups/unit:tong_hop/name", {"name": "Phòng Tổng hợp"}),
    ADMIN_REDIRECT)
add("GET", "/admin/staff-import", "", get("/admin/staff-import"), ADMIN)
add("POST", "/admin/staff-import", "", upload("/admin/staff-import", "file", "can_bo.csv", STAFF_CSV), ADMIN)
add("POST", "/admin/staff-import/apply", "", form("/admin/staff-import/apply", {
    "content": base64.b64encode(STAFF_CSV).decode(), "filename": "can_bo.csv"}), ADMIN_REDIRECT)
add("GET", "/admin/outbox/", "", get("/admin/outbox/"), ADMIN)
add("POST", "/admin/outbox/<int:mail_id>/resend", "", form("/admin/outbox/{s.mail_id}/resend"), ADMIN_REDIRECT)

# -- operations: admin; a confirmed action on a fresh instance, so it changes nothing the others read
add("GET", "/operations/", "", get("/operations/?q={s.campaign_id}"), ADMIN)
add("GET", "/operations/instances/<instance_id>", "", get("/operations/instances/{s.instance[own]}"), ADMIN)
add("POST", "/operations/instances/<instance_id>/<action_key>", "confirmed", form(
    "/operations/instances/{id}/variable", {"name": "matrixNote", "type": "String", "value": "x", "confirmed": "1"},
    fresh=lambda s: s.fresh_instance("own")), ADMIN_REDIRECT)
add("POST", "/operations/instances/<instance_id>/<action_key>", "suspend", form(
    "/operations/instances/{id}/suspend", {"confirmed": "1"}, fresh=lambda s: s.fresh_instance("own")), ADMIN_REDIRECT)
add("POST", "/operations/instances/<instance_id>/<action_key>", "move to a step", form(
    "/operations/instances/{id}/move", {"activity": "Task_unit", "confirmed": "1"},
    fresh=lambda s: s.fresh_instance("own")), ADMIN_REDIRECT)
add("POST", "/operations/instances/<instance_id>/<action_key>", "retry asks to confirm", form(
    "/operations/instances/{s.instance[own]}/retry", {"incident": "no-such-incident"}), only(400, 403, "admin"))
add("GET", "/operations/migration/", "", get("/operations/migration/?key=units_multi"), ADMIN)
# The same version twice is refused before anything is asked: nothing migrates under the others' feet.
add("POST", "/operations/migration/", "refused choice", lambda s: ("/operations/migration/", {"data": {
    "key": "units_multi", "source": s.engine.repository.latest_definition("units_multi").id,
    "target": s.engine.repository.latest_definition("units_multi").id, "confirmed": "1"}}), only(400, 403, "admin"))
