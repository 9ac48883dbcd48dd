"""Rolling deploys: while app servers restart one by one, the previous release's
code runs against the new schema. A migration must therefore not drop or
rename a column or table the old code still reads, nor add a NOT NULL column
the old code does not fill, nor tighten a column the old code leaves empty.

This walks the operations of every migration after the BASELINE, with the
project state each one starts from, and refuses RemoveField, DeleteModel,
RenameField, RenameModel, AlterModelTable, AddField NOT NULL without a database
default (`db_default=`; a Python `default` is unknown to old code), and
AlterField that makes a column NOT NULL without one, renames its column or
changes its type (other than lengthening a string).

Why not django-migration-linter (which supports Django 5.2): it judges the SQL
a migration emits, and on SQLite, the default database here, Django rebuilds
tables for many changes. There it flags every rebuild as "NOT NULL" (the
rebuilt table's other NOT NULL columns) and misses a dropped foreign key (a
rebuild, not a DROP COLUMN). Judging operations is the same on both databases.

A deliberate, reviewed incompatible change (done over two releases: stop using
the column, then drop it) goes into ALLOWED_INCOMPATIBLE with the reason."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection, migrations, models
from django.db.migrations.loader import MigrationLoader

# Every migration up to the release that introduced this check (2026-11-23).
BASELINE = {
    ("access", "0001_spaces_grants_requests_audit"),
    ("accounts", "0001_custom_user"),
    ("accounts", "0002_participants"),
    ("accounts", "0003_participant_record"),
    ("bookings", "0001_bookings_queues_events"),
    ("feeds", "0001_personal_feeds_and_follows"),
    ("notifications", "0001_outbox"),
    ("organisations", "0001_organisations_venues_rooms"),
    ("organisations", "0002_room_capacity_bound"),
    ("registers", "0001_attendance_and_reopenings"),
    ("timetable", "0001_activities_and_sessions"),
    ("timetable", "0002_booking_rules_and_bounds"),
}

# (app label, migration name): why this incompatible change is safe to deploy,
# and who reviewed it. Keep the reason specific: "the code stopped reading
# `rooms.notes` in release 1.4; this drops the column in 1.5".
ALLOWED_INCOMPATIBLE: dict[tuple[str, str], str] = {}


def our_apps() -> set[str]:
    return {c.label for c in apps.get_app_configs() if c.name.startswith("backend.")}


def _column_changes(old: models.Field, new: models.Field) -> str | None:
    if old.null and not new.null and new.db_default is models.NOT_PROVIDED:
        return "makes a column NOT NULL without a db_default (old code may leave it empty)"
    if old.column != new.column:
        return "renames a column (old code reads the old name)"
    old_type, new_type = old.db_type(connection), new.db_type(connection)
    if old_type != new_type:
        lengthened = (
            isinstance(old, models.CharField)
            and type(old) is type(new)
            and (new.max_length or 0) >= (old.max_length or 0)
        )
        if not lengthened:
            return f"changes a column's type from {old_type} to {new_type}"
    return None


def incompatibilities(loader: MigrationLoader, key: tuple[str, str]) -> list[str]:
    """What in migration `key` would break the previous release's code."""
    app_label, _ = key
    migration = loader.graph.nodes[key]
    state = loader.project_state(key, at_end=False)
    found = []
    for operation in migration.operations:
        problem = None
        if isinstance(operation, migrations.RemoveField):
            problem = "removes a field (old code still reads and writes it)"
        elif isinstance(operation, migrations.DeleteModel):
            problem = "deletes a model (old code still uses its table)"
        elif isinstance(operation, migrations.RenameField):
            problem = "renames a field (old code uses the old column name)"
        elif isinstance(operation, migrations.RenameModel | migrations.AlterModelTable):
            problem = "renames a table (old code uses the old name)"
        elif isinstance(operation, migrations.AddField):
            field = operation.field
            if (
                not field.many_to_many
                and not field.null
                and field.db_default is models.NOT_PROVIDED
            ):
                problem = "adds a NOT NULL column without a db_default (old code's inserts fail)"
        elif isinstance(operation, migrations.AlterField):
            model = state.models[app_label, operation.model_name_lower]
            old = model.fields[operation.name].clone()
            old.set_attributes_from_name(operation.name)
            new = operation.field.clone()
            new.set_attributes_from_name(operation.name)
            problem = _column_changes(old, new)
        if problem:
            found.append(f"{app_label}.{key[1]}: {operation.describe()}: {problem}")
        operation.state_forwards(app_label, state)
    return found


