"""Which process is the campaign: what the campaign page lists and the instance page links back to.

Its own module so that both pages import it and neither imports the other.
"""
from __future__ import annotations

import os

from flask import current_app

DEFAULT_CAMPAIGN_PROCESS = "campaign"


def campaign_process() -> str:
    return (current_app.config.get("THIDUA_CAMPAIGN_PROCESS") or os.environ.get("THIDUA_CAMPAIGN_PROCESS")
            or DEFAULT_CAMPAIGN_PROCESS)
