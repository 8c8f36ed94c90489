"""Which instances a portal user may see: the same rule as /engine-rest (web/authorization.py)."""
from __future__ import annotations

from engine.identity import Principal
from web.authorization import sees_everything
from web.portal.auth import engine
from web.portal.navigation import involvement_of


def may_see_instance(principal: Principal, instance_id: str) -> bool:
    """Office-wide roles see every instance; others their unit's and those they take part in."""
    return sees_everything(principal) or engine().runtime.takes_part(instance_id, involvement_of(principal))
