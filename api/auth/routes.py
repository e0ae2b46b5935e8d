"""Sign in, refresh, sign out, and who am I."""

from __future__ import annotations

import uuid
from typing import Any

from flask_jwt_extended import get_jwt, jwt_required

from api.access import actor_for, current_actor
from api.accounts.models import User
from api.auth.passwords import change_own_password, set_password_with_link, whose_link
from api.auth.schemas import (
    ChangePasswordSchema,
    LoginSchema,
    PasswordLinkCodeSchema,
    PasswordLinkOwnerSchema,
    SetPasswordWithLinkSchema,
    SignedInUserSchema,
    TokenPairSchema,
)
from api.auth.service import AuthError, end_all_sign_ins, revoke_family, rotate, sign_in
from api.common.crud import ApiBlueprint
from api.extensions import abort, db
from api.security.limits import client_address
from api.security.lockout import check_not_locked, sign_in_failed, sign_in_succeeded

blp = ApiBlueprint(
    "auth",
    __name__,
    url_prefix="/api/v1/auth",
    description="Sign in with e-mail and password; tokens rotate on refresh.",
)


def _user_payload(user: User) -> dict[str, Any]:
    actor = actor_for(user)
    return {
        "id": user.id,
        "role": user.role,
        "team_id": user.team_id,
        "name": user.name,
        "email": user.email,
        "participant_id": actor.participant_id,
    }


@blp.route("/login", methods=["POST"])
@blp.doc(security=[])
@blp.arguments(LoginSchema)
@blp.response(200, TokenPairSchema)
@blp.alt_response(401, description="Wrong e-mail or password, or the account is disabled.")
@blp.alt_response(
    429,
    description="Too many attempts from this address or for this account, or the e-mail "
    "address is locked after repeated failures; Retry-After says when to try again.",
)
def login(credentials: dict[str, str]) -> dict[str, Any]:
    """Sign in: a short-lived access token and a refresh token."""
    email = credentials["email"]
    # Failures are counted per e-mail address and client address: a stranger failing on
    # purpose elsewhere does not lock the owner out.
    address = client_address()
    check_not_locked(email, address)
    try:
        user, tokens = sign_in(email, credentials["password"])
    except AuthError as error:
        db.session.rollback()
        sign_in_failed(email, address)
        abort(401, message=str(error))
    db.session.commit()
    sign_in_succeeded(email, address)
    return {**tokens, "user": _user_payload(user)}


@blp.route("/refresh", methods=["POST"])
@blp.response(200, TokenPairSchema)
@blp.alt_response(401, description="The refresh token is expired, revoked or already used.")
@blp.alt_response(429, description="Too many refreshes from this address; see Retry-After.")
@blp.doc(security=[{"bearerAuth": []}])
@jwt_required(refresh=True)
def refresh() -> dict[str, Any]:
    """Exchange the refresh token (as bearer) for a new pair; the old one stops working."""
    try:
        user, tokens = rotate(get_jwt())
    except AuthError as error:
        abort(401, message=str(error))
    db.session.commit()
    return {**tokens, "user": _user_payload(user)}


@blp.route("/logout", methods=["POST"])
@blp.response(204)
@blp.doc(security=[{"bearerAuth": []}])
@jwt_required(verify_type=False)
def logout() -> None:
    """Revoke the presented token and every token of its sign-in (its refresh token too)."""
    revoke_family(uuid.UUID(get_jwt()["fam"]), "logout")
    db.session.commit()


@blp.route("/sign-out-all", methods=["POST"])
@blp.response(204)
@blp.doc(security=[{"bearerAuth": []}])
def sign_out_everywhere() -> None:
    """End every sign-in of yours, on every device, this one included (a lost phone): their
    tokens answer 401 from the next request on."""
    end_all_sign_ins(current_actor().id, "signed out everywhere")
    db.session.commit()


@blp.route("/password-link/lookup", methods=["POST"])
@blp.doc(security=[])
@blp.arguments(PasswordLinkCodeSchema)
@blp.response(200, PasswordLinkOwnerSchema)
@blp.alt_response(404, description="The link was used, has expired or was replaced.")
def whose_password_link(body: dict[str, str]) -> dict[str, Any]:
    """Whom a one-time password link is for (shown before they choose a password)."""
    return whose_link(body["code"])


@blp.route("/password-link", methods=["POST"])
@blp.doc(security=[])
@blp.arguments(SetPasswordWithLinkSchema)
@blp.response(204)
@blp.alt_response(404, description="The link was used, has expired or was replaced.")
@blp.alt_response(422, description="The password is too short, too common or too simple.")
def set_password_with_a_link(body: dict[str, str]) -> None:
    """Set your own password with a one-time link from an admin; then sign in with it."""
    set_password_with_link(body["code"], body["password"])
    db.session.commit()


@blp.route("/password", methods=["POST"])
@blp.arguments(ChangePasswordSchema)
@blp.response(204)
@blp.alt_response(422, description="The current password is wrong, or the new one too weak.")
@blp.doc(security=[{"bearerAuth": []}])
def change_password(body: dict[str, str]) -> None:
    """Change your own password. Your other sign-ins end; this one goes on."""
    actor = current_actor()
    change_own_password(actor.id, uuid.UUID(get_jwt()["fam"]), **body)
    db.session.commit()


@blp.route("/me", methods=["GET"])
@blp.response(200, SignedInUserSchema)
@blp.doc(security=[{"bearerAuth": []}])
def me() -> dict[str, Any]:
    """The signed-in user."""
    actor = current_actor()
    user = db.session.get(User, actor.id)
    assert user is not None
    return _user_payload(user)
