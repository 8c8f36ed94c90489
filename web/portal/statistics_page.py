"""A campaign's statistics of commendations: the chart on the campaign page and the XLSX export.

The counts come from the award register (workflows/documents/statistics.py) under the campaign's
business key, the key the announcement records its awards under. They are what the announcement
already made public, so whoever may see the campaign page may see and download them: the same
check (`campaign_or_404`), so a unit's people of another campaign get 404.
"""
from __future__ import annotations

import re
from io import BytesIO

from flask import send_file

from web.portal.auth import engine, portal_blueprint
from web.portal.campaign import campaign_or_404
from workflows.documents.statistics import AwardStatistics, chart, statistics_xlsx

blueprint = portal_blueprint("statistics_page", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def campaign_key(campaign) -> str:
    """The key the announcement records the campaign's awards under (workflows/handlers.announce_results)."""
    return campaign.business_key or campaign.id


@blueprint.app_template_global("campaign_statistics")
def campaign_statistics(campaign) -> dict:
    """The chart's figures for the campaign page, which has already checked who asks."""
    return chart(AwardStatistics(engine().context.db).counts(campaign_key(campaign)))


@blueprint.get("/campaigns/<campaign_id>/statistics.xlsx")
def campaign_xlsx(campaign_id: str):
    campaign = campaign_or_404(campaign_id)
    variables = engine().runtime.get_variables(campaign_id)
    counts = AwardStatistics(engine().context.db).counts(campaign_key(campaign))
    name = re.sub(r"[^A-Za-z0-9]+", "-", campaign_key(campaign)).strip("-") or "campaign"
    return send_file(BytesIO(statistics_xlsx(counts, variables)), mimetype=XLSX, as_attachment=True,
                     download_name=f"thong-ke-khen-thuong-{name}.xlsx", max_age=0)
