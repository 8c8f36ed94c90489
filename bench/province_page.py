"""The campaign's portal page through Flask's test client, signed in as the Chief of Office (who
sees every unit): what bench/province.py times beside the engine call behind it."""
from __future__ import annotations

import re
import time

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
USER, PASSWORD = "chief_bench", "mật-khẩu-đo-hiệu-năng"


def add_chief(engine) -> None:
    engine.identity.ensure_group("chief", "Chánh Văn phòng", "role")
    engine.identity.create_user(USER, "Chánh Văn phòng (đo hiệu năng)", password=PASSWORD, groups=["chief"])


def signed_in(app):
    client = app.test_client()
    token = CSRF_META.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"username": USER, "password": PASSWORD, "csrf_token": token})
    if response.status_code != 302:
        raise RuntimeError(f"signing in for the campaign page failed: HTTP {response.status_code}")
    return client


def campaign_page_ms(app, campaign_id: str, repeat: int) -> float:
    """The best of `repeat` GETs of /campaigns/<id>, each checked to be the page (HTTP 200)."""
    client, best = signed_in(app), float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        response = client.get(f"/campaigns/{campaign_id}")
        elapsed = (time.perf_counter() - began) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"/campaigns/{campaign_id} answered HTTP {response.status_code}")
        best = min(best, elapsed)
    return best
