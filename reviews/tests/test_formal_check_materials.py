"""形式审查 shows the campaign's 申报材料 (files given, what is missing) and the organisation's 申报资格."""

import pytest
from django.urls import reverse

from accounts.tests.factories import OrganisationProfileFactory
from cases.models import Application
from cases.tests.factories import add_attachment
from cases.tests.factories_materials import EligibilityRuleFactory, MaterialSlotFactory
from reviews.tests.factories import ApplicationFactory, review_window_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(cast, client, media_storage):
    campaign = review_window_campaign()
    application = ApplicationFactory(
        campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a, status=Application.Status.RECOMMENDED
    )
    client.force_login(cast.staff)

    def get():
        html = client.get(reverse("reviews:formal_check", kwargs={"slug": campaign.slug})).content.decode()
        return html

    return campaign, application, get


def test_each_slot_is_listed_with_its_files_and_what_is_missing(page):
    campaign, application, get = page
    given = MaterialSlotFactory(campaign=campaign, name="法人登记证书副本", allowed_types=["pdf"])
    MaterialSlotFactory(campaign=campaign, name="项目专职人员资质材料")
    attachment = add_attachment(application)
    attachment.slot = given
    attachment.save()
    html = get()
    block = html.split(f'data-testid="formal-check-slots-{application.pk}"')[1].split("</div>\n  </div>")[0]
    assert "齐全</span>\n        法人登记证书副本（必交）" in block and "案例全文.pdf" in block
    assert "缺</span>\n        项目专职人员资质材料（必交）" in block
    assert "“项目专职人员资质材料”为必交材料，尚未上传。" in block


def test_the_organisations_eligibility_is_shown_rule_by_rule(page, cast):
    campaign, application, get = page
    EligibilityRuleFactory(campaign=campaign, kind="min_full_time_staff", number=2, position=1)
    EligibilityRuleFactory(campaign=campaign, kind="annual_inspection_passed", year=2022, position=2)
    OrganisationProfileFactory(organisation=cast.org_a, inspection_result="basic")
    html = get()
    block = html.split(f'data-testid="formal-check-eligibility-{application.pk}"')[1]
    assert "符合</span> 专职工作人员：须不少于 2 名（本机构：3 名）" in block
    assert "不符合</span> 年检：须 2022 年度年检合格（本机构：2022 年度 基本合格）" in block
    assert reverse("accounts:organisation_profile", args=[cast.org_a.pk]) in block


def test_a_campaign_without_slots_or_rules_shows_neither_block(page):
    _campaign, application, get = page
    html = get()
    assert f"formal-check-slots-{application.pk}" not in html
    assert f"formal-check-eligibility-{application.pk}" not in html


def test_slots_rules_and_profiles_cost_the_same_queries_for_one_case_and_many(cast, client, media_storage):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.tests.factories import OrganisationFactory

    campaign = review_window_campaign()
    slot = MaterialSlotFactory(campaign=campaign, allowed_types=["pdf"])
    EligibilityRuleFactory(campaign=campaign, kind="min_full_time_staff", number=2)

    def add(n):
        for _ in range(n):
            organisation = OrganisationProfileFactory(organisation=OrganisationFactory()).organisation
            application = ApplicationFactory(
                campaign=campaign, organisation=organisation, status=Application.Status.RECOMMENDED
            )
            attachment = add_attachment(application)
            attachment.slot = slot
            attachment.save()

    def reads() -> list[str]:
        client.get(url)  # the first view makes the blind copies of new attachments (writes); measured: the next
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return [q["sql"] for q in context.captured_queries if "django_session" not in q["sql"]]

    client.force_login(cast.staff)
    url = reverse("reviews:formal_check", kwargs={"slug": campaign.slug})
    add(1)
    one = reads()
    add(3)
    many = reads()
    assert len(one) == len(many) == 12
