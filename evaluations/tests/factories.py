import datetime as dt
import io
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from awards.tests.factories import AwardFactory, publicity_campaign
from evaluations.models import Stage, StageCriterion, StageEvaluator, StageRecord
from reviews.tests.factories import ApplicationFactory  # noqa: F401 (re-exported for tests)


class StageFactory(DjangoModelFactory):
    """A mid-term evaluation of a campaign whose publicity ended, open now."""

    class Meta:
        model = Stage

    campaign = factory.LazyFunction(lambda: publicity_campaign(open_now=False))
    kind = Stage.Kind.MIDTERM
    name = "中期评估"
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=10))
    instructions = "请提交项目中期进展报告，附服务记录和经费使用情况。"


class StageCriterionFactory(DjangoModelFactory):
    class Meta:
        model = StageCriterion

    stage = factory.SubFactory(StageFactory)
    name = factory.Sequence(lambda n: f"评估指标{n}")
    max_points = Decimal("50")
    position = factory.Sequence(lambda n: n)


class StageEvaluatorFactory(DjangoModelFactory):
    class Meta:
        model = StageEvaluator

    stage = factory.SubFactory(StageFactory)
    user = factory.SubFactory("accounts.tests.factories.UserFactory", is_reviewer=True)
    organisation = "宁夏众益第三方评估中心"


class StageRecordFactory(DjangoModelFactory):
    class Meta:
        model = StageRecord

    stage = factory.SubFactory(StageFactory)
    application = factory.LazyAttribute(lambda o: AwardFactory(campaign=o.stage.campaign).application)


def pdf_upload(name: str = "进展报告.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")


def jpeg_upload(name: str = "协议扫描件.jpg") -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (80, 60), (200, 200, 200)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), "image/jpeg")
