"""Codes of the “两非” case register (issue 18 item 2): cases of non-medical fetal sex
identification (非医学需要的胎儿性别鉴定) and sex-selective termination of pregnancy (选择性别的
人工终止妊娠) by institutions and practitioners.

A case is about who offers or performs the illegal service — a clinic, a B-ultrasound room, a
practitioner, a go-between — never about a woman or a family and their births (product.md
"What it does not do"; the Population and Family Planning Law, art. 39, and the rules on
prohibiting “两非”, 2016). Penalties are decided by the competent authority (the health
inspectorate, the police), not by this system.
"""

from django.db import models

WHAT = "该案件"
CASE_ANCHOR = "case"  # the to-do item's anchor type (renkou.todo.links)
CLOSED_TYPE = "cases.case"


class Source(models.TextChoices):
    """How the case came to the office (案件来源)."""

    TIPOFF = "tipoff", "群众举报"
    INSPECTION = "inspection", "监督检查发现"
    HOSPITAL = "hospital", "医疗机构报告"
    DEPARTMENT = "department", "其他部门移交"
    OTHER = "other", "其他"


class SubjectType(models.TextChoices):
    INSTITUTION = "institution", "机构"
    PERSON = "person", "个人"


class SubjectKind(models.TextChoices):
    """What the subject is: the institutions and practitioners that identify or select sex."""

    HOSPITAL = "hospital", "医院"
    CLINIC = "clinic", "诊所、门诊部、卫生室"
    FP_SERVICE = "fp_service", "计划生育技术服务机构"
    UNLICENSED_SITE = "unlicensed_site", "无证行医场所"
    OTHER_ORG = "other_org", "其他机构"
    PRACTITIONER = "practitioner", "医务人员"
    UNLICENSED = "unlicensed", "非法行医人员"
    BROKER = "broker", "中介人员（介绍、接送孕妇）"
    OTHER_PERSON = "other_person", "其他人员"


KINDS_OF = {
    SubjectType.INSTITUTION: frozenset(
        {
            SubjectKind.HOSPITAL,
            SubjectKind.CLINIC,
            SubjectKind.FP_SERVICE,
            SubjectKind.UNLICENSED_SITE,
            SubjectKind.OTHER_ORG,
        }
    ),
    SubjectType.PERSON: frozenset(
        {
            SubjectKind.PRACTITIONER,
            SubjectKind.UNLICENSED,
            SubjectKind.BROKER,
            SubjectKind.OTHER_PERSON,
        }
    ),
}


class Status(models.TextChoices):
    OPEN = "open", "调查中"
    REFERRED = "referred", "已移送，待处理结果"
    CLOSED = "closed", "已结案"


ALLOWED_TRANSITIONS = {
    Status.OPEN: {Status.REFERRED, Status.CLOSED},
    Status.REFERRED: {Status.CLOSED},
    Status.CLOSED: set(),
}


class ReferredTo(models.TextChoices):
    """Who may penalise: the health inspectorate (卫生健康监督机构) or, for a crime (illegal
    practice of medicine, 非法行医罪), the police."""

    INSPECTORATE = "inspectorate", "卫生健康监督机构（卫生监督）"
    POLICE = "police", "公安机关"


class Outcome(models.TextChoices):
    PENALIZED = "penalized", "属实，主管机关已依法查处"
    CORRECTED = "corrected", "属实，已责令改正或作其他处理"
    UNSUBSTANTIATED = "unsubstantiated", "查无实据（不属实）"


SUBSTANTIATED = frozenset({Outcome.PENALIZED, Outcome.CORRECTED})
