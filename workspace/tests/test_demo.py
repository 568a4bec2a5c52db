"""seed_demo's two finished examples of the new presets (社会工作服务项目申报, 社工站评估): made once, complete, and
every page a newcomer opens on them answers for the demo account the README names."""

import io

import pytest
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import demo as accounts_demo
from accounts.models import OrganisationProfile, User
from awards.models import Award, Certificate, Publicity
from cases.eligibility import eligibility_check
from cases.models import Application, Campaign, CaseAttachment, MaterialSlot
from reviews import selectors as review_selectors
from reviews.models import AwardDecision, Criterion, Review
from workspace import demo

pytestmark = pytest.mark.django_db


def _counts(campaign: Campaign) -> dict:
    return {
        "applications": Application.objects.filter(campaign=campaign).count(),
        "submitted": Application.objects.filter(campaign=campaign, submitted_at__isnull=False).count(),
        "reviews": Review.objects.filter(assignment__application__campaign=campaign, status="submitted").count(),
        "criteria": Criterion.objects.filter(campaign=campaign).count(),
        "decisions": AwardDecision.objects.filter(application__campaign=campaign).count(),
        "awards": Award.objects.filter(campaign=campaign).count(),
        "materials": CaseAttachment.objects.filter(application__campaign=campaign).count(),
    }


