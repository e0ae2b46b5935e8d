"""flask-jwt-extended callbacks: revocation through the token family, and errors as problems."""

from __future__ import annotations

from typing import Any

from flask_jwt_extended import JWTManager

from api.auth.service import family_is_revoked
from api.extensions import problem

# Claims every token we issue has; a token without one of them is refused.
REQUIRED_CLAIMS = ("exp", "iat", "jti", "sub", "type", "fam")


def register_token_callbacks(jwt: JWTManager) -> None:
    @jwt.token_in_blocklist_loader
    def _revoked(jwt_header: dict[str, Any], jwt_payload: dict[str, Any]) -> bool:
        sub = jwt_payload.get("sub")
        return family_is_revoked(jwt_payload.get("fam"), sub if isinstance(sub, str) else "")

    def unauthorized(detail: str, code: str = "token_invalid") -> Any:
        response = problem(401, "Unauthorized", detail, code=code)
        response.headers["WWW-Authenticate"] = "Bearer"
        return response

    jwt.unauthorized_loader(
        lambda reason: unauthorized(
            "Sign in first: send 'Authorization: Bearer <access token>'.", "sign_in_required"
        )
    )
    jwt.invalid_token_loader(lambda reason: unauthorized("The token is not valid; sign in again."))
    jwt.expired_token_loader(
        lambda header, payload: unauthorized(
            "The token has expired: refresh it, or sign in again.", "token_expired"
        )
    )
    jwt.revoked_token_loader(
        lambda header, payload: unauthorized(
            "This sign-in has ended (signed out or revoked); sign in again.", "signed_out"
        )
    )
    jwt.user_lookup_error_loader(
        lambda header, payload: unauthorized(
            "This account is no longer active.", "account_inactive"
        )
    )
    jwt.token_verification_failed_loader(
        lambda header, payload: unauthorized("The token is not valid; sign in again.")
    )

    @jwt.token_verification_loader
    def _complete(jwt_header: dict[str, Any], jwt_payload: dict[str, Any]) -> bool:
        # PyJWT checks "exp" only when present; ours always carry it, and the rest.
        return jwt_header.get("alg") == "HS256" and all(
            jwt_payload.get(claim) for claim in REQUIRED_CLAIMS
        )

    @jwt.decode_key_loader
    def _key(header: dict[str, Any], payload: dict[str, Any]) -> str:
        from flask import current_app

        return str(current_app.config["JWT_SECRET_KEY"])
