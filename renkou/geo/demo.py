"""The demo county's service network details (``seed_demo_services``, before its treatments):
opening hours, renovation, the devices of the county centre and the township stations, and their
practice licences. Every point gets a 蓝氧 device installed two years before the reference day,
except ``without_blue`` (the seed speech: "some townships' 蓝氧 devices are not yet installed"),
whose device is recorded as 未安装; one station's licence has lapsed and one expires within the
warning period. Idempotent: a point that has devices or licences is left as it is."""

from datetime import date, timedelta

from renkou.geo.models import Equipment, Licence, ServicePoint

HOURS = "周一至周五 8:30—12:00，14:30—18:00"
ISSUER = "卓尼县卫生健康局"
SCOPE = "计划生育技术服务；生殖健康检查；妇科治疗"


def seed_network(
    points: list[ServicePoint], today: date, *, without_blue: ServicePoint | None = None
) -> int:
    """Details for ``points`` (in a fixed order); the number of points filled."""
    filled = 0
    installed = today - timedelta(days=730)
    for n, point in enumerate(points):
        if point.equipment.exists() or point.licences.exists():
            continue
        filled += 1
        point.hours = HOURS
        point.renovation = (
            ServicePoint.Renovation.DONE if n % 3 else ServicePoint.Renovation.IN_PROGRESS
        )
        point.renovated_on = installed if n % 3 else None
        point.save()
        serial = f"{installed:%Y%m}{point.pk:04d}"
        if point == without_blue:
            Equipment.objects.create(
                service_point=point,
                kind=Equipment.Kind.BLUE_OXYGEN,
                status=Equipment.Status.NOT_INSTALLED,
                note="已列入采购计划，尚未安装",
            )
        else:
            Equipment.objects.create(
                service_point=point,
                kind=Equipment.Kind.BLUE_OXYGEN,
                model_name="3000型",
                serial=serial,
                installed_on=installed,
                status=Equipment.Status.INSTALLED,
            )
        Equipment.objects.create(
            service_point=point,
            kind=Equipment.Kind.GYN_BED,
            serial=f"{installed:%Y%m}{point.pk + 5000:04d}",
            installed_on=installed,
            status=Equipment.Status.INSTALLED,
        )
        # The third point's licence lapsed last month; the fifth's expires within 60 days.
        until = date(today.year + 2, 12, 31)
        if n == 2:
            until = today - timedelta(days=30)
        elif n == 4:
            until = today + timedelta(days=45)
        Licence.objects.create(
            service_point=point,
            number=f"甘卓计服字第{2020 + n % 4}{n + 1:03d}号",
            scope=SCOPE,
            issued_by=ISSUER,
            valid_from=min(installed, until - timedelta(days=1095)),
            valid_until=until,
        )
    return filled
