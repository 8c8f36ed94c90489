"""Long operations in the portal: a deployment of many files, a large staff import, a campaign's
documents. The request that starts one answers at once with a page whose bar follows the batch
(engine/management/batches.py) until its result is there; a short operation still answers directly.

The work runs in a thread without a request: it gets plain values and returns plain data, and the
page turns them into words in the reader's language when it shows them.
"""
from __future__ import annotations

from typing import Any, Callable

from flask import abort, redirect, render_template, url_for

from engine.errors import NotFoundError
from web.portal.auth import current_principal, engine, portal_blueprint

blueprint = portal_blueprint("batches_page", __name__)


def start(kind: str, label: str, work: Callable[..., Any], total: int):
    """Starts `work(progress)` as a batch of the signed-in user and sends them to its page."""
    batch = engine().batches.submit(kind, label, work, owner=current_principal().user_id, total=total)
    return redirect(url_for("batches_page.batch", batch_id=batch.id), 303)


def _own_batch(batch_id: str):
    """Only who started a batch follows it: its label and result may name what others may not see."""
    try:
        found = engine().batches.get(batch_id)
    except NotFoundError:
        abort(404)
    if found.owner != current_principal().user_id:
        abort(404)
    return found


@blueprint.get("/batches/<batch_id>")
def batch(batch_id: str):
    return render_template("portal/batch.html", batch=_own_batch(batch_id))


@blueprint.get("/batches/<batch_id>/progress")
def progress(batch_id: str):
    """The bar alone, polled by the page (htmx) every second until the batch has finished."""
    return render_template("portal/_batch_progress.html", batch=_own_batch(batch_id))
