"""The publicity window: opens and closes at the campaign's dates (Asia/Shanghai), staff overrides are audited,
the public page shows only the allowlisted fields."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEvent
from awards import selectors, services
from awards.models import Publicity
from awards.tests.factories import AwardFactory, publicity_campaign
from reviews.tests.factories import TeamMemberFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 3, 13, 0, 0, tzinfo=SHANGHAI)
END = dt.datetime(2026, 3, 15, 23, 59, 59, tzinfo=SHANGHAI)


@pytest.fixture
def campaign(db):
    return publicity_campaign(publicity_starts_at=START, publicity_ends_at=END)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (START - dt.timedelta(seconds=1), False),
        (START, True),
        (END, True),
        (END + dt.timedelta(seconds=1), False),
    ],
)
def test_the_window_opens_and_closes_at_the_campaign_dates(campaign, moment, expected):
    publicity = selectors.publicity_get(campaign)
    assert selectors.publicity_is_open(campaign, publicity, moment) is expected


def test_after_the_window_it_says_when_it_closed(campaign):
    publicity = selectors.publicity_get(campaign)
    assert selectors.publicity_closed_at(campaign, publicity, END + dt.timedelta(hours=1)) == END
    assert selectors.publicity_closed_at(campaign, publicity, END) is None


def test_staff_may_close_the_window_early_and_it_is_audited(campaign, cast):
    AwardFactory(campaign=campaign)
    with time_machine.travel(START + dt.timedelta(hours=5), tick=False):
        services.publicity_override_set(campaign=campaign, override=Publicity.Override.CLOSED, by=cast.staff)
        campaign.refresh_from_db()
        publicity = selectors.publicity_get(campaign)
        assert not selectors.publicity_is_open(campaign, publicity, START + dt.timedelta(hours=6))
        assert selectors.publicity_closed_at(
            campaign, publicity, START + dt.timedelta(hours=6)
        ) == START + dt.timedelta(hours=5)
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PUBLICATION, detail__contains="手动关闭").exists()


def test_staff_may_open_the_window_early_but_not_with_an_empty_list(campaign, cast):
    with pytest.raises(ValidationError, match="名单为空"):
        services.publicity_override_set(campaign=campaign, override=Publicity.Override.OPEN, by=cast.staff)
    AwardFactory(campaign=campaign)
    services.publicity_override_set(campaign=campaign, override=Publicity.Override.OPEN, by=cast.staff)
    campaign.refresh_from_db()
    publicity = selectors.publicity_get(campaign)
    assert selectors.publicity_is_open(campaign, publicity, START - dt.timedelta(days=3))


def test_the_list_cannot_be_changed_by_hand_once_the_window_started(campaign, cast):
    award = AwardFactory(campaign=campaign)
    with time_machine.travel(START + dt.timedelta(minutes=1)), pytest.raises(ValidationError, match="公示已开始"):
        services.award_remove(award=award, by=cast.staff)


@pytest.fixture
def listed(db):
    campaign = publicity_campaign(slug="pub")
    award = AwardFactory(
        campaign=campaign,
        application__phone="13711112222",
        application__email="secret.applicant@example.cn",
    )
    TeamMemberFactory(application=award.application, name="隐私队员甲", contact="13600009999")
    return campaign, award


def test_the_public_page_shows_the_allowlisted_fields_and_nothing_else(client, listed):
    campaign, award = listed
    html = client.get(reverse("awards:publicity", kwargs={"slug": campaign.slug})).content.decode()
    application = award.application
    for shown in (application.reference, application.title, application.applicant_name, application.domain, "个案"):
        assert shown in html
    for hidden in (
        application.phone,
        application.email,
        "隐私队员甲",
        "13600009999",
        application.background[:20],
        application.qq,
    ):
        assert hidden not in html
    assert "@example.cn" not in html


def test_the_results_page_and_documents_hold_no_private_data(client, listed, cast):
    import io

    from docx import Document

    campaign, award = listed
    from awards.tests.factories import publish_results

    publish_results(campaign, cast.staff)
    html = client.get(reverse("awards:results", kwargs={"slug": campaign.slug})).content.decode()
    assert award.application.title in html and "13711112222" not in html and "secret.applicant" not in html
    response = client.get(reverse("awards:publicity_file", kwargs={"slug": campaign.slug, "fmt": "docx"}))
    text = "\n".join(
        cell.text for table in Document(io.BytesIO(response.content)).tables for r in table.rows for cell in r.cells
    )
    assert award.application.title in text and "13711112222" not in text and "隐私队员甲" not in text


def test_the_word_list_sets_the_east_asian_font(client, listed):
    campaign, _award = listed
    response = client.get(reverse("awards:publicity_file", kwargs={"slug": campaign.slug, "fmt": "docx"}))
    import io
    import zipfile

    xml = zipfile.ZipFile(io.BytesIO(response.content)).read("word/document.xml").decode()
    assert 'w:eastAsia="仿宋"' in xml


def test_an_unknown_list_format_is_not_found(client, listed):
    campaign, _award = listed
    assert client.get(reverse("awards:publicity_file", kwargs={"slug": campaign.slug, "fmt": "exe"})).status_code == 404


def test_the_public_list_costs_the_same_queries_for_one_and_many_rows(client, django_assert_num_queries, db):
    one = publicity_campaign(slug="one")
    AwardFactory(campaign=one)
    many = publicity_campaign(slug="many")
    for _ in range(6):
        AwardFactory(campaign=many)
    # The campaign with its publicity settings, the list's count and page (the objection form has its own page).
    with django_assert_num_queries(3):
        assert client.get(reverse("awards:publicity", kwargs={"slug": one.slug})).status_code == 200
    with django_assert_num_queries(3):
        assert client.get(reverse("awards:publicity", kwargs={"slug": many.slug})).status_code == 200
    # The objection form: the campaign with its publicity settings, the cases to choose from.
    with django_assert_num_queries(2):
        assert client.get(reverse("awards:objection", kwargs={"slug": one.slug})).status_code == 200
    with django_assert_num_queries(2):
        assert client.get(reverse("awards:objection", kwargs={"slug": many.slug})).status_code == 200


def test_each_case_on_the_publicity_list_links_to_the_objection_form_with_it_chosen(client, db):
    campaign = publicity_campaign(slug="linked")
    first, second = AwardFactory(campaign=campaign), AwardFactory(campaign=campaign)
    html = client.get(reverse("awards:publicity", kwargs={"slug": campaign.slug})).content.decode()
    form_url = reverse("awards:objection", kwargs={"slug": campaign.slug})
    assert f'href="{form_url}?award={first.pk}"' in html and f'href="{form_url}?award={second.pk}"' in html
    form = client.get(form_url, {"award": second.pk}).content.decode()
    assert f'<option value="{second.pk}" selected>' in form
