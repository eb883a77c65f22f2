"""The certificate check rate of inflow women of childbearing age (流入育龄妇女婚育证明查验率,
issue 16 item 2), as the one ``Measure`` of ``renkou.common.figures``: numerator and
denominator are name lists (persons), so the figure and its 花名册 cannot disagree.
``renkou.assessment.measures`` registers it beside the service coverage rates, which is where
the indicator pages, the township tables and the assessment's sources read it from.

- denominator: women aged 15–49 on the stock day, in the register, managed by the unit, with an
  inflow record current on that day (arrived on or before it, not returned by then);
- numerator: those of them with a 婚育证明 on a current inflow record whose verification
  (核验结果 and 核验日期) was recorded on or before the stock day.

The stock day is ``today`` within the FP year (its last day for a past year, its first for a
future one), as the other stock figures count.

The state of a 协查 message on a day: *answered on time* when its reply date is on or before
its deadline, *answered late* when after it, *overdue* when, on the day counted, it has no
reply and its deadline has passed, else pending (``state_q``: one definition that the monthly
cut-off, the message list's filter and the timeliness measure use).

The reply timeliness of 协查 (协查反馈及时率, issue 16 item 6) is the second measure here,
``TIMELY``, over messages rather than persons:

- denominator (到期应反馈件数): messages received from elsewhere (this county owes the reply)
  whose deadline falls in the FP year and that, on the stock day, are answered or past their
  deadline (on time + late + overdue; one still within its deadline and unanswered is not yet
  judged);
- numerator (按时反馈件数): those answered on or before the deadline and by the stock day.
"""

from datetime import date

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from renkou.common.figures import Measure, Side
from renkou.common.periods import fp_year
from renkou.floating.constants import Direction, MessageWay
from renkou.floating.models import Certificate, FloatingRecord, Message
from renkou.geo.scope import prefix_range
from renkou.people.constants import FEMALE, WCBA_AGES
from renkou.people.models import Person

CODE = "floating_cert_check"


def stock_day(year: int, today: date | None) -> date:
    period = fp_year(year)
    day = today or period.end
    return min(max(day, period.start), period.end)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _current(day: date) -> Q:
    return Q(direction=Direction.IN, arrived_on__lte=day) & (
        Q(returned_on__isnull=True) | Q(returned_on__gt=day)
    )


def inflow_wcba(prefix: str, year: int, today: date | None = None) -> QuerySet[Person]:
    """流入育龄妇女 on the stock day (the denominator)."""
    day = stock_day(year, today)
    low, high = WCBA_AGES
    stays = FloatingRecord.objects.filter(_current(day), person=OuterRef("pk"))
    return (
        Person.objects.filter(
            Q(exited_at__isnull=True) | Q(exited_at__gt=day),
            sex=FEMALE,
            birth_date__gt=_years_before(day, high + 1),
            birth_date__lte=_years_before(day, low),
            **prefix_range("unit_code", prefix),
        )
        .filter(Exists(stays))
        .order_by("unit_code", "name", "pk")
    )


def certificate_checked(prefix: str, year: int, today: date | None = None) -> QuerySet[Person]:
    """Those of them whose certificate was verified by the stock day (the numerator)."""
    day = stock_day(year, today)
    checked = Certificate.objects.filter(
        record__person=OuterRef("pk"), checked_on__isnull=False, checked_on__lte=day
    ).exclude(result="")
    checked = checked.filter(
        Q(record__direction=Direction.IN, record__arrived_on__lte=day)
        & (Q(record__returned_on__isnull=True) | Q(record__returned_on__gt=day))
    )
    return inflow_wcba(prefix, year, today).filter(Exists(checked))


MEASURE = Measure(
    CODE,
    "流入育龄妇女婚育证明查验率",
    Side("已查验人数", certificate_checked, "person"),
    Side("流入育龄妇女数", inflow_wcba, "person"),
    definition="婚育证明已核验的流入育龄妇女（15–49岁）÷ 流入育龄妇女 × 100%",
)


# --- reply timeliness of 协查 messages (协查反馈及时率) ------------------------------------------

TIMELY_CODE = "floating_reply_timely"
ON_TIME, LATE, OVERDUE, PENDING = "on_time", "late", "overdue", "pending"
STATES = {
    ON_TIME: "按时反馈",
    LATE: "逾期反馈",
    OVERDUE: "逾期未反馈",
    PENDING: "未到期未反馈",
}


def state_q(state: str, day: date) -> Q:
    """Messages in ``state`` as things stood at the end of ``day``: a reply counts only if it
    was given by then; overdue means unanswered then with the deadline before ``day``."""
    answered = Q(replied_on__isnull=False, replied_on__lte=day)
    if state == ON_TIME:
        return answered & Q(replied_on__lte=F("due_on"))
    if state == LATE:
        return answered & Q(replied_on__gt=F("due_on"))
    unanswered = Q(replied_on__isnull=True) | Q(replied_on__gt=day)
    if state == OVERDUE:
        return unanswered & Q(due_on__lt=day)
    return unanswered & Q(due_on__gte=day)


def replies_due(prefix: str, year: int, today: date | None = None) -> QuerySet[Message]:
    """Received messages due in the FP year, answered or past their deadline on the stock day
    (the denominator: on time + late + overdue)."""
    day = stock_day(year, today)
    period = fp_year(year)
    judged = state_q(ON_TIME, day) | state_q(LATE, day) | state_q(OVERDUE, day)
    return (
        Message.objects.filter(
            way=MessageWay.INCOMING,
            due_on__gte=period.start,
            due_on__lte=period.end,
            **prefix_range("unit_code", prefix),
        )
        .filter(judged)
        .order_by("due_on", "pk")
    )


def replied_on_time(prefix: str, year: int, today: date | None = None) -> QuerySet[Message]:
    """Those of them answered on or before the deadline (the numerator)."""
    return replies_due(prefix, year, today).filter(state_q(ON_TIME, stock_day(year, today)))


def replied_late(prefix: str, year: int, today: date | None = None) -> QuerySet[Message]:
    """Those answered after the deadline (a name list beside the measure)."""
    return replies_due(prefix, year, today).filter(state_q(LATE, stock_day(year, today)))


def reply_overdue(prefix: str, year: int, today: date | None = None) -> QuerySet[Message]:
    """Those still unanswered on the stock day with the deadline passed."""
    return replies_due(prefix, year, today).filter(state_q(OVERDUE, stock_day(year, today)))


TIMELY = Measure(
    TIMELY_CODE,
    "协查反馈及时率",
    Side("按时反馈件数", replied_on_time, "message"),
    Side("到期应反馈件数", replies_due, "message"),
    definition="时限内反馈的外地协查件数 ÷ 到期应反馈件数（按时 + 逾期反馈 + 逾期未反馈）× 100%",
)


# The name lists behind the measure's numbers, by the key the message list filters on.
DUE = "due"
TIMELY_LISTS = {
    DUE: replies_due,
    ON_TIME: replied_on_time,
    LATE: replied_late,
    OVERDUE: reply_overdue,
}
TIMELY_LABELS = {DUE: "到期应反馈", ON_TIME: "按时反馈", LATE: "逾期反馈", OVERDUE: "逾期未反馈"}
