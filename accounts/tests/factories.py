import datetime as dt

import factory
from factory.django import DjangoModelFactory

from accounts.models import Membership, Organisation, User
from accounts.validators import CREDIT_CODE_ALPHABET, credit_code_check_char

PASSWORD = "Kunshan2026pass"


def credit_code(n: int) -> str:
    body = "52320583MJ" + "".join(CREDIT_CODE_ALPHABET[(n // 31**i) % 31] for i in range(7))
    return body + credit_code_check_char(body)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"测试社会工作服务中心{n}")
    credit_code = factory.Sequence(credit_code)
    district = "玉山镇"
    kind = Organisation.Kind.SOCIAL_WORK_AGENCY
    status = Organisation.Status.APPROVED


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.cn")
    name = factory.Sequence(lambda n: f"测试用户{n}")
    phone = "13912345678"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.MEMBER


class OrganisationProfileFactory(DjangoModelFactory):
    """An organisation that meets the 青铜峡 call: registered, 2022 合格, 3 full-time staff, 1 助理社会工作师."""

    class Meta:
        model = "accounts.OrganisationProfile"

    organisation = factory.SubFactory(OrganisationFactory)
    registration_authority = "青铜峡市民政局"
    registered_on = dt.date(2019, 4, 1)
    inspection_year = 2022
    inspection_result = "passed"
    full_time_staff = 3
    assistant_social_workers = 1
