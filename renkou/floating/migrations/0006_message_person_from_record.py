"""A message that names an inflow/outflow record is about that record's person: fill ``person``
(and ``match`` = record) on the messages registered before the subject could be linked, so the
person grants and the person page read them by the one column."""

from django.db import migrations


def fill(apps, schema_editor):
    Message = apps.get_model("floating", "Message")
    rows = Message.objects.filter(record__isnull=False, person__isnull=True)
    for message in rows.select_related("record").iterator():
        message.person_id = message.record.person_id
        message.match = "record"
        message.save(update_fields=["person", "match"])


class Migration(migrations.Migration):
    dependencies = [("floating", "0005_message_subject")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
