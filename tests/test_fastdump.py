"""The fast dumper gives exactly what each entity's schema gives."""

import orjson

from api.common.fastdump import dump_many
from api.common.schema import hidden_fields
from api.demo import seed_demo
from api.entities import ENTITIES
from api.extensions import db


def test_the_fast_dump_equals_the_schema_dump_for_every_entity(app):
    with app.app_context():
        seed_demo()
        db.session.commit()
        for entity in ENTITIES.values():
            rows = db.session.scalars(db.select(entity.model).limit(200)).all()
            expected = entity.schema(many=True).dump(rows)
            assert dump_many(entity.schema, rows) == expected, entity.name


def test_the_fast_dump_leaves_out_hidden_fields_like_the_schema(app):
    with app.app_context():
        seed_demo()
        db.session.commit()
        rows = db.session.scalars(db.select(ENTITIES["meetings"].model).limit(20)).all()
        token = hidden_fields.set(frozenset({"notes", "agreed_next_steps"}))
        try:
            expected = ENTITIES["meetings"].schema(many=True).dump(rows)
        finally:
            hidden_fields.reset(token)
        fast = dump_many(
            ENTITIES["meetings"].schema, rows, frozenset({"notes", "agreed_next_steps"})
        )
        assert fast == expected and rows and "notes" not in fast[0]


def _rows_and_schema_dumps(app):
    """(entity, rows of its columns as pull reads them, the schema's dump of the same records)
    for every entity, on the demo data."""
    with app.app_context():
        seed_demo()
        db.session.commit()
        for entity in ENTITIES.values():
            model = entity.model
            instances = db.session.scalars(db.select(model).order_by(model.id).limit(200)).all()
            rows = db.session.execute(
                db.select(*model.__table__.c).order_by(model.id).limit(200)
            ).all()
            yield entity, rows, entity.schema(many=True).dump(instances)


def test_rows_of_columns_dump_like_the_instances_they_come_from(app):
    """Pull reads plain rows of columns; properties such as face_to_face are computed on them."""
    for entity, rows, expected in _rows_and_schema_dumps(app):
        assert dump_many(entity.schema, rows, model=entity.model) == expected, entity.name


def test_native_values_encoded_by_orjson_read_back_as_the_schema_dump(app):
    """What a pull sends: UUIDs and datetimes left to orjson come out as the schema's text."""
    for entity, rows, expected in _rows_and_schema_dumps(app):
        native = dump_many(entity.schema, rows, model=entity.model, native=True)
        assert orjson.loads(orjson.dumps(native)) == expected, entity.name
