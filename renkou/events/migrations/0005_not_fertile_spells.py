"""Spells of the new stock measure ``nofert`` (married WCBA without the possibility of
childbearing: 未避孕 for 不孕 or 绝经; issue 13 item 5) for the women already registered.

Only a woman with a 未避孕 episode can have one, so only those persons are recomputed, through
the one spell writer (``renkou.events.tally.refresh``, which also moves the tallies). The
writer is imported from the code, not rebuilt from historical models: spells are derived data
and the code that derives them is the definition. Reversing leaves the spells (harmless: no
older code reads the measure).
"""

from django.db import migrations


def forward(apps, schema_editor):
    Episode = apps.get_model("people", "ContraceptionEpisode")
    ids = set(Episode.objects.filter(method="00").values_list("card__person_id", flat=True))
    if not ids:
        return
    from renkou.events import tally

    tally.refresh(sorted(ids))


class Migration(migrations.Migration):
    dependencies = [("events", "0004_event_parity_reason"), ("people", "0006_export_request")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
