import datetime as dt
import io
import random

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory
from PIL import Image

from accounts.tests.factories import MembershipFactory, OrganisationFactory
from events.models import Activity, ActivityReport, ActivityUnit, Festival, FestivalUnit, ReportPhoto


def photo_bytes(*, min_kb: int = 120, size=(480, 360), fmt="JPEG", seed: int = 0) -> bytes:
    """A real photo-like image (random noise compresses badly) of at least `min_kb` kilobytes."""
    rng = random.Random(seed)
    width, height = size
    while True:
        image = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
        out = io.BytesIO()
        image.save(out, format=fmt, quality=95)
        if out.tell() >= min_kb * 1024:
            return out.getvalue()
        width, height = int(width * 1.4), int(height * 1.4)


class FestivalFactory(DjangoModelFactory):
    class Meta:
        model = Festival

    title = factory.Sequence(lambda n: f"昆山市第{n}届社工节")
    slug = factory.Sequence(lambda n: f"festival-{n}")
    edition = "第三届"
    year = 2026
    theme = "追梦新征程，社工在行动"
    starts_on = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=5))
    ends_on = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=25))
    banner_text = "昆山市第三届社工节活动"
    status = Festival.Status.PUBLISHED


class FestivalUnitFactory(DjangoModelFactory):
    class Meta:
        model = FestivalUnit

    festival = factory.SubFactory(FestivalFactory)
    role = FestivalUnit._meta.get_field("role").default
    name = "昆山市民政局"


class ActivityFactory(DjangoModelFactory):
    """A published activity that began yesterday and ends tomorrow."""

    class Meta:
        model = Activity

    festival = factory.SubFactory(FestivalFactory)
    kind = Activity.Kind.FORUM
    title = factory.Sequence(lambda n: f"长三角社会工作创新发展论坛{n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    ends_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=1))
    venue = "昆山市民政局会议室"
    district = "玉山镇"
    status = Activity.Status.PUBLISHED


class ActivityUnitFactory(DjangoModelFactory):
    class Meta:
        model = ActivityUnit

    activity = factory.SubFactory(ActivityFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class ActivityReportFactory(DjangoModelFactory):
    class Meta:
        model = ActivityReport

    activity = factory.SubFactory(ActivityFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    submitted_by = factory.LazyAttribute(lambda o: MembershipFactory(organisation=o.organisation).user)
    held_on = factory.LazyFunction(lambda: timezone.localdate())
    participants = 40
    summary = "社区居民参与社工节主题宣传活动。"
    status = ActivityReport.Status.SUBMITTED


class ReportPhotoFactory(DjangoModelFactory):
    class Meta:
        model = ReportPhoto

    report = factory.SubFactory(ActivityReportFactory)
    image = factory.LazyFunction(lambda: ContentFile(photo_bytes(min_kb=1, size=(64, 48)), name="photo.jpg"))
    thumbnail = factory.LazyFunction(lambda: ContentFile(photo_bytes(min_kb=1, size=(32, 24)), name="thumb.jpg"))
    caption = factory.Sequence(lambda n: f"活动现场{n}")
    position = factory.Sequence(lambda n: n)
