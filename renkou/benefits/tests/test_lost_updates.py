"""Lost updates (security.md RL1): pairs of concurrent writes to the same person, card, benefit
application, beneficiary account or payment roll, each pair opened at the same ``version`` and
released together by a barrier, every write through the real service on its own connection.

For every pair exactly one write wins, the other gets ``ConflictError`` (409 on the pages), and
the row holds the winner's write with the version bumped once: 0 lost updates. PostgreSQL runs
1,000 randomised pairs with row locks; SQLite (one writer at a time, no row locks: its
``BEGIN IMMEDIATE`` makes the second writer wait) runs fewer with the same assertions. The
SQLite test database is in memory with a shared cache, where the second writer is told "table
is locked" at once instead of waiting out the busy timeout as it does on the file database, so
there the write is retried after a pause: the wait the busy timeout does, no more.
"""

import random
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.db.models import F

from renkou.benefits import payments, services
from renkou.benefits.constants import RollState, Status
from renkou.benefits.models import Application, Beneficiary, PaymentRoll
from renkou.benefits.tests.conftest import actor, child
from renkou.benefits.tests.test_payments import card, roll_setup  # noqa: F401  (fixture)
from renkou.common.actors import ConflictError
from renkou.people import card_services
from renkou.people import services as people_services
from renkou.people.models import Child, Person, WomanCard

KINDS = ("person", "card", "application", "account", "roll")
SEED = 20260415


def _pairs() -> int:
    return 1000 if connection.vendor == "postgresql" else 120


@dataclass
class Outcome:
    won: Any = None
    conflict: bool = False
    error: BaseException | None = None
    seconds: float = 0.0


@dataclass
class Pair:
    kind: str
    version: int
    values: tuple[Any, Any]
    delays: tuple[float, float]
    outcomes: list[Outcome] = field(default_factory=lambda: [Outcome(), Outcome()])


class World:
    """The objects, created once and reused by every pair."""

    def __init__(self, setup, personas) -> None:
        people, self.fin, roll = setup
        self.beneficiary = people[0]
        self.person = self.beneficiary.person
        self.child = child(Person.objects.get(pk=people[1].person_id))
        self.card = WomanCard.objects.get(pk=self.child.card_id)
        self.roll = payments.roll_lock(actor=self.fin, roll=roll)
        self.village = actor(personas, "village_admin")
        self.application = Application.objects.create(
            program=roll.program,
            person=self.person,
            unit_code=self.person.unit_code,
            year=2026,
            filed_on=date(2026, 3, 2),
            status=Status.RETURNED,
        )

    def version(self, kind: str) -> int:
        """Make the object ready for another write of its kind and return its version."""
        if kind == "application":  # back to 退回补正, as another return would leave it
            Application.objects.filter(pk=self.application.pk).update(
                status=Status.RETURNED, version=F("version") + 1
            )
        if kind == "roll":  # back to 已锁定, so that the bank file marks it sent again
            PaymentRoll.objects.filter(pk=self.roll.pk).update(
                state=RollState.LOCKED, sent_at=None, version=F("version") + 1
            )
        return self.model(kind).objects.values_list("version", flat=True).get(pk=self.pk(kind))

    def model(self, kind: str) -> Any:
        return {
            "person": Person,
            "card": WomanCard,
            "application": Application,
            "account": Beneficiary,
            "roll": PaymentRoll,
        }[kind]

    def pk(self, kind: str) -> int:
        return {
            "person": self.person.pk,
            "card": self.card.pk,
            "application": self.application.pk,
            "account": self.beneficiary.pk,
            "roll": self.roll.pk,
        }[kind]

    def write(self, kind: str, value: Any, version: int) -> Any:
        """One page's submission through its service; returns what the winner wrote."""
        if kind == "person":
            people_services.person_update(
                actor=self.village, person=self.person, values={"phone": value}, version=version
            )
            return value
        if kind == "card":
            card_services.card_row_update(
                actor=self.village, row=self.child, values={"name": value}, version=version
            )
            return value
        if kind == "application":
            services.application_correct(
                actor=self.village,
                application=self.application,
                declared={"disability_cert_no": value},
                today=date(2026, 3, 3),
                version=version,
            )
            return value
        if kind == "account":
            payments.account_record(
                actor=self.village, beneficiary=self.beneficiary, account=value, version=version
            )
            return value
        sent = payments.roll_mark_sent(actor=self.fin, roll=self.roll, rows=1, version=version)
        return sent.sent_at

    def written(self, kind: str) -> Any:
        """What the row holds now, in the terms ``write`` returns."""
        if kind == "person":
            return Person.objects.get(pk=self.person.pk).phone
        if kind == "card":
            return Child.objects.get(pk=self.child.pk).name
        if kind == "application":
            app = Application.objects.get(pk=self.application.pk)
            assert app.status == Status.SUBMITTED
            return app.declared["disability_cert_no"]
        if kind == "account":
            return Beneficiary.objects.get(pk=self.beneficiary.pk).account
        roll = PaymentRoll.objects.get(pk=self.roll.pk)
        assert roll.state == RollState.SENT
        return roll.sent_at


