"""Demo people and organisations for `seed_demo`. Idempotent: found by e-mail or name."""

import os
import secrets

from django.conf import settings

from .models import Membership, Organisation, User
from .validators import credit_code_check_char

DEMO_ORGANISATIONS = [
    # name, first 17 characters of the credit code, district, kind
    ("昆山市阳光社会工作服务中心", "52320583MJ5A1B2C3", "玉山镇", Organisation.Kind.SOCIAL_WORK_AGENCY),
    ("昆山市同心社工服务社", "52320583MJ5D4E6F7", "周市镇", Organisation.Kind.SOCIAL_WORK_AGENCY),
    ("花桥经济开发区益民社会工作事务所", "52320583MJ5G8H9J1", "花桥经济开发区", Organisation.Kind.SOCIAL_WORK_AGENCY),
    ("昆山市千灯镇社会事业局", "11320583MB1K2L3M4", "千灯镇", Organisation.Kind.GOVERNMENT),
    # A station (社工站) of the 淮安 station-evaluation example (workspace.demo): no kind "station" exists, so it is
    # a social-work agency by kind and a station by name.
    ("淮安市清江浦区和平镇社会工作服务站", "52320812MJ6H1P2Q3", "清江浦区", Organisation.Kind.SOCIAL_WORK_AGENCY),
]

DEMO_USERS = [
    # key, e-mail, name, phone, organisation index or None, membership role, flags
    ("staff", "staff@demo.ks.gov.cn", "王晓民", "13800000001", None, None, {"is_staff": True}),
    (
        "superuser",
        "admin@demo.ks.gov.cn",
        "系统管理员",
        "13800000002",
        None,
        None,
        {"is_staff": True, "is_superuser": True},
    ),
    ("reviewer", "reviewer@demo.ks.gov.cn", "陈教授", "13800000003", None, None, {"is_reviewer": True}),
    ("org_admin", "orgadmin@demo.ks.gov.cn", "李主任", "13800000004", 0, Membership.Role.ADMIN, {}),
    ("applicant", "social.worker@demo.ks.gov.cn", "张敏", "13800000005", 0, Membership.Role.MEMBER, {}),
    ("applicant_b", "worker.b@demo.ks.gov.cn", "刘洋", "13800000006", 1, Membership.Role.MEMBER, {}),
    ("org_admin_b", "orgadmin.b@demo.ks.gov.cn", "周主任", "13800000007", 1, Membership.Role.ADMIN, {}),
    ("station", "station@demo.ks.gov.cn", "赵站长", "13800000008", 4, Membership.Role.ADMIN, {}),
]

ROLE_LABELS = {
    "staff": "民政局工作人员",
    "superuser": "超级管理员",
    "reviewer": "评审专家",
    "org_admin": "机构负责人（阳光）",
    "applicant": "申报社工（阳光）",
    "applicant_b": "申报社工（同心）",
    "org_admin_b": "机构负责人（同心）",
    "station": "社工站站长（和平镇）",
}


def demo_password_new() -> str:
    return f"Demo{secrets.token_hex(4)}{secrets.randbelow(90) + 10}"


def seed(out) -> dict:
    organisations = []
    for name, first17, district, kind in DEMO_ORGANISATIONS:
        org, _ = Organisation.objects.get_or_create(
            name=name,
            defaults={
                "credit_code": first17 + credit_code_check_char(first17),
                "district": district,
                "kind": kind,
                "status": Organisation.Status.APPROVED,
            },
        )
        organisations.append(org)

    fixed_password = os.environ.get("SEED_DEMO_PASSWORD")
    users = {}
    created_lines = []
    for key, email, name, phone, org_index, role, flags in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            password = fixed_password or demo_password_new()
            user = User.objects.create_user(email=email, password=password, name=name, phone=phone, **flags)
            created_lines.append(f"  {ROLE_LABELS[key]:<12} {email:<32} {password}")
        if org_index is not None:
            Membership.objects.get_or_create(user=user, organisation=organisations[org_index], defaults={"role": role})
        users[key] = user

    if created_lines:
        out.write("演示账户（密码只显示这一次，请记下）：\n" + "\n".join(created_lines) + "\n")
        out.write(f"登录地址：{settings.PORTAL_BASE_URL}/accounts/login/\n")
    else:
        out.write("演示账户已存在，未重复创建（密码见第一次运行 seed_demo 时的输出）。\n")
    return {"organisations": organisations, "users": users}


def demo_passwords_reset(out) -> int:
    """Give every demo account that exists a new random password and print them once (seed_demo
    --reset-passwords): the first run's output is easily lost. Each change is audited; the accounts'
    open sessions end, since the password hash changes."""
    from .audit import audit_record
    from .models import AuditEvent

    lines = []
    for key, email, *_ in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            continue
        password = demo_password_new()
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(
            kind=AuditEvent.Kind.PASSWORD_RESET, user=user, obj=user, detail="seed_demo --reset-passwords 重设演示密码"
        )
        lines.append(f"  {ROLE_LABELS[key]:<12} {email:<32} {password}")
    if lines:
        out.write("演示账户的新密码（只显示这一次，请记下）：\n" + "\n".join(lines) + "\n")
        out.write(f"登录地址：{settings.PORTAL_BASE_URL}/accounts/login/\n")
    else:
        out.write("还没有演示账户：请先运行 seed_demo。\n")
    return len(lines)
