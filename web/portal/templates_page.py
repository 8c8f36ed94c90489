"""Document templates (designers and admins): the Office downloads a kind's DOCX template, edits it
in Word and uploads it back as the kind's next version.

The upload goes through `TemplateStore.upload`, the one place that checks a template: a refused
file (not a DOCX, broken, or naming a placeholder the kind does not have) stores nothing and the
page says why, naming the placeholder, with the version in force unchanged.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from io import BytesIO
from urllib.parse import quote

from flask import abort, flash, redirect, render_template, request, send_file, url_for

from engine.errors import ConflictError
from engine.forms import FormValidationError
from web.authorization import may_deploy
from web.composition import template_store
from web.portal.auth import current_principal, engine, portal_blueprint
from web.portal.form_rendering import error_message
from web.portal.i18n import translate
from web.portal.navigation import menu_item
from workflows.collectives import slug
from workflows.documents.kinds import KINDS, Placeholder, placeholders
from workflows.documents.templates_store import MAX_BYTES, TemplateVersion

blueprint = portal_blueprint("templates_page", __name__)
menu_item("templates_page.templates", "nav.templates", may_deploy)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Room for the multipart envelope and the CSRF token around the largest template the store takes.
REQUEST_OVERHEAD = 64 * 1024
# Characters Windows refuses in a file name.
UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


@blueprint.url_value_preprocessor
def limit_upload_size(endpoint: str | None, values: dict | None) -> None:
    # URL preprocessors run before every before_request function, so CSRFProtect, the first to read
    # the form, already reads it under the template store's limit rather than the dossier files'.
    if endpoint == "templates_page.upload":
        request.max_content_length = MAX_BYTES + REQUEST_OVERHEAD


@blueprint.before_request
def designers_only():
    # Runs after the sign-in check the portal blueprint registered first.
    if not may_deploy(current_principal()):
        abort(403)


@dataclass(frozen=True)
class KindView:
    key: str
    title: str
    in_force: TemplateVersion
    earlier: list[TemplateVersion]  # newest first, ending with the default once anything was uploaded
    placeholders: list[tuple[Placeholder, list[str]]]  # each with how it is written in Word


def written_as(placeholder: Placeholder) -> list[str]:
    """How the Office writes the placeholder in Word, as docxtpl reads it."""
    name = placeholder.name
    if placeholder.shape == "record":
        return [f"{{{{ {name}.{field} }}}}" for field in placeholder.fields]
    if placeholder.shape == "list":
        return [f"{{% for x in {name} %}}{{{{ x }}}}{{% endfor %}}"]
    if placeholder.shape == "rows":
        return [f"{{% for r in {name} %}}", *(f"{{{{ r.{field} }}}}" for field in placeholder.fields),
                "{% endfor %}"]
    return [f"{{{{ {name} }}}}"]


def _views() -> list[KindView]:
    store = template_store(engine())
    views = []
    for key, kind in KINDS.items():
        uploads = store.versions(key)
        default = [TemplateVersion(key, 0, None, None)]
        in_force, earlier = (uploads[0], uploads[1:] + default) if uploads else (default[0], [])
        views.append(KindView(key, kind.title, in_force, earlier,
                              [(p, written_as(p)) for p in placeholders(key)]))
    return views


def _listing(refusal: dict | None = None, status: int = 200):
    names = {user.id: user.display_name for user in engine().identity.list_users()}
    page = render_template("portal/templates.html", kinds=_views(), refusal=refusal, uploader_names=names,
                           max_mb=MAX_BYTES // (1024 * 1024), accept=f".docx,{DOCX}")
    return page, status


def _kind_or_404(kind: str):
    if kind not in KINDS:
        abort(404)
    return KINDS[kind]


@blueprint.get("/templates")
def templates():
    return _listing()


@blueprint.post("/templates/<kind>")
def upload(kind: str):
    _kind_or_404(kind)
    title = translate(f"documents.kind.{kind}")  # the reader's language; in Vietnamese the kind's own title
    refusal = {"kind": kind, "title": title}
    file = request.files.get("file")
    if file is None or not file.filename:
        return _listing({**refusal, "reasons": [translate("templates.upload.none")]}, 400)
    try:
        stored = template_store(engine()).upload(kind, file.read(), current_principal().user_id,
                                                 now=engine().context.config.clock())
    except FormValidationError as refused:
        return _listing({**refusal, "reasons": [error_message(e) for e in refused.errors]}, 400)
    except ConflictError:
        return _listing({**refusal, "reasons": [translate("templates.upload.busy")]}, 409)
    flash(translate("templates.upload.done", title=title, version=stored.version), "success")
    return redirect(url_for("templates_page.templates", _anchor=f"template-{kind}"))


@blueprint.get("/templates/<kind>/v<int:version>.docx")
def download(kind: str, version: int):
    title = _kind_or_404(kind).title
    try:
        content = template_store(engine()).content(kind, version)
    except KeyError:
        abort(404)
    ascii_name, name = download_names(title, version)
    response = send_file(BytesIO(content), mimetype=DOCX, as_attachment=True, download_name=ascii_name, max_age=0)
    # The ASCII name for old clients, the Vietnamese one (RFC 5987) for every browser of today.
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def download_names(title: str, version: int) -> tuple[str, str]:
    """("mau-quyet-dinh-tang-giay-khen-v3.docx", "Mẫu Quyết định tặng Giấy khen - v3.docx"); the
    default template is "mac-dinh" / "mặc định" in place of the version."""
    ascii_tail = f"v{version}" if version else "mac-dinh"
    tail = f"v{version}" if version else "mặc định"
    readable = UNSAFE_IN_NAME.sub(" ", title).strip()
    return f"mau-{slug(title)}-{ascii_tail}.docx", f"Mẫu {readable} - {tail}.docx"