def _value(kind: str, rng: random.Random, i: int, side: int) -> Any:
    if kind == "person":
        return f"139{rng.randrange(10**8):08d}"
    if kind == "card":
        return f"孩{i}{'甲乙'[side]}"
    if kind == "application":
        return f"C{i:05d}{side}"
    if kind == "account":
        return card(rng.randrange(10**6))
    return None  # the bank file: both sides send the same roll; the winner's time stands


def _waiting(world: World, pair: Pair, side: int) -> Any:
    """The write, waiting for SQLite's one writer as its busy timeout would (see above)."""
    for _ in range(2000):
        try:
            return world.write(pair.kind, pair.values[side], pair.version)
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            time.sleep(0.001)
    raise AssertionError("SQLite stayed locked for 2 s")


def _worker(world: World, side: int, jobs: list[Pair], start, done) -> None:
    try:
        for pair in jobs:
            start.wait()
            outcome = pair.outcomes[side]
            time.sleep(pair.delays[side])
            began = time.perf_counter()
            try:
                outcome.won = _waiting(world, pair, side)
            except ConflictError:
                outcome.conflict = True
            except BaseException as exc:  # reported by the main thread, not lost in this one
                outcome.error = exc
            outcome.seconds = time.perf_counter() - began
            done.wait()
    finally:
        connection.close()


def _mean(pairs: list[Pair], kind: str) -> float:
    times = [o.seconds for p in pairs if p.kind == kind for o in p.outcomes if not o.conflict]
    return 1000 * sum(times) / max(len(times), 1)


@pytest.mark.django_db(transaction=True)
def test_no_lost_update_over_randomised_concurrent_pairs(
    roll_setup,  # noqa: F811
    personas,
    audit_flushable,
):
    world = World(roll_setup, personas)
    rng = random.Random(SEED)
    count = _pairs()
    plan = [rng.choice(KINDS) for _ in range(count)]
    start, done = threading.Barrier(3), threading.Barrier(3)
    pairs: list[Pair] = []
    jobs = [
        Pair(
            kind,
            0,
            (_value(kind, rng, i, 0), _value(kind, rng, i, 1)),
            (rng.uniform(0, 0.002), rng.uniform(0, 0.002)),
        )
        for i, kind in enumerate(plan)
    ]
    threads = [
        threading.Thread(target=_worker, args=(world, side, jobs, start, done), daemon=True)
        for side in (0, 1)
    ]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    lost = conflicts = 0
    for pair in jobs:
        pair.version = world.version(pair.kind)
        start.wait(timeout=30)
        done.wait(timeout=30)
        errors = [o.error for o in pair.outcomes if o.error is not None]
        assert not errors, (pair.kind, errors)
        winners = [o for o in pair.outcomes if not o.conflict]
        conflicts += sum(o.conflict for o in pair.outcomes)
        now = world.model(pair.kind).objects.values_list("version", flat=True)
        if len(winners) != 1 or world.written(pair.kind) != winners[0].won:
            lost += 1
        assert now.get(pk=world.pk(pair.kind)) == pair.version + 1, pair.kind
        pairs.append(pair)
    seconds = time.perf_counter() - began
    for thread in threads:
        thread.join(timeout=30)
    print(
        f"\nRL1 {connection.vendor}: {len(pairs)} pairs "
        f"({', '.join(f'{k} {plan.count(k)}' for k in KINDS)}), "
        f"{conflicts} conflicts, {lost} lost updates, {seconds:.1f} s; mean winning write "
        + ", ".join(f"{k} {_mean(pairs, k):.0f} ms" for k in KINDS)
    )
    assert len(pairs) == count and lost == 0 and conflicts == count
