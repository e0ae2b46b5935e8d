"""Admin routes: teams, user accounts and moving a participant between specialists."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flask.views import MethodView
from sqlalchemy import select

from api.access import current_actor, hidden_fields_for, may_see_team, team_scope, user_scope
from api.accounts.models import Team, User
from api.auth.passwords import issue_link
from api.auth.schemas import PasswordLinkSchema
from api.auth.service import end_all_sign_ins
from api.common.crud import PAGINATION_QUERY, ApiBlueprint, paginated, refuse_unknown_query
from api.common.records import find_visible
from api.common.schema import hidden_fields
from api.entities import ENTITIES
from api.errors import DomainError
from api.extensions import abort, db
from api.participants.schemas import ParticipantSchema, TransferSchema
from api.teams.schemas import TeamSchema, UserFilterSchema, UserSchema
from api.teams.service import create_team, create_user, transfer_participant, update_user

blp = ApiBlueprint(
    "admin",
    __name__,
    url_prefix="/api/v1",
    description="Teams and users (admins), and caseload transfers.",
)


def _commit(work: Callable[[], Any]) -> Any:
    # A DomainError goes to api.errors' handler, which rolls back.
    result = work()
    db.session.commit()
    return result


@blp.route("/teams")
class Teams(MethodView):
    @blp.response(200, TeamSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: Any) -> Any:
        """List teams (admin: all; others: their own)."""
        refuse_unknown_query(PAGINATION_QUERY)
        actor = current_actor()
        query = select(Team).where(team_scope(actor, Team.id)).order_by(Team.name)
        return paginated(query, pagination_parameters)

    @blp.arguments(TeamSchema)
    @blp.response(201, TeamSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a team (admin)."""
        current_actor(("admin",))
        return _commit(lambda: create_team(data["name"]))


@blp.route("/teams/<uuid:team_id>")
class TeamItem(MethodView):
    @blp.response(200, TeamSchema)
    def get(self, team_id: uuid.UUID) -> Any:
        """Read a team."""
        actor = current_actor()
        team = db.session.get(Team, team_id)
        if team is None or not may_see_team(actor, team_id):
            abort(404, message="No team with this id that you can see.")
        return team

    @blp.arguments(TeamSchema(partial=True))
    @blp.response(200, TeamSchema)
    def patch(self, changes: dict[str, Any], team_id: uuid.UUID) -> Any:
        """Rename a team (admin)."""
        current_actor(("admin",))
        team = db.session.get(Team, team_id)
        if team is None:
            abort(404, message="No team with this id.")

        def rename() -> Team:
            name = changes.get("name")
            if name and db.session.scalar(
                select(Team.id).where(Team.name == name, Team.id != team_id)
            ):
                raise DomainError(409, "A team with this name already exists.")
            if name:
                team.name = name
            return team

        return _commit(rename)


USER_QUERY = frozenset(UserFilterSchema().fields) | PAGINATION_QUERY


@blp.route("/users")
class Users(MethodView):
    @blp.arguments(UserFilterSchema, location="query")
    @blp.response(200, UserSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List users (admin: everyone; others: their team's staff, and a specialist the logins
        of their own participants)."""
        refuse_unknown_query(USER_QUERY)
        actor = current_actor(("admin", "supervisor", "specialist"))
        query = select(User).where(user_scope(actor)).order_by(User.name, User.id)
        if actor.role == "admin" and "team_id" in args:
            query = query.where(User.team_id == args["team_id"])
        if "role" in args:
            query = query.where(User.role == args["role"])
        if not args["include_inactive"]:
            query = query.where(User.is_active.is_(True))
        return paginated(query, pagination_parameters)

    @blp.arguments(UserSchema)
    @blp.response(201, UserSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a user account (admin). Without a password, the answer holds a one-time link
        for the new user to choose their own (hand it to them; it is shown only now)."""
        actor = current_actor(("admin",))

        def create() -> Any:
            user = create_user(data)
            if not data.get("password"):
                user.password_link = issue_link(user, "invite", actor.id)
            return user

        return _commit(create)


@blp.route("/users/<uuid:user_id>")
class UserItem(MethodView):
    @blp.response(200, UserSchema)
    def get(self, user_id: uuid.UUID) -> Any:
        """Read a user (admin; others within their team)."""
        actor = current_actor(("admin", "supervisor", "specialist"))
        user = db.session.scalar(select(User).where(User.id == user_id, user_scope(actor)))
        if user is None:
            abort(404, message="No user with this id that you can see.")
        return user

    @blp.arguments(UserSchema(partial=True))
    @blp.response(200, UserSchema)
    def patch(self, changes: dict[str, Any], user_id: uuid.UUID) -> Any:
        """Change a user: name, role, team, active, password (admin)."""
        current_actor(("admin",))
        user = db.session.get(User, user_id)
        if user is None:
            abort(404, message="No user with this id.")
        return _commit(lambda: update_user(user, changes))


@blp.route("/users/<uuid:user_id>/password-link", methods=["POST"])
@blp.response(201, PasswordLinkSchema)
@blp.alt_response(404, description="No active user with this id.")
def password_link(user_id: uuid.UUID) -> Any:
    """A new one-time link for a user to set their own password (a reset, or an invitation sent
    again); earlier links stop working. The current password works until the link is used."""
    actor = current_actor(("admin",))
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        abort(404, message="No active user with this id.")
    return _commit(lambda: issue_link(user, "reset", actor.id))


@blp.route("/users/<uuid:user_id>/sign-out-all", methods=["POST"])
@blp.response(204)
@blp.alt_response(404, description="No user with this id.")
def sign_out_user_everywhere(user_id: uuid.UUID) -> None:
    """End every sign-in of a user, on every device (admin): a lost phone, say. Their access
    and refresh tokens answer 401 from the next request on; signing in again works."""
    current_actor(("admin",))
    if db.session.get(User, user_id) is None:
        abort(404, message="No user with this id.")
    _commit(lambda: end_all_sign_ins(user_id, "signed out everywhere by an admin"))


@blp.route("/participants/<uuid:participant_id>/transfer", methods=["POST"])
@blp.arguments(TransferSchema)
@blp.response(200, ParticipantSchema)
def transfer(data: dict[str, Any], participant_id: uuid.UUID) -> Any:
    """Move a participant to another specialist of the same team (their team's supervisor, or
    an admin)."""
    actor = current_actor(("admin", "supervisor"))
    hidden_fields.set(hidden_fields_for(actor, "participants"))  # as when the admin reads it
    participant = find_visible(actor, ENTITIES["participants"], participant_id)
    if participant is None:
        abort(404, message="No participant with this id.")
    _commit(lambda: transfer_participant(actor, participant, data["specialist_id"]))
    return participant
