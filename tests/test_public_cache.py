"""Public pages are served to anonymous visitors from the cache, with Cache-Control/ETag a proxy can use, and
every service (or admin save) that changes what a page shows drops it; logged-in users never share it."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from awards import services as award_services
from awards.models import Objection, Publicity
from awards.tests.factories import AwardFactory, ObjectionFactory, publicity_campaign, publish_results
from events import services as event_services
from events.models import Activity, Festival
from events.tests.factories import ActivityFactory, ActivityReportFactory, FestivalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def served_from_cache(client, url) -> bool:
    return queries_for(client, url) == 0


@pytest.fixture
def world(cast):
    festival = FestivalFactory()
    activity = ActivityFactory(festival=festival)
    campaign = publicity_campaign(open_now=False, festival=festival, is_published=True)
    award = AwardFactory(campaign=campaign)
    objection = ObjectionFactory(award=award, campaign=campaign)
    return SimpleNamespace(festival=festival, activity=activity, campaign=campaign, award=award, objection=objection)


def test_a_visitor_gets_the_home_page_from_the_cache_with_public_headers_and_an_etag(client):
    url = reverse("home")
    first = client.get(url)
    assert first.status_code == 200
    assert served_from_cache(client, url)
    again = client.get(url)
    assert "public" in again["Cache-Control"] and "max-age=60" in again["Cache-Control"]
    assert again["ETag"] and again["Last-Modified"] and "Cookie" in again["Vary"]
    assert again.content == first.content
    assert client.get(url, HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304


def test_a_logged_in_user_is_never_served_nor_stored_in_the_visitors_cache(client, cast):
    url = reverse("home")
    client.force_login(cast.applicant_a)
    mine = client.get(url)
    assert {"private", "no-store"} <= {d.strip() for d in mine["Cache-Control"].split(",")}
    client.logout()
    visitor = client.get(url)
    assert visitor.status_code == 200 and reverse("accounts:logout") not in visitor.content.decode()
    assert served_from_cache(client, url)
    client.force_login(cast.applicant_a)
    assert not served_from_cache(client, url)
    page = client.get(url)
    assert reverse("accounts:logout") in page.content.decode() and "no-store" in page["Cache-Control"]


def test_during_the_window_the_publicity_page_is_cached_and_the_objection_form_is_not(client):
    campaign = publicity_campaign()  # window open
    award = AwardFactory(campaign=campaign)
    url = reverse("awards:publicity", kwargs={"slug": campaign.slug})
    first = client.get(url)
    html = first.content.decode()
    assert first.status_code == 200 and "csrfmiddlewaretoken" not in html
    assert f'/awards/{campaign.slug}/publicity/objection/?award={award.pk}"' in html
    assert "public" in first["Cache-Control"]
    assert served_from_cache(client, url)
    form_url = reverse("awards:objection", kwargs={"slug": campaign.slug})
    form_page = client.get(form_url)
    assert "csrfmiddlewaretoken" in form_page.content.decode()
    assert "private" in form_page["Cache-Control"] and "public" not in form_page["Cache-Control"]
    assert not served_from_cache(client, form_url)


@pytest.fixture
def open_world(cast):
    campaign = publicity_campaign(is_published=True)  # window open now
    award = AwardFactory(campaign=campaign)
    objection = ObjectionFactory(award=award, campaign=campaign)
    return SimpleNamespace(campaign=campaign, award=award, objection=objection)


def _tier_changed(world, cast):
    award_services.objection_decide(
        objection=world.objection,
        upheld=True,
        outcome=Objection.Outcome.CHANGE_TIER,
        new_tier="入围",
        reply="经核实，调整奖项等级。",
        by=cast.staff,
    )


def _contact_edited(world, cast):
    from cases.models import Campaign

    Campaign.objects.filter(pk=world.campaign.pk).update(contact="0512-12345678")
    world.campaign.refresh_from_db()
    _admin_save(Campaign, world.campaign, cast)


OPEN_WINDOW_CHANGES = {
    "withdrawn": lambda w, c: _decide(w, c),
    "tier_changed": _tier_changed,
    "closed_by_staff": lambda w, c: _override(w, c),
    "how_to_object": lambda w, c: _how_to_object(w, c),
    "campaign_edited": _contact_edited,
}


@pytest.mark.parametrize("change", OPEN_WINDOW_CHANGES.values(), ids=OPEN_WINDOW_CHANGES.keys())
def test_during_the_window_the_cached_publicity_page_is_dropped_by_each_change_that_alters_it(
    client, cast, open_world, change
):
    url = reverse("awards:publicity", kwargs={"slug": open_world.campaign.slug})
    before = client.get(url).content
    assert served_from_cache(client, url)
    change(open_world, cast)
    assert not served_from_cache(client, url)
    assert client.get(url).content != before  # the visitor sees the change
    assert served_from_cache(client, url)


def test_lodging_an_objection_keeps_the_cached_publicity_page(client, open_world):
    url = reverse("awards:publicity", kwargs={"slug": open_world.campaign.slug})
    client.get(url)
    form_url = reverse("awards:objection", kwargs={"slug": open_world.campaign.slug})
    data = {
        "name": "赵某某",
        "phone": "13912345670",
        "email": "objector@example.org",
        "award": open_world.award.pk,
        "reason": "该案例所述服务时间与机构实际开展情况不符，请予核实。",
    }
    assert client.post(form_url, data, REMOTE_ADDR="10.9.9.9").status_code == 302
    assert served_from_cache(client, url)


def _admin_save(model, obj, cast):
    request = RequestFactory().post("/")
    request.user = cast.staff
    form = SimpleNamespace(instance=obj, save_m2m=lambda: None)
    admin.site._registry[model].save_related(request, form, [], True)


def _decide(world, cast):
    award_services.objection_decide(
        objection=world.objection, upheld=True, outcome="withdraw", reply="经核实，撤销该奖项。", by=cast.staff
    )


def _publish(world, cast):
    Objection.objects.filter(pk=world.objection.pk).update(status=Objection.Status.DISMISSED)
    award_services.results_publish(campaign=world.campaign, by=cast.staff)


def _override(world, cast):
    award_services.publicity_override_set(campaign=world.campaign, override=Publicity.Override.CLOSED, by=cast.staff)


def _how_to_object(world, cast):
    award_services.publicity_settings_save(campaign=world.campaign, how_to_object="请来电。", by=cast.staff)


def _report_accepted(world, cast):
    report = ActivityReportFactory(activity=world.activity)
    event_services.report_accept(report=report, by=cast.staff)


def _festival_edited(world, cast):
    _admin_save(Festival, world.festival, cast)


def _activity_edited(world, cast):
    _admin_save(Activity, world.activity, cast)


def _campaign_edited(world, cast):
    from cases.models import Campaign

    _admin_save(Campaign, world.campaign, cast)


def _workspace_basics_saved(world, cast):
    from workspace.services import campaign_basics_update

    campaign_basics_update(campaign=world.campaign, values={"description": "新的活动说明"}, by=cast.staff)


def _workspace_timeline_saved(world, cast):
    from workspace.services import campaign_timeline_update
    from workspace.timeline import PHASES

    values = {m.name: getattr(world.campaign, m.name) for p in PHASES for m in p.milestones}
    values["publicity_ends_at"] += dt.timedelta(days=1)
    campaign_timeline_update(campaign=world.campaign, phases=list(PHASES), values=values, by=cast.staff)


def _workspace_unpublished(world, cast):
    from workspace.services import campaign_unpublish

    campaign_unpublish(campaign=world.campaign, by=cast.staff)


PAGES = {
    "home": lambda w: reverse("home"),
    "campaign": lambda w: reverse("cases:campaign_detail", kwargs={"slug": w.campaign.slug}),
    "publicity": lambda w: reverse("awards:publicity", kwargs={"slug": w.campaign.slug}),
    "festival": lambda w: reverse("events:festival_detail", kwargs={"slug": w.festival.slug}),
    "festival_list": lambda w: reverse("events:festival_list"),
    "calendar": lambda w: reverse("events:calendar"),
}

CHANGES = [
    ("home", _publish),
    ("home", _decide),
    ("home", _report_accepted),
    ("home", _festival_edited),
    ("home", _activity_edited),
    ("home", _campaign_edited),
    ("campaign", _publish),
    ("campaign", _override),
    ("campaign", _decide),
    ("campaign", _campaign_edited),
    ("publicity", _publish),
    ("publicity", _decide),
    ("publicity", _override),
    ("publicity", _how_to_object),
    ("publicity", _campaign_edited),
    ("festival", _festival_edited),
    ("festival", _activity_edited),
    ("festival", _report_accepted),
    ("festival", _publish),
    ("festival_list", _festival_edited),
    ("calendar", _activity_edited),
    ("home", _workspace_basics_saved),
    ("campaign", _workspace_basics_saved),
    ("campaign", _workspace_timeline_saved),
    ("publicity", _workspace_timeline_saved),
    ("festival", _workspace_timeline_saved),
    # The campaign's own page answers 404 once it is not public (not cached); the pages that listed it are dropped.
    ("home", _workspace_unpublished),
    ("festival", _workspace_unpublished),
]


@pytest.mark.parametrize(("page", "change"), CHANGES, ids=[f"{p}-{c.__name__.strip('_')}" for p, c in CHANGES])
def test_each_public_page_is_dropped_by_each_change_that_alters_it(client, cast, world, page, change):
    url = PAGES[page](world)
    client.get(url)
    assert served_from_cache(client, url)
    change(world, cast)
    assert not served_from_cache(client, url)
    assert served_from_cache(client, url)


def test_the_results_page_and_a_certificate_check_are_dropped_when_an_objection_withdraws_the_award(
    client, cast, world
):
    from awards.models import Certificate

    publish_results(world.campaign, cast.staff)
    certificate = Certificate.objects.create(award=world.award, campaign=world.campaign, serial=1, number="KS-1")
    for url in (
        reverse("awards:results", kwargs={"slug": world.campaign.slug}),
        reverse("verify", kwargs={"code": certificate.code}),
    ):
        client.get(url)
        assert served_from_cache(client, url)
        _decide(world, cast)
        assert not served_from_cache(client, url)
        world.objection = ObjectionFactory(award=AwardFactory(campaign=world.campaign), campaign=world.campaign)


def test_a_page_cached_for_one_campaign_is_kept_when_another_campaign_changes(client, cast, world):
    url = PAGES["publicity"](world)
    client.get(url)
    other = publicity_campaign(open_now=False)
    award_services.publicity_settings_save(campaign=other, how_to_object="请来电。", by=cast.staff)
    assert served_from_cache(client, url)
