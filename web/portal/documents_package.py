"""All of a campaign's documents at once, as one ZIP: the files are made in the background (a
batch, with its progress bar), since a campaign has a hundred and more of them and each takes a
WeasyPrint or Word rendering; the ZIP is then packed from the kept files in a moment.

The ZIP holds the documents the reader may read, as the campaign page lists them.
"""
from __future__ import annotations

from io import BytesIO

from flask import send_file

from web.portal.auth import current_principal, portal_blueprint
from web.portal.batches_page import start
from web.portal.campaign import campaign_or_404
from web.portal.documents_page import may_read, store
from web.portal.i18n import translate
from workflows.collectives import slug
from workflows.documents.export import package
from workflows.documents.store import Document

blueprint = portal_blueprint("documents_package", __name__)


def readable_documents(campaign) -> list[Document]:
    principal, seen = current_principal(), {campaign.id: True}
    return [d for d in store().for_campaign(campaign.id) if d.current and may_read(principal, d, seen)]


@blueprint.post("/campaigns/<campaign_id>/documents/prepare")
def prepare(campaign_id: str):
    campaign = campaign_or_404(campaign_id)
    documents, files = store(), readable_documents(campaign)

    def work(progress) -> dict:
        made = documents.prepare(files, progress=progress)
        return {"ok": True, "campaign_id": campaign.id, "documents": len(files), "made": made}

    label = translate("documents.package.batch", campaign=campaign.business_key or campaign.id)
    # The count of files still to make is prepare's to find (it reports it as it starts).
    return start("documents", label, work, total=0)


@blueprint.get("/campaigns/<campaign_id>/documents.zip")
def download(campaign_id: str):
    campaign = campaign_or_404(campaign_id)
    data = package(store(), readable_documents(campaign))
    name = f"van-ban_{slug(campaign.business_key or '') or campaign.id}.zip"
    return send_file(BytesIO(data), mimetype="application/zip", as_attachment=True,
                     download_name=name, max_age=0)
