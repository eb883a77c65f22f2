"""The audit table is append-only in the database itself: UPDATE and DELETE raise.

Defence in depth beside the hash chain: the application never edits an audit row, and an
accidental or malicious ORM update fails loudly instead of silently rewriting history.
"""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON common_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;",
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON common_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;",
]
POSTGRES = [
    "CREATE OR REPLACE FUNCTION renkou_audit_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit trail is append-only'; END; $$ LANGUAGE plpgsql;",
    "CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON common_auditentry "
    "FOR EACH ROW EXECUTE FUNCTION renkou_audit_append_only();",
]
DROP = {
    "sqlite": ["DROP TRIGGER IF EXISTS audit_no_update;", "DROP TRIGGER IF EXISTS audit_no_delete;"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_no_change ON common_auditentry;",
        "DROP FUNCTION IF EXISTS renkou_audit_append_only();",
    ],
}


def forward(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    for sql in DROP.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("common", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
