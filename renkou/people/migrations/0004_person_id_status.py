"""Person.id_status: the plain outcome of the ID check, so data quality counts it with one
aggregate query instead of decrypting every number. Existing rows are filled from their
decrypted numbers (the same function as ``Person.save``)."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from renkou.people.models import id_status_of

    Person = apps.get_model("people", "Person")
    rows = Person.objects.only("id", "id_type", "id_number", "birth_date", "sex")
    batch = []
    for person in rows.iterator(chunk_size=2000):
        person.id_status = id_status_of(
            person.id_type, person.id_number, person.birth_date, person.sex
        )
        batch.append(person)
        if len(batch) == 2000:
            Person.objects.bulk_update(batch, ["id_status"])
            batch = []
    Person.objects.bulk_update(batch, ["id_status"])


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_import_batch_duplicates"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="id_status",
            field=models.CharField(
                blank=True, editable=False, max_length=40, verbose_name="号码校验结果"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