def loader() -> MigrationLoader:
    # From the files alone: no database is needed to judge operations.
    return MigrationLoader(None, ignore_no_migrations=True)


def test_new_migrations_keep_the_previous_release_working():
    graph = loader()
    found = [
        problem
        for key in sorted(graph.disk_migrations)
        if key[0] in our_apps() and key not in BASELINE and key not in ALLOWED_INCOMPATIBLE
        for problem in incompatibilities(graph, key)
    ]
    assert not found, (
        "Backwards-incompatible migrations (the previous release would break during a "
        "rolling deploy). Split the change over two releases, or add a reviewed entry to "
        "ALLOWED_INCOMPATIBLE:\n" + "\n".join(found)
    )


def test_baseline_and_allow_list_name_real_migrations():
    on_disk = set(loader().disk_migrations)
    assert on_disk >= BASELINE
    assert set(ALLOWED_INCOMPATIBLE) <= on_disk
    assert all(reason.strip() for reason in ALLOWED_INCOMPATIBLE.values())


# The check, proven: each operation is handed to it as a new migration of
# `organisations` after its last one. Room has `accessibility` (a NOT NULL
# string), `capacity` (NOT NULL integer) and `venue` (a foreign key).
def string(**kwargs) -> models.CharField:
    return models.CharField(max_length=kwargs.pop("max_length", 300), **kwargs)


@pytest.mark.parametrize(
    ("operation", "compatible"),
    [
        pytest.param(migrations.RemoveField("room", "accessibility"), False, id="remove-field"),
        pytest.param(migrations.RemoveField("room", "venue"), False, id="remove-foreign-key"),
        pytest.param(
            migrations.RenameField("room", "accessibility", "access_notes"), False, id="rename"
        ),
        pytest.param(migrations.DeleteModel("room"), False, id="delete-model"),
        pytest.param(migrations.RenameModel("room", "hall"), False, id="rename-model"),
        pytest.param(migrations.AlterModelTable("room", "rooms"), False, id="rename-table"),
        pytest.param(
            migrations.AddField("room", "code", string(default="")),
            False,
            id="add-not-null-with-only-a-python-default",
        ),
        pytest.param(
            migrations.AlterField("room", "accessibility", string(db_column="access")),
            False,
            id="alter-renames-column",
        ),
        pytest.param(
            migrations.AlterField("room", "accessibility", models.TextField()),
            False,
            id="alter-changes-type",
        ),
        pytest.param(
            migrations.AlterField("room", "accessibility", string(max_length=20)),
            False,
            id="alter-shortens-string",
        ),
        pytest.param(
            migrations.AddField("room", "code", string(db_default="", default="")),
            True,
            id="add-with-db-default",
        ),
        pytest.param(
            migrations.AddField("room", "code", string(null=True)), True, id="add-nullable"
        ),
        pytest.param(
            migrations.AlterField("room", "accessibility", string(max_length=500, blank=True)),
            True,
            id="alter-lengthens-string",
        ),
        pytest.param(
            migrations.AlterField("room", "accessibility", string(blank=True, help_text="x")),
            True,
            id="alter-help-text",
        ),
    ],
)
def test_the_check_refuses_incompatible_operations(operation, compatible):
    graph = loader()
    parent = graph.graph.leaf_nodes("organisations")[0]
    key = ("organisations", "9999_under_test")
    migration = type(
        "Migration", (migrations.Migration,), {"dependencies": [parent], "operations": [operation]}
    )(key[1], key[0])
    graph.graph.add_node(key, migration)
    graph.graph.add_dependency(migration, key, parent)

    problems = incompatibilities(graph, key)

    assert (not problems) is compatible, problems


def test_nullable_to_not_null_needs_a_db_default():
    graph = loader()
    parent = graph.graph.leaf_nodes("organisations")[0]
    steps = [
        migrations.AddField("room", "code", string(null=True)),
        migrations.AlterField("room", "code", string()),
    ]
    key = ("organisations", "9999_tighten")
    migration = type(
        "Migration", (migrations.Migration,), {"dependencies": [parent], "operations": steps}
    )(key[1], key[0])
    graph.graph.add_node(key, migration)
    graph.graph.add_dependency(migration, key, parent)

    assert ["NOT NULL without a db_default" in p for p in incompatibilities(graph, key)] == [True]
