"""On PostgreSQL the database itself refuses UPDATE and DELETE on the audit log.

The ORM already refuses them (AuditEvent.save/delete and its queryset); the trigger also
holds for raw SQL, a shell or another program with the portal's database role. TRUNCATE
is left to the table's owner (the test runner's flush uses it); production runs the portal
under a role that does not own the table (README). SQLite keeps the ORM guard only: its
flush deletes row by row, which a trigger would refuse.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION accounts_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '审计日志只能追加，不能修改或删除（%）。', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS accounts_auditevent_append_only ON accounts_auditevent;
CREATE TRIGGER accounts_auditevent_append_only
    BEFORE UPDATE OR DELETE ON accounts_auditevent
    FOR EACH ROW EXECUTE FUNCTION accounts_auditevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS accounts_auditevent_append_only ON accounts_auditevent;
DROP FUNCTION IF EXISTS accounts_auditevent_append_only();
"""


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, None)  # None: the % of RAISE is not a placeholder

    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_audit_kinds_keep_rows_on_user_delete")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP), elidable=False)]
