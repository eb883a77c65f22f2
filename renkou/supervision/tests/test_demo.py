"""The demo's dated tasks (issue 14 items 5, 9): both tasks for every township, at different
steps, some overdue; a second run adds nothing."""

from datetime import date

from renkou.supervision import selectors
from renkou.supervision.demo import seed_tasks
from renkou.supervision.models import Assignment, Evidence, Task


def test_the_demo_tasks_reach_every_township_some_overdue_and_run_once(units):
    on = date(2027, 6, 1)
    tasks = seed_tasks(county="620001", today=on)
    assert [t.deadline for t in tasks] == [date(2027, 5, 15), date(2027, 5, 30)]
    assert Assignment.objects.count() == 4  # 2 tasks × the test county's 2 townships
    progress = sorted(r.progress for r in selectors.rows_of(Assignment.objects.all(), on))
    # stations: confirmed, reported; publicity (steps shifted by one): reported, partial
    assert progress == ["done", "overdue", "overdue", "overdue"]
    evidence = Evidence.objects.count()
    seed_tasks(county="620001", today=on)
    assert (Task.objects.count(), Evidence.objects.count()) == (2, evidence)


def test_the_demo_inspections_have_findings_one_notice_closed_one_overdue(units):
    from renkou.supervision.demo import seed_inspections
    from renkou.supervision.models import Finding, Inspection, Rectification

    on = date(2027, 6, 1)
    visits = seed_inspections(county="620001", today=on)
    assert len(visits) == 2 and Finding.objects.count() == 2
    statuses = sorted((n.status, n.deadline < on) for n in Rectification.objects.all())
    assert statuses == [("closed", True), ("issued", True)]  # one closed, one overdue
    assert all(v.ends_on < on for v in Inspection.objects.all())
    # The overdue notice is on its township's to-do list, overdue; the closed one is done.
    from renkou.todo import services as todo
    from renkou.todo.models import TodoItem

    todo.refresh(None, on)
    items = TodoItem.objects.filter(rule__code="rectification_response")
    late = Rectification.objects.get(status="issued")
    assert [(i.anchor_id, i.status, i.overdue_on < on) for i in items if i.status == "open"] == [
        (late.pk, "open", True)
    ]
    seed_inspections(county="620001", today=on)
    assert Inspection.objects.count() == 2
