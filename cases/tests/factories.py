import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from cases.models import Application, Campaign, CaseAttachment, CasePhoto, Category, TeamMember


def _now_plus(days: float):
    return lambda: timezone.now() + dt.timedelta(days=days)


class CampaignFactory(DjangoModelFactory):
    """A published campaign whose submission window is open now."""

    class Meta:
        model = Campaign

    title = factory.Sequence(lambda n: f"第{n}期昆山市优秀社工案例评选")
    slug = factory.Sequence(lambda n: f"campaign-{n}")
    is_published = True
    case_period_start = dt.date(2023, 1, 1)
    case_period_end = dt.date(2025, 12, 31)
    submission_opens_at = factory.LazyFunction(_now_plus(-5))
    submission_closes_at = factory.LazyFunction(_now_plus(5))
    review_opens_at = factory.LazyFunction(_now_plus(6))
    review_closes_at = factory.LazyFunction(_now_plus(8))
    publicity_starts_at = factory.LazyFunction(_now_plus(9))
    publicity_ends_at = factory.LazyFunction(_now_plus(12))
    ceremony_at = factory.LazyFunction(_now_plus(19))


SECTION_TEXT = (
    "服务对象A是一名八十岁的独居老人，社会工作者通过入户走访了解其需求，链接社区资源开展服务。" * 30
)  # ~1,300 characters: six sections make a body inside the 5,000–10,000 advice


class ApplicationFactory(DjangoModelFactory):
    """A complete draft (everything a submit needs except photos, which need files)."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    campaign = factory.SubFactory(CampaignFactory)
    applicant = factory.SubFactory("accounts.tests.factories.UserFactory")
    organisation = factory.SubFactory("accounts.tests.factories.OrganisationFactory")
    title = factory.Sequence(lambda n: f"陪伴独居老人走出孤独的个案服务{n}")
    period_start = dt.date(2024, 3, 1)
    period_end = dt.date(2024, 9, 30)
    declaring_unit = factory.LazyAttribute(lambda o: o.organisation.name)
    organisation_name = factory.LazyAttribute(lambda o: o.organisation.name)
    applicant_name = factory.LazyAttribute(lambda o: o.applicant.name)
    phone = "13912345678"
    email = factory.LazyAttribute(lambda o: o.applicant.email)
    category = Category.CASEWORK
    domain = "老龄事业"
    background = SECTION_TEXT
    analysis = SECTION_TEXT
    plan = SECTION_TEXT
    implementation = SECTION_TEXT
    evaluation = SECTION_TEXT
    reflection = SECTION_TEXT
    pledge_accepted = True
    pledge_signature = factory.LazyAttribute(lambda o: o.applicant.name)

    @factory.post_generation
    def team(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            TeamMember.objects.create(
                application=obj, name="王芳", gender="female", age=32, certificate_level="social_worker"
            )


def png_bytes(size=(8, 8), color=(200, 30, 30)) -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def add_photo(application, caption="社区活动现场") -> CasePhoto:
    """A stored photo, written directly (the upload checks have their own tests)."""
    from django.core.files.base import ContentFile

    photo = CasePhoto(application=application, caption=caption)
    photo.image.save("p.png", ContentFile(png_bytes(), name="p.png"), save=False)
    photo.save()
    return photo


def add_attachment(application) -> CaseAttachment:
    from django.core.files.base import ContentFile

    attachment = CaseAttachment(
        application=application, original_name="案例全文.pdf", content_type="application/pdf", description="案例全文"
    )
    attachment.file.save("a.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    return attachment


def defined_campaign(preset: str = "project_call", **kwargs):
    """An open campaign set up by a preset other than the case award (its form is defined as data)."""
    from cases.presets import preset_apply

    campaign = CampaignFactory.build(**kwargs)
    preset_apply(campaign=campaign, key=preset)
    for name, value in kwargs.items():  # what the caller asks for wins over the preset
        setattr(campaign, name, value)
    campaign.save()
    return campaign


def project_answers(**overrides) -> dict:
    """A complete set of answers of the 社会工作服务项目申报 preset (everything a submit needs)."""
    body = "社会工作者在怡园社区开展需求调研，服务对象为六十岁以上老年人，项目通过个案、小组和社区活动回应需求。" * 8
    answers = {
        "title": "五社联动幸福老小老年社会工作服务项目",
        "lot": "老年社会工作服务项目",
        "service_area": "裕民街道怡园社区",
        "budget": 10,
        "period": ["2023-06-01", "2024-05-31"],
        "org_name": "青铜峡市和乐社会工作服务中心",
        "leader_name": "马晓燕",
        "leader_phone": "13909511234",
        "case_count": 5,
        "group_count": 4,
        "community_activity_count": 10,
        "beneficiary_groups": ["60岁以上老年人"],
        "direct_beneficiaries": 120,
        "indirect_beneficiaries": 3000,
        "staff": [
            {"name": "马晓燕", "post": "项目主管", "qualification": "社会工作师"},
            {"name": "李静", "post": "一线社工", "qualification": "助理社会工作师"},
        ],
        **{key: body for key in ("summary", "necessity", "goals", "outcomes", "feasibility", "innovation", "schedule")},
        "budget_detail": "人员经费 6 万元；活动经费 3 万元；督导与评估 1 万元。",
    }
    answers["summary"] = body[:600]
    answers.update(overrides)
    return answers
