"""The reminder rules of the 2005 norm (基层育龄妇女信息系统服务信息引导工作规范, domain.md §2.5
[S20]) and the pre-pregnancy follow-ups, as data a county can change (docs/todo.md explains
each choice). No pregnancy-monitoring rule (查孕): that was compulsory and is not built."""

from django.db import migrations

FRONT = "village_admin,township_officer,technician"
ALL = "village_admin,township_officer,technician,county_officer"
NORM = "服务信息引导工作规范（2005）"

# code, name, population, codes, visit reason, offsets, repeat, lead, grace, expire, roles, basis
RULES = (
    ("iud_followup", "放置宫内节育器后随访", "episode_start", "03", "iud_in", "1m,3m,6m,12m",
     "12m", 14, 14, 90, FRONT, NORM + "：术后1、3、6、12个月，此后每年一次（在位期间）"),
    ("iud_removed", "取出宫内节育器后随访", "episode_end", "03", "iud_out", "30d", "", 7, 30,
     90, FRONT, NORM + "：术后30–60天未随访的列入"),
    ("implant_inserted", "皮下埋植后随访", "episode_start", "04", "implant_in", "30d", "", 7,
     30, 90, FRONT, NORM + "：术后30–60天未随访的列入"),
    ("implant_removed", "取出皮下埋植后随访", "episode_end", "04", "implant_out", "90d", "", 7,
     90, 180, FRONT, NORM + "：取出后90–180天"),
    ("sterilisation", "绝育术后随访", "episode_start", "01,02", "sterilisation", "3d,3m,6m", "",
     3, 4, 60, FRONT, NORM + "：术后3–7天、3个月、6个月"),
    ("abortion", "流产后随访", "pregnancy_end", "3,4,5", "abortion", "30d", "", 7, 14, 90,
     FRONT, "流产后1个月复查（自然流产、人工流产、中期引产）"),
    ("implant_due", "皮下埋植到期取出", "episode_in_place", "04", "", "4y", "", 30, 90, 3650,
     FRONT, NORM + "：2根型满4年、6根型满5年；卡上无根数，按较短的4年提醒"),
    ("gyn_check", "妇科检查（每年）", "married_wcba", "", "", "6m", "", 181, 92, 183, FRONT,
     NORM + "：已婚育龄妇女每年一次妇科检查服务（自愿）"),
    ("pp_exam", "孕前优生检查", "prepregnancy_exam", "", "", "30d", "", 30, 30, 180,
     "township_officer,technician", "孕前优生项目：资格确认后预约检查（夫妇自愿申请）"),
    ("pp_early", "孕前优生早孕随访", "prepregnancy_followup", "early", "", "0d", "", 30, 0, 196,
     ALL, "孕前优生项目：孕12周内早孕随访"),
    ("pp_outcome", "孕前优生妊娠结局随访", "prepregnancy_followup", "outcome", "", "0d", "", 30,
     0, 365, ALL, "孕前优生项目：预产期后6周内妊娠结局随访"),
)


def seed(apps, schema_editor):
    rule = apps.get_model("todo", "ReminderRule")
    for (code, name, population, codes, reason, offsets, repeat, lead, grace, expire, roles,
         basis) in RULES:
        rule.objects.get_or_create(code=code, defaults={
            "name": name, "population": population, "codes": codes, "visit_reason": reason,
            "offsets": offsets, "repeat": repeat, "lead_days": lead, "grace_days": grace,
            "expire_days": expire, "roles": roles, "basis": basis,
        })


class Migration(migrations.Migration):
    dependencies = [("todo", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
