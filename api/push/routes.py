"""Push routes: the server's public key, the user's own subscriptions, and a test push."""

from __future__ import annotations

import time
import uuid
from typing import Any

from flask import Flask, current_app, request
from flask.views import MethodView
from sqlalchemy import select

from api.access import current_actor
from api.common.crud import ApiBlueprint, refuse_unknown_query
from api.extensions import abort, db
from api.push import keys
from api.push.endpoints import EndpointPolicy
from api.push.models import PushSubscription
from api.push.payloads import build_payload
from api.push.schemas import (
    PushSubscriptionBodySchema,
    PushSubscriptionSchema,
    PushTestReportSchema,
    VapidPublicKeySchema,
)
from api.push.service import send_to_user, subscribe

# A test notification is worth seeing now or not at all.
TEST_TTL_SECONDS = 300

blp = ApiBlueprint(
    "push",
    __name__,
    url_prefix="/api/v1/push",
    description="Web push: each user's browser subscriptions, and a test notification.",
)


def _init(app: Flask) -> None:
    """At start: the VAPID keys, and PUSH_SERVICE_HOSTS checked (a typo stops the app)."""
    keys.init_app(app)
    EndpointPolicy.from_config(app.config)


blp.record_once(lambda state: _init(state.app))


@blp.route("/vapid-public-key", methods=["GET"])
@blp.response(200, VapidPublicKeySchema)
def vapid_public_key() -> dict[str, str]:
    """The key the app passes to pushManager.subscribe() as applicationServerKey."""
    refuse_unknown_query(frozenset())
    current_actor()
    return {"public_key": keys.vapid_keys().public_key}


@blp.route("/subscriptions")
class Subscriptions(MethodView):
    @blp.response(200, PushSubscriptionSchema(many=True))
    def get(self) -> Any:
        """The signed-in user's own subscriptions (one per browser)."""
        refuse_unknown_query(frozenset())
        actor = current_actor()
        return db.session.scalars(
            select(PushSubscription)
            .where(PushSubscription.user_id == actor.id)
            .order_by(PushSubscription.created_at, PushSubscription.id)
        ).all()

    @blp.arguments(PushSubscriptionBodySchema)
    @blp.response(201, PushSubscriptionSchema)
    @blp.alt_response(
        200, schema=PushSubscriptionSchema, description="This browser's subscription, updated."
    )
    def post(self, data: dict[str, Any]) -> Any:
        """Store this browser's push subscription for the signed-in user (the same endpoint
        again updates it, and takes it over from another user who had it).

        The endpoint must be a known push service's (https on a PUSH_SERVICE_HOSTS host) and
        resolve to public addresses: else 422 with code push_service_unknown,
        push_endpoint_private or push_endpoint_unresolved. A user keeps at most
        PUSH_MAX_SUBSCRIPTIONS_PER_USER subscriptions: the least recently subscribed goes."""
        actor = current_actor()
        subscription, created = subscribe(
            actor.id,
            data["endpoint"],
            data["keys"],
            data.get("device"),
            request.headers.get("User-Agent"),
        )
        return subscription, 201 if created else 200


@blp.route("/subscriptions/<uuid:subscription_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(404, description="No subscription of yours with this id.")
def delete_subscription(subscription_id: uuid.UUID) -> None:
    """Remove one of the signed-in user's subscriptions (e.g. when signing out)."""
    actor = current_actor()
    subscription = db.session.scalar(
        select(PushSubscription).where(
            PushSubscription.id == subscription_id, PushSubscription.user_id == actor.id
        )
    )
    if subscription is None:
        abort(404, message="No push subscription of yours with this id.")
    db.session.delete(subscription)
    db.session.commit()


@blp.route("/test", methods=["POST"])
@blp.response(200, PushTestReportSchema)
@blp.alt_response(429, description="Too many test pushes from this user; see Retry-After.")
def send_test() -> dict[str, Any]:
    """Send a test notification to each of the signed-in user's subscriptions now, and say
    what became of each (a code, never the push service's own text). The whole test takes at
    most PUSH_TEST_DEADLINE_SECONDS: a subscription not reached by then is `not_tried`."""
    actor = current_actor()
    # A request thread is not held for as long as a scheduler's send may take.
    deadline = time.monotonic() + float(current_app.config["PUSH_TEST_DEADLINE_SECONDS"])
    deliveries = send_to_user(
        actor.id, build_payload("test"), ttl=TEST_TTL_SECONDS, deadline=deadline
    )
    return {"results": [delivery.as_dict() for delivery in deliveries]}
