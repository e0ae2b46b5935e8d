"""Valid bodies for every entity, made from its schema rather than written out by hand.

Tests that sweep every text field of every entity (tests/test_limits.py, tests/test_injection.py)
use these, so an entity or a text field added to the registry is swept the day it is added.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from marshmallow import fields, validate

from api.access import rules_for
from api.accounts.models import Team
from api.common.entity import Entity
from api.common.schema import AwareDateTime, Date, Flag, Number, Text
from api.entities import ENTITIES
from api.extensions import db
from tests.factories import Factory

SOME_TIME = "2026-11-18T10:00:00+01:00"
SOME_DATE = "2026-10-01"


def writer_role(entity: Entity) -> str | None:
    """The role that creates records of `entity` (None: nobody creates them)."""
    roles = sorted(rules_for(entity.name).create_roles)
    return roles[0] if roles else None


def text_fields(entity: Entity) -> dict[str, Text]:
    """The entity's free-text fields that a client writes, by name."""
    return {
        name: f
        for name, f in entity.schema().fields.items()
        if isinstance(f, Text) and not f.dump_only
    }


def writable_text_fields(entity: Entity) -> dict[str, Text]:
    """Text fields the creating role may set (all of them, for every entity today)."""
    role = writer_role(entity)
    if role is None:
        return {}
    allowed = rules_for(entity.name).write.get(role)
    return {n: f for n, f in text_fields(entity).items() if allowed is None or n in allowed}


def written_entities() -> Iterator[Entity]:
    """Entities someone creates and that have text to write."""
    for entity in ENTITIES.values():
        if writable_text_fields(entity):
            yield entity


@dataclass
class Caseload:
    """A team with a specialist and a supervisor, and what records refer to."""

    factory: Factory
    specialist: Any
    supervisor: Any
    employer: Any
    serial: int = 0
    extra: dict[str, uuid.UUID] = field(default_factory=dict)

    @classmethod
    def make(cls, factory: Factory) -> Caseload:
        specialist = factory.user("specialist")
        supervisor = factory.user("supervisor", team=db.session.get(Team, specialist.team_id))
        return cls(factory, specialist, supervisor, factory.employer(specialist))

    def participant(self) -> uuid.UUID:
        """A new participant of the specialist, who consents to employer contact (records that
        are one per participant, such as the career profile, each get their own)."""
        participant = self.factory.participant(self.specialist)
        self.factory.consent(participant, "employers", granted=True)
        return participant.id

    def reference(self, target: str) -> uuid.UUID:
        if target == "participants":
            return self.participant()
        if target == "employers":
            return self.employer.id
        if target == "specialists":
            return self.specialist.id
        raise AssertionError(f"no reference made for {target}")

    def body(self, entity: Entity, **text: Any) -> dict[str, Any]:
        """A valid body for a new record of `entity`: its required fields, plus `text`."""
        self.serial += 1
        body: dict[str, Any] = {}
        for name, f in entity.schema().fields.items():
            if f.dump_only or not f.required or name in text:
                continue
            body[name] = self._value(entity, name, f)
        body.update(text)
        return body

    def _value(self, entity: Entity, name: str, f: fields.Field) -> Any:
        target = entity.references.get(name)
        if target is not None:
            return str(self.reference(target))
        if isinstance(f, Text):
            return f"{name} {self.serial}"
        if isinstance(f, AwareDateTime):
            return SOME_TIME
        if isinstance(f, Date):
            return SOME_DATE
        if isinstance(f, Flag):
            return True
        if isinstance(f, Number):
            return 10
        enum = f.metadata.get("enum")
        if enum:
            return enum[0]
        if isinstance(f, fields.Integer):
            # e.g. the year and week of a week review: another one for every body, so that none
            # is taken (every year has weeks 1 to 52)
            ranges = [v for v in f.validators if isinstance(v, validate.Range)]
            low = int(ranges[0].min) if ranges and ranges[0].min is not None else 0
            return low + self.serial % 52
        raise AssertionError(f"no value made for the required {entity.name}.{name} ({f!r})")

    def writer(self, entity: Entity) -> Any:
        return self.supervisor if writer_role(entity) == "supervisor" else self.specialist
