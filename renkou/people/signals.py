"""Signals the register sends for writes that bypass ``Model.save`` (bulk loads), so the layers
above (population spells and tallies) stay in step without the register importing them."""

from django.dispatch import Signal

# Sent with ``ids``: the primary keys of persons created or changed in bulk (import, demo), and
# ``created=True`` when every one of them is new.
persons_written = Signal()
