"""申报资格: eligibility_check per rule kind, on both sides, and where it refuses (start and submit)."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import OrganisationProfile
from accounts.tests.factories import OrganisationFactory, OrganisationProfileFactory
from cases import services
from cases.eligibility import eligibility_check, eligibility_results
from cases.models import Application, EligibilityRule
from cases.tests.factories import ApplicationFactory, CampaignFactory, add_photo
from cases.tests.factories_materials import EligibilityRuleFactory

pytestmark = pytest.mark.django_db
Kind = EligibilityRule.Kind


@pytest.fixture
def campaign():
    return CampaignFactory()


def check(campaign, **profile):
    organisation = OrganisationFactory()
    if profile is not None:
        OrganisationProfileFactory(organisation=organisation, **profile)
    return eligibility_check(organisation=organisation, campaign=campaign)


def test_a_campaign_without_rules_takes_any_organisation(campaign):
    assert eligibility_check(organisation=OrganisationFactory(), campaign=campaign) == []


def test_registered_holds_for_an_organisation_with_authority_and_date(campaign):
    EligibilityRuleFactory(campaign=campaign, kind=Kind.REGISTERED)
    assert check(campaign) == []


def test_registered_is_broken_without_a_profile_and_says_what_is_missing(campaign):
    EligibilityRuleFactory(campaign=campaign, kind=Kind.REGISTERED)
    broken = eligibility_check(organisation=OrganisationFactory(), campaign=campaign)
    assert broken == ["登记注册：须已在民政部门登记注册（本机构：未填写登记管理机关或登记日期）"]


def test_registered_with_an_authority_requires_it_in_the_organisations_authority(campaign):
    EligibilityRuleFactory(campaign=campaign, kind=Kind.REGISTERED, authority="青铜峡市")
    assert check(campaign, registration_authority="青铜峡市民政局") == []
    (message,) = check(campaign, registration_authority="昆山市民政局")
    assert "青铜峡市" in message and "本机构：昆山市民政局" in message


def test_annual_inspection_passes_with_the_year_passed(campaign):
    EligibilityRuleFactory(campaign=campaign, kind=Kind.ANNUAL_INSPECTION_PASSED, year=2022)
    assert check(campaign, inspection_year=2022, inspection_result="passed") == []


def test_annual_inspection_basically_passed_is_refused_naming_the_rule_and_the_result(campaign):
    EligibilityRuleFactory(campaign=campaign, kind=Kind.ANNUAL_INSPECTION_PASSED, year=2022)
    assert check(campaign, inspection_year=2022, inspection_result="basic") == [
        "年检：须 2022 年度年检合格（本机构：2022 年度 基本合格）"
    ]


def test_annual_inspection_basically_passed_counts_where_the_rule_says_so(campaign):
    EligibilityRuleFactory(campaign=campaign, kind=Kind.ANNUAL_INSPECTION_PASSED, year=2022, accept_basic_pass=True)
    assert check(campaign, inspection_year=2022, inspection_result="basic") == []
    assert check(campaign, inspection_year=2022, inspection_result="failed") != []


def test_annual_inspection_of_another_year_is_refused(campaign):
    EligibilityRuleFactory(campaign=campaign, kind=Kind.ANNUAL_INSPECTION_PASSED, year=2022)
    (message,) = check(campaign, inspection_year=2021, inspection_result="passed")
    assert message == "年检：须 2022 年度年检合格（本机构：2021 年度 合格）"


def test_full_time_staff_at_the_minimum_passes_and_one_fewer_is_refused(campaign):
    EligibilityRuleFactory(campaign=campaign, kind=Kind.MIN_FULL_TIME_STAFF, number=2)
    assert check(campaign, full_time_staff=2, assistant_social_workers=0) == []
    assert check(campaign, full_time_staff=1, assistant_social_workers=0) == [
        "专职工作人员：须不少于 2 名（本机构：1 名）"
    ]


def test_certified_counts_the_level_and_every_higher_one(campaign):
    EligibilityRuleFactory(campaign=campaign, kind=Kind.MIN_CERTIFIED, number=2, level="assistant")
    assert check(campaign, full_time_staff=3, assistant_social_workers=1, senior_social_workers=1) == []
    (message,) = check(campaign, full_time_staff=3, assistant_social_workers=1)
    assert message == "持证社会工作者：须至少 2 名专职工作人员获得助理社会工作师及以上资格证（本机构：1 名）"


def test_certified_at_a_higher_level_does_not_count_lower_certificates(campaign):
    EligibilityRuleFactory(campaign=campaign, kind=Kind.MIN_CERTIFIED, number=1, level="social_worker")
    assert check(campaign, full_time_staff=3, assistant_social_workers=3) != []
    assert check(campaign, full_time_staff=3, assistant_social_workers=0, social_workers=1) == []


def test_results_list_every_rule_in_order_with_met_or_not(campaign):
    EligibilityRuleFactory(campaign=campaign, kind=Kind.MIN_FULL_TIME_STAFF, number=2, position=1)
    EligibilityRuleFactory(campaign=campaign, kind=Kind.ANNUAL_INSPECTION_PASSED, year=2022, position=2)
    organisation = OrganisationProfileFactory(inspection_year=2021).organisation
    results = eligibility_results(organisation=organisation, campaign=campaign)
    assert [(r.rule.kind, r.ok) for r in results] == [
        (Kind.MIN_FULL_TIME_STAFF, True),
        (Kind.ANNUAL_INSPECTION_PASSED, False),
    ]


def test_a_rule_missing_its_value_is_refused_by_the_model(campaign):
    with pytest.raises(ValidationError) as caught:
        EligibilityRule(campaign=campaign, kind=Kind.MIN_CERTIFIED).full_clean()
    assert set(caught.value.message_dict) == {"number", "level"}


def test_a_profile_with_more_certified_than_staff_is_refused():
    profile = OrganisationProfile(organisation=OrganisationFactory(), full_time_staff=1, social_workers=2)
    with pytest.raises(ValidationError) as caught:
        profile.full_clean()
    assert "多于专职工作人员" in caught.value.message_dict["full_time_staff"][0]


def test_an_ineligible_organisation_cannot_start_an_application(cast, campaign):
    EligibilityRuleFactory(campaign=campaign, kind=Kind.MIN_FULL_TIME_STAFF, number=2)
    OrganisationProfileFactory(organisation=cast.org_a, full_time_staff=1, assistant_social_workers=0)
    with pytest.raises(ValidationError) as caught:
        services.application_start(campaign=campaign, user=cast.applicant_a)
    assert caught.value.messages == [
        f"{cast.org_a.name}不符合本次申报资格：专职工作人员：须不少于 2 名（本机构：1 名）。"
        "请机构负责人在“机构资质”中核对。"
    ]
    assert not Application.objects.filter(campaign=campaign).exists()


def test_an_eligible_organisation_starts_an_application(cast, campaign):
    EligibilityRuleFactory(campaign=campaign, kind=Kind.MIN_FULL_TIME_STAFF, number=2)
    OrganisationProfileFactory(organisation=cast.org_a)
    assert services.application_start(campaign=campaign, user=cast.applicant_a).organisation == cast.org_a


def test_submit_is_refused_when_the_organisation_no_longer_meets_a_rule(cast, campaign):
    application = ApplicationFactory(campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a)
    for _ in range(3):
        add_photo(application)
    EligibilityRuleFactory(campaign=campaign, kind=Kind.ANNUAL_INSPECTION_PASSED, year=2022)
    OrganisationProfileFactory(organisation=cast.org_a, inspection_year=2022, inspection_result="failed")
    with pytest.raises(ValidationError) as caught:
        services.application_submit(application_id=application.pk, by=cast.applicant_a)
    assert caught.value.message_dict["eligibility"] == ["年检：须 2022 年度年检合格（本机构：2022 年度 不合格）"]
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT and not application.reference


def test_the_start_button_of_an_ineligible_organisation_answers_with_the_rule_named(client, cast, campaign):
    from django.urls import reverse

    EligibilityRuleFactory(campaign=campaign, kind=Kind.ANNUAL_INSPECTION_PASSED, year=2022)
    OrganisationProfileFactory(organisation=cast.org_a, inspection_year=2022, inspection_result="basic")
    client.force_login(cast.applicant_a)
    response = client.post(reverse("cases:application_start", kwargs={"slug": campaign.slug}), follow=True)
    assert "年检：须 2022 年度年检合格（本机构：2022 年度 基本合格）" in response.content.decode()
    assert not Application.objects.filter(campaign=campaign).exists()
