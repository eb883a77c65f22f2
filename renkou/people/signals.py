"""Signals the register sends for writes that bypass ``Model.save`` (bulk loads), so the layers
above (population spells and tallies) stay in step without the register importing them."""

from django.dispatch import Signal

# Sent with ``ids``: the primary keys of persons created or changed in bulk (import, demo), and
# ``created=True`` when every one of them is new.
persons_written = Signal()

# Sent with ``ids``: the primary keys of women's cards whose children changed in bulk (a death
# marks the deceased's rows on the parents' cards, a voided death restores them), so a layer
# that reads the children (benefit eligibility) stays in step.
cards_written = Signal()