def test_seed_demo_twice_makes_each_finished_example_once_with_its_applications_reviews_and_results():
    call_command("seed_demo", stdout=io.StringIO())
    project = Campaign.objects.get(slug=demo.PROJECT_SLUG)
    station = Campaign.objects.get(slug=demo.STATION_SLUG)
    first = (_counts(project), _counts(station), User.objects.count(), Campaign.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (_counts(project), _counts(station), User.objects.count(), Campaign.objects.count()) == first

    now = timezone.now()
    for campaign in (project, station):
        campaign.refresh_from_db()
        assert campaign.is_published and campaign.public_phase(now) == Campaign.Phase.RESULTS
        assert campaign.publicity_ends_at < campaign.publicity.results_published_at < now  # every window is past
        # Stamps follow the timeline, not the day seed_demo ran.
        assert campaign.review_settings.decision_confirmed_at < campaign.publicity_starts_at
        assert not campaign.applications.exclude(pledged_at=F("submitted_at")).exists()

    # 项目申报: the preset's form, two named materials, three eligibility rules, 1 application per organisation.
    assert project.form_preset == "project_call" and project.max_applications_per_organisation == 1
    assert list(MaterialSlot.objects.filter(campaign=project).values_list("name", "required", "max_files")) == [
        ("法人登记证书副本（正反面扫描）", True, 2),
        ("工作人员资质证明", False, 5),
    ]
    assert project.eligibility_rules.count() == 3
    assert _counts(project) == {
        "applications": 4,
        "submitted": 4,
        "reviews": 12,
        "criteria": 5,
        "decisions": 4,
        "awards": 3,
        "materials": 12,
    }
    applications = list(Application.objects.filter(campaign=project).select_related("organisation"))
    assert len({a.organisation_id for a in applications}) == 4
    assert {a.status for a in applications} == {Application.Status.ACCEPTED}
    assert all(a.answers["budget"] <= 10 and a.answers["case_count"] >= 0 for a in applications)
    # One demo organisation is eligible and files; another (同心) is not, and is told which rule it breaks.
    sunshine, tongxin = accounts_demo.DEMO_ORGANISATIONS[0][0], accounts_demo.DEMO_ORGANISATIONS[1][0]
    assert any(a.organisation.name == sunshine for a in applications)
    refused = eligibility_check(
        organisation=OrganisationProfile.objects.get(organisation__name=tongxin).organisation, campaign=project
    )
    assert refused and "2022 年度年检合格" in refused[0]
    assert not Application.objects.filter(campaign=project, organisation__name=tongxin).exists()

    # 社工站评估: stations rated by a 2 / 4 / 8 rubric of 100 points, the ranking split in thirds.
    assert station.form_preset == "station_evaluation"
    assert _counts(station) == {
        "applications": 6,
        "submitted": 6,
        "reviews": 18,
        "criteria": 14,
        "decisions": 6,
        "awards": 6,
        "materials": 0,
    }
    tree = review_selectors.rubric_tree(station)
    assert [sum(1 for c in tree if c.depth == d) for d in (0, 1, 2)] == [2, 4, 8]
    assert review_selectors.rubric_max_total(tree) == 100
    tiers = [agg.tier for _app, agg, _per in review_selectors.ranking(station).rows]
    assert tiers == ["优秀", "优秀", "合格", "合格", "整改", "整改"]
    assert all(
        name.endswith("社会工作服务站") for name in station.applications.values_list("organisation__name", flat=True)
    )
    # 整改 is a result, never a certificate; 优秀 and 合格 are awards of this evaluation.
    certified = set(
        Certificate.objects.filter(campaign=station).values_list("award__application__award_decision__tier", flat=True)
    )
    assert "整改" not in certified
    assert Award.objects.results_only().filter(campaign=station).count() == 2
    assert Publicity.objects.filter(campaign__in=[project, station], results_published_at__isnull=False).count() == 2


def _client(email: str | None) -> Client:
    client = Client()
    if email:
        client.force_login(User.objects.get(email=email), backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_every_page_a_newcomer_opens_on_the_examples_answers_for_the_demo_account_the_readme_names():
    out = io.StringIO()
    people = accounts_demo.seed(out)
    demo.seed(out, today=timezone.localdate(), people=people)
    project = Campaign.objects.get(slug=demo.PROJECT_SLUG)
    station = Campaign.objects.get(slug=demo.STATION_SLUG)
    mine = Application.objects.get(campaign=project, applicant__email="social.worker@demo.ks.gov.cn")
    own_station = Application.objects.get(campaign=station, applicant__email="station@demo.ks.gov.cn")
    reviewed = own_station.assignments.get(reviewer__email="reviewer@demo.ks.gov.cn")
    tongxin = people["organisations"][1]

    anonymous, staff = _client(None), _client("staff@demo.ks.gov.cn")
    home = anonymous.get(reverse("home")).content.decode()
    listing = anonymous.get(reverse("cases:campaign_list")).content.decode()
    for campaign in (project, station):
        assert campaign.title in home and campaign.title in listing
    assert listing.count("已公布") >= 2

    pages = [
        (anonymous, reverse("cases:campaign_detail", args=[project.slug]), "法人登记证书副本（正反面扫描）"),
        (anonymous, reverse("cases:campaign_detail", args=[station.slug]), station.title),
        (anonymous, reverse("awards:results", args=[project.slug]), mine.title),
        (anonymous, reverse("awards:results", args=[station.slug]), own_station.title),
        (staff, reverse("workspace:campaign_list"), station.title),
        (staff, reverse("workspace:campaign", args=[project.slug]), project.title),
        (staff, reverse("workspace:campaign", args=[station.slug]), station.title),
        (staff, reverse("cases:staff_applications") + f"?campaign={project.pk}", mine.title),
        (staff, reverse("cases:staff_applications") + f"?campaign={station.pk}", own_station.title),
        # A finished campaign has no case waiting for the formal check: the page says so.
        (staff, reverse("reviews:formal_check", args=[project.slug]), "暂无待形式审查的案例"),
        (staff, reverse("reviews:formal_check", args=[station.slug]), "暂无待形式审查的案例"),
        (staff, reverse("reviews:ranking", args=[project.slug]), "拟立项"),
        (staff, reverse("reviews:ranking", args=[station.slug]), "整改"),
        (staff, reverse("cases:application_detail", args=[mine.pk]), "申请资金"),
        (staff, reverse("cases:application_detail", args=[mine.pk]), "法人登记证书副本（正反面扫描）"),
        (staff, reverse("cases:application_detail", args=[own_station.pk]), "所属县（区）"),
        (_client("social.worker@demo.ks.gov.cn"), reverse("cases:application_detail", args=[mine.pk]), mine.title),
        (_client("station@demo.ks.gov.cn"), reverse("cases:application_detail", args=[own_station.pk]), "清江浦区"),
        (_client("station@demo.ks.gov.cn"), reverse("cases:dashboard"), own_station.title),
        (_client("social.worker@demo.ks.gov.cn"), reverse("awards:my_results"), mine.title),
        (_client("orgadmin.b@demo.ks.gov.cn"), reverse("accounts:organisation_profile", args=[tongxin.pk]), "基本合格"),
        (_client("orgadmin.b@demo.ks.gov.cn"), reverse("cases:campaign_detail", args=[project.slug]), "2022"),
        (_client("reviewer@demo.ks.gov.cn"), reverse("reviews:case", args=[reviewed.application_id]), "服务团队"),
    ]
    for client, url, expected in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert expected in response.content.decode(), (url, expected)

    for client, application in ((staff, mine), (staff, own_station), (_client("station@demo.ks.gov.cn"), own_station)):
        response = client.get(reverse("cases:application_docx", args=[application.pk]))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
