"""The PostgreSQL tools' messages shown on a failed backup or restore keep the error and drop
the lines that quote row values (no personal data on the terminal or in the job log)."""

import io
from types import SimpleNamespace

from renkou.common import backup

STDERR = (
    'pg_restore: error: COPY failed for table "people_person": ERROR:  invalid input\n'
    'CONTEXT:  COPY people_person, line 1: "7\t卓玛措\t620001100201"\n'
    "DETAIL:  Key (code)=(62000110020101000001) already exists.\n"
    "pg_restore: error: phone 13909410001 in a message\n"
)


def test_tool_messages_keep_the_error_and_drop_quoted_rows():
    shown = backup._stderr(SimpleNamespace(stderr=io.BytesIO(STDERR.encode())))
    assert 'COPY failed for table "people_person"' in shown
    assert "卓玛措" not in shown and "62000110020101000001" not in shown
    assert "13909410001" not in shown
