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
