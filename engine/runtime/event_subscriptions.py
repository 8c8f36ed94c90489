"""Reading the event subscription index, as Camunda's GET /event-subscription."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from engine.persistence import EventSubscription, ProcessInstance
from engine.runtime.involvement import Involvement, takes_part_in


@dataclass
class EventSubscriptionQuery:
    event_type: str | None = None
    event_name: str | None = None
    instance_id: str | None = None
    activity_id: str | None = None
    # A person who sees their own work only: the subscriptions of the instances they see, and
    # the start events (which reveal no instance).
    involving: Involvement | None = None
    first: int = 0
    limit: int | None = None


def _where(statement, q: EventSubscriptionQuery):
    filters = []
    if q.event_type:
        filters.append(EventSubscription.event_type == q.event_type)
    if q.event_name:
        filters.append(EventSubscription.event_name == q.event_name)
    if q.instance_id:
        filters.append(EventSubscription.instance_id == q.instance_id)
    if q.activity_id:
        filters.append(EventSubscription.activity_id == q.activity_id)
    if q.involving is not None:
        visible = select(ProcessInstance.id).where(takes_part_in(q.involving))
        filters.append(or_(EventSubscription.instance_id.is_(None), EventSubscription.instance_id.in_(visible)))
    return statement.where(*filters)


def list_event_subscriptions(ctx, query: EventSubscriptionQuery) -> list[EventSubscription]:
    statement = (_where(select(EventSubscription), query).order_by(EventSubscription.id)
                 .offset(query.first).limit(query.limit))
    with ctx.sessions() as session:
        return list(session.scalars(statement))


def count_event_subscriptions(ctx, query: EventSubscriptionQuery) -> int:
    with ctx.sessions() as session:
        return session.scalar(_where(select(func.count()).select_from(EventSubscription), query))
