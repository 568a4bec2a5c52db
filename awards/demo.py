"""Last year's finished campaign for `seed_demo`, continuing reviews.demo's (its confirmed decision list):
closed publicity with one dismissed objection, published results and issued certificates, so /verify/<code>/
works on a fresh `make run`. Idempotent."""

import datetime as dt

from django.conf import settings

from cases.models import Campaign

from . import documents, services
from .models import Award, Certificate, Objection, Publicity


def seed(out, *, people: dict, campaign: Campaign) -> dict:
    staff = people["users"]["staff"]
    services.awards_from_decision(campaign=campaign, by=staff)
    awards = list(Award.objects.filter(campaign=campaign).order_by("rank", "id"))
    if not awards:
        out.write(f"{campaign.title}：评审结果尚未确认，跳过公示与证书演示。\n")
        return {"campaign": campaign, "certificates": []}
    end = campaign.publicity_ends_at
    if not Objection.objects.filter(campaign=campaign).exists():
        Objection.objects.create(
            campaign=campaign,
            award=awards[min(1, len(awards) - 1)],
            name="赵某某",
            phone="13912345678",
            email="objector@example.org",
            reason="（演示数据）认为该案例的活动次数与案例描述不符，请核实。",
            status=Objection.Status.DISMISSED,
            reply="经调阅活动签到表和照片核实，活动次数与案例描述一致，异议不成立。",
            decided_by=staff,
            decided_at=end - dt.timedelta(hours=20),
        )
    Publicity.objects.get_or_create(
        campaign=campaign,
        defaults={"results_published_at": end + dt.timedelta(days=1), "results_published_by": staff},
    )
    services.certificates_allocate(campaign=campaign)
    if documents.soffice_path() is None:
        out.write("未安装 LibreOffice：演示证书只生成 Word 版本，跳过 PDF。\n")
    services.certificate_files_generate(campaign=campaign)
    certificates = list(Certificate.objects.filter(campaign=campaign).select_related("award__application"))
    out.write(f"{campaign.title}：已公示、已发布获奖名单、已颁发 {len(certificates)} 张荣誉证书。\n")
    for certificate in certificates:
        out.write(
            f"  证书 {certificate.number} {certificate.award.application.applicant_name}："
            f"{settings.PORTAL_BASE_URL}/verify/{certificate.code}/\n"
        )
    return {"campaign": campaign, "certificates": certificates}
