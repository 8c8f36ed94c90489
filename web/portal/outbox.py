"""The admin's view of the reminder mail: pending, sent, failed and cancelled, with a resend button,
and each message as it goes out (engine/mail/message.py builds it with yagmail, as the sender does).

Without SMTP_HOST nothing is sent: the page says so, and the previews are where the mail is read.
A preview's HTML is shown in an iframe with `sandbox` (no script, no form, its own opaque origin)
through `srcdoc`, escaped as an attribute: no markup of a mail reaches the portal's page."""
from __future__ import annotations

import json

from flask import abort, flash, redirect, render_template, request, url_for

from engine.errors import InvalidStateError, NotFoundError
from engine.mail import compose, configured_sender, preview
from engine.persistence import OUTBOX_STATUSES
from web.composition import mail_texts
from web.portal.admin import ADMIN_GROUP
from web.portal.auth import current_principal, engine, portal_blueprint
from web.portal.i18n import translate
from web.portal.navigation import menu_item

blueprint = portal_blueprint("outbox", __name__, url_prefix="/admin/outbox")
menu_item("outbox.index", "nav.outbox", lambda principal: ADMIN_GROUP in principal.groups)


@blueprint.before_request
def admins_only():
    if ADMIN_GROUP not in current_principal().groups:
        abort(403)


def kind_label(kind: str) -> str:
    """"before:3" -> "3 ngày làm việc trước hạn", in the user's language."""
    name, _, value = kind.replace("@", ":").partition(":")
    if name in ("before", "escalate"):
        return translate(f"outbox.kind.{name}", days=value)
    if name == "timer":
        return translate("outbox.kind.timer")
    return translate(f"outbox.kind.{name}")


def _preview(texts, payload: dict, email: str, sender):
    """The mail as it will be sent; None for a row whose payload cannot make one (written by an
    older version, or by hand): the page still lists it, and the other rows' previews."""
    try:
        return preview(compose(texts, [payload], email), sender)
    except (KeyError, TypeError, ValueError):
        return None


@blueprint.get("/")
def index():
    status = request.args.get("status") or None
    if status is not None and status not in OUTBOX_STATUSES:
        abort(404)
    service, smtp = engine().outbox, engine().context.config.smtp
    sender, texts = configured_sender(smtp), mail_texts()
    mails = []
    for mail in service.list(status=status):
        payload = json.loads(mail.payload_json)
        mails.append((mail, payload, _preview(texts, payload, mail.email, sender)))
    return render_template("portal/outbox.html", mails=mails, counts=service.counts(), status=status,
                           statuses=OUTBOX_STATUSES, kind_label=kind_label,
                           smtp_off=not (smtp.get("SMTP_HOST") or "").strip())


@blueprint.post("/<int:mail_id>/resend")
def resend(mail_id: int):
    try:
        engine().outbox.resend(mail_id)
    except NotFoundError:
        abort(404)
    except InvalidStateError:
        flash(translate("outbox.resend.busy"), "warning")
    else:
        flash(translate("outbox.resend.done", id=mail_id), "success")
    return redirect(url_for("outbox.index", status=request.form.get("status") or None))
