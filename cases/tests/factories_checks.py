"""Factories for the checks (privacy, uploads, Word export): an application with its team, photos, endorsement.

Kept apart from factories.py so that the two branches building issue 3 never edit the same file.
"""

import datetime as dt
import io

import factory
from django.core.files.base import ContentFile
from factory.django import DjangoModelFactory
from PIL import Image

from accounts.tests.factories import MembershipFactory, UserFactory
from cases.models import Application, CasePhoto, Category, Endorsement, TeamMember
from cases.tests.factories import CampaignFactory


def jpeg_bytes(width: int = 64, height: int = 48, color=(200, 80, 40), **save_options) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "JPEG", **save_options)
    return out.getvalue()


class ApplicationFactory(DjangoModelFactory):
    """A filled-in application of an applicant who is a member of the application's organisation."""

    class Meta:
        model = Application

    campaign = factory.SubFactory(CampaignFactory)
    applicant = factory.LazyAttribute(lambda o: MembershipFactory(organisation=o.organisation).user)
    organisation = factory.SubFactory("accounts.tests.factories.OrganisationFactory")
    title = factory.Sequence(lambda n: f"陪伴独居老人走出孤独的个案服务{n}")
    period_start = dt.date(2024, 3, 1)
    period_end = dt.date(2024, 9, 30)
    declaring_unit = "玉山镇民政办"
    organisation_name = factory.LazyAttribute(lambda o: o.organisation.name)
    applicant_name = "钱雨桐"
    phone = "13962612345"
    email = "qianyutong@example.cn"
    qq = "80012345"
    category = Category.CASEWORK
    domain = "老龄事业"
    background = "服务对象张某，独居，子女在外地工作。"
    analysis = "服务对象存在社会支持不足的问题。"
    plan = "理论依据：社会支持理论。服务目标：重建支持网络。"
    implementation = "第一次面谈，社会工作者与服务对象建立关系。"
    evaluation = "服务对象的孤独感量表得分下降。"
    reflection = "社会工作者需要关注自身的界限。"


class TeamMemberFactory(DjangoModelFactory):
    class Meta:
        model = TeamMember

    application = factory.SubFactory(ApplicationFactory)
    position = factory.Sequence(int)
    name = factory.Iterator(["钱雨桐", "孔令晨", "严书瑶"])
    gender = TeamMember.Gender.FEMALE
    age = 29
    education = "本科"
    unit_and_title = "阳光社会工作服务中心 项目主管"
    years_in_social_work = 6
    certificate_level = TeamMember.CertificateLevel.SOCIAL_WORKER
    contact = factory.Sequence(lambda n: f"1380000{n:04d}")


class CasePhotoFactory(DjangoModelFactory):
    class Meta:
        model = CasePhoto

    application = factory.SubFactory(ApplicationFactory)
    image = factory.LazyFunction(lambda: ContentFile(jpeg_bytes(), name="photo.jpg"))
    caption = factory.Sequence(lambda n: f"小组活动现场{n}")
    position = factory.Sequence(int)


class EndorsementFactory(DjangoModelFactory):
    class Meta:
        model = Endorsement

    application = factory.SubFactory(ApplicationFactory)
    decision = Endorsement.Decision.RECOMMENDED
    opinion = "该案例服务过程完整，成效明显，同意推荐。"
    decided_by = factory.SubFactory(UserFactory, name="韦振邦")
