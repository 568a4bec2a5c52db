"""The workspace pages through the test client: each tab shows, saves, and on bad input keeps what was typed
with the message beside the field."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from cases.models import Campaign
from cases.tests.factories import CampaignFactory
from reviews.models import Criterion
from reviews.tests.factories import CriterionFactory, PanelMemberFactory

from .factories import finished_campaign, roomy_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, cast):
    client.force_login(cast.staff, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def _timeline_post(campaign, **changes):
    data = {}
    for name in (
        "submission_opens_at",
        "submission_closes_at",
        "recommendation_closes_at",
        "formal_check_closes_at",
        "review_opens_at",
        "review_closes_at",
        "publicity_starts_at",
        "publicity_ends_at",
        "ceremony_at",
    ):
        value = getattr(campaign, name)
        data[name] = _local(value) if value else ""
    data["announced_on"] = campaign.announced_on.isoformat() if campaign.announced_on else ""
    data.update(changes)
    return data


def _error_beside(html: str, field: str) -> str:
    """The message rendered right after the field's input (the timeline's own markup)."""
    match = re.search(
        rf'id="id_{field}"[^>]*>\s*<div class="invalid-feedback[^"]*" id="id_{field}_error"[^>]*>([^<]+)<', html
    )
    assert match, f"no message beside {field}"
    return match.group(1)


def test_the_dashboard_links_to_the_workspace(staff_client):
    html = staff_client.get(reverse("accounts:manage")).content.decode()
    assert f'href="{reverse("workspace:campaign_list")}"' in html and "评选活动管理" in html


def test_the_list_shows_every_campaign_with_its_phase(staff_client):
    CampaignFactory(title="今年的评选")
    CampaignFactory(title="明年的评选", is_published=False)
    html = staff_client.get(reverse("workspace:campaign_list")).content.decode()
    assert "今年的评选" in html and "明年的评选" in html and "组织申报" in html and "未公开" in html


# session, user, roles, the campaigns with their counts; the session saved (savepoint, update, release)
LIST_QUERIES = 7


def test_the_list_costs_the_same_queries_for_one_and_many_campaigns(staff_client, django_assert_num_queries):
    CampaignFactory()
    with django_assert_num_queries(LIST_QUERIES):
        staff_client.get(reverse("workspace:campaign_list"))
    for _ in range(4):
        CampaignFactory()
    with django_assert_num_queries(LIST_QUERIES):
        staff_client.get(reverse("workspace:campaign_list"))


# session, user, roles, the campaign with its one-to-one rows, the rubric, the panel counts, the festival
# choices of the form; the evaluation stages on its timeline (workspace/stages.py); the session saved
PAGE_QUERIES = 11


def test_the_campaign_page_costs_the_same_queries_for_a_small_and_a_large_set_up(
    staff_client, cast, django_assert_num_queries
):
    small = CampaignFactory()
    with django_assert_num_queries(PAGE_QUERIES):
        staff_client.get(reverse("workspace:campaign", kwargs={"slug": small.slug}))
    large = finished_campaign(staff=cast.staff)
    for _ in range(5):
        CriterionFactory(campaign=large)
        PanelMemberFactory(campaign=large)
    with django_assert_num_queries(PAGE_QUERIES):
        staff_client.get(reverse("workspace:campaign", kwargs={"slug": large.slug}))


def test_every_tab_answers_and_names_the_campaign(staff_client):
    campaign = CampaignFactory(title="第九期评选")
    for name in ("campaign", "timeline", "rules", "review", "awards", "reminders"):
        response = staff_client.get(reverse(f"workspace:{name}", kwargs={"slug": campaign.slug}))
        assert response.status_code == 200, name
        assert "第九期评选" in response.content.decode()


def test_an_unknown_campaign_is_404(staff_client):
    assert staff_client.get(reverse("workspace:timeline", kwargs={"slug": "no-such"})).status_code == 404


# --- 基本信息 ---------------------------------------------------------------------------------------------------


def test_basics_refused_keep_what_was_typed_with_the_message_beside_the_field(staff_client):
    campaign = CampaignFactory(title="原名称")
    url = reverse("workspace:campaign", kwargs={"slug": campaign.slug})
    response = staff_client.post(
        url,
        {
            "title": "新的名称",
            "description": "我写的说明",
            "case_period_start": "2025-01-01",
            "case_period_end": "2024-01-01",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"case_period_end": ["案例实施截止日期不得早于起始日期（2025-01-01）。"]}
    html = response.content.decode()
    assert 'value="新的名称"' in html and "我写的说明" in html
    assert re.search(r'id="id_case_period_end".*?invalid-feedback.*?不得早于起始日期', html, re.S)
    campaign.refresh_from_db()
    assert campaign.title == "原名称"


def test_basics_saved_and_audited(staff_client, cast):
    campaign = CampaignFactory(title="原名称")
    url = reverse("workspace:campaign", kwargs={"slug": campaign.slug})
    response = staff_client.post(
        url,
        {
            "title": "新的名称",
            "description": "说明",
            "contact": "0512-1",
            "case_period_start": "2023-01-01",
            "case_period_end": "2025-12-31",
            "is_published": "on",
        },
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.title, campaign.contact) == ("新的名称", "0512-1")
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ADMIN_CHANGE, object_id=str(campaign.pk))
    assert "基本信息" in event.detail and "评选活动名称" in event.detail and event.user == cast.staff


# --- 申报规则 ---------------------------------------------------------------------------------------------------


def _rules(**changes):
    data = {
        "domains": "老龄事业\n社区建设\n",
        "categories": ["casework", "group"],
        "body_min_chars": "5000",
        "body_max_chars": "10000",
        "photos_min": "3",
        "photos_max": "5",
        "casework_photos_min": "0",
        "casework_photos_max": "5",
        "photo_min_pixels": "2000000",
        "photo_max_bytes": "20971520",
        "max_applications_per_applicant": "0",
        "max_applications_per_organisation": "2",
        "blind_review": "on",
        "reference_prefix": "ks",
    }
    data.update(changes)
    return data


def test_rules_refused_keep_what_was_typed_with_the_message_beside_the_field(staff_client):
    campaign = CampaignFactory()
    url = reverse("workspace:rules", kwargs={"slug": campaign.slug})
    response = staff_client.post(url, _rules(photos_max="2", domains="新领域甲\n新领域乙", reference_prefix="K-1"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["photos_max"] == ["不得小于“服务照片最少张数”（3）。"]
    assert errors["reference_prefix"] == ["申报编号前缀只能是 1—10 个英文字母，如 KS。"]
    html = response.content.decode()
    assert "新领域甲\n新领域乙" in html and 'value="2"' in html
    campaign.refresh_from_db()
    assert "新领域甲" not in campaign.domains


def test_rules_saved_as_a_list_of_domains_and_audited(staff_client):
    campaign = CampaignFactory()
    url = reverse("workspace:rules", kwargs={"slug": campaign.slug})
    assert staff_client.post(url, _rules()).status_code == 302
    campaign.refresh_from_db()
    assert campaign.domains == ["老龄事业", "社区建设"]
    assert campaign.categories == ["casework", "group"]
    assert (campaign.max_applications_per_organisation, campaign.reference_prefix) == (2, "KS")
    assert not campaign.recommendation_required
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ADMIN_CHANGE, detail__contains="申报规则").exists()


def test_rules_refuse_a_domain_too_long_for_an_application(staff_client):
    campaign = CampaignFactory()
    url = reverse("workspace:rules", kwargs={"slug": campaign.slug})
    response = staff_client.post(url, _rules(domains="老龄事业\n" + "很" * 30))
    assert response.status_code == 200
    assert "超过申报表能保存的" in response.context["form"].errors["domains"][0]


# --- 时间安排 ---------------------------------------------------------------------------------------------------


def test_timeline_shows_every_phase_and_today(staff_client):
    campaign = CampaignFactory()
    html = staff_client.get(reverse("workspace:timeline", kwargs={"slug": campaign.slug})).content.decode()
    for label in ("发文启动", "组织申报", "单位推荐", "形式审查", "专家评审", "结果公示", "颁奖"):
        assert label in html
    assert 'class="timeline-today"' in html and "今天" in html
    assert 'type="datetime-local"' in html


def test_timeline_suggests_dates_for_empty_phases(staff_client):
    campaign = roomy_campaign()
    response = staff_client.get(reverse("workspace:timeline", kwargs={"slug": campaign.slug}))
    form = response.context["form"]
    assert "recommendation_closes_at" in form.suggested
    expected = timezone.localtime(campaign.submission_closes_at).date() + dt.timedelta(days=5)
    assert form.initial["recommendation_closes_at"].date() == expected
    assert 'data-testid="suggested-recommendation_closes_at"' in response.content.decode()


def test_timeline_out_of_order_is_named_beside_the_field_and_nothing_is_saved(staff_client):
    campaign = CampaignFactory()
    before = campaign.review_opens_at
    url = reverse("workspace:timeline", kwargs={"slug": campaign.slug})
    wrong = campaign.submission_closes_at - dt.timedelta(days=1)
    data = _timeline_post(
        campaign, recommendation_closes_at="", formal_check_closes_at="", review_opens_at=_local(wrong)
    )
    response = staff_client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    closes = timezone.localtime(campaign.submission_closes_at).strftime("%Y-%m-%d %H:%M")
    assert _error_beside(html, "review_opens_at") == f"专家评审开始时间须晚于申报截止时间（{closes}）。"
    assert f'value="{_local(wrong)}"' in html  # what was typed stays
    campaign.refresh_from_db()
    assert campaign.review_opens_at == before


def test_timeline_refuses_publicity_ending_before_it_starts_beside_the_end(staff_client):
    """The case the admin answered with "约束 campaign_publicity_order 是无效的" and no field marked."""
    campaign = CampaignFactory()
    url = reverse("workspace:timeline", kwargs={"slug": campaign.slug})
    data = _timeline_post(
        campaign,
        recommendation_closes_at="",
        formal_check_closes_at="",
        publicity_ends_at=_local(campaign.publicity_starts_at - dt.timedelta(hours=1)),
    )
    response = staff_client.post(url, data)
    assert "公示结束时间须晚于公示开始时间" in _error_beside(response.content.decode(), "publicity_ends_at")


def test_timeline_saved_in_one_go_and_audited(staff_client, cast):
    campaign = CampaignFactory()
    url = reverse("workspace:timeline", kwargs={"slug": campaign.slug})
    rec = timezone.localtime(campaign.submission_closes_at) + dt.timedelta(hours=2)
    data = _timeline_post(campaign, recommendation_closes_at=rec.strftime("%Y-%m-%dT%H:%M"), formal_check_closes_at="")
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    campaign.refresh_from_db()
    assert campaign.recommendation_closes_at == rec.replace(second=0, microsecond=0)
    assert campaign.formal_check_closes_at is None
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ADMIN_CHANGE, object_id=str(campaign.pk))
    assert "时间安排" in event.detail and "单位推荐截止时间" in event.detail


# --- 新建评选活动 ------------------------------------------------------------------------------------------------


def test_new_from_a_preset_fills_every_date_from_the_year(staff_client):
    response = staff_client.post(
        reverse("workspace:campaign_new"),
        {
            "title": "2027年昆山市优秀社工案例评选",
            "short_name": "",
            "year": "2027",
            "source": "preset",
            "preset": "case_award",
        },
    )
    campaign = Campaign.objects.get(slug="2027-kssyxsgalpx")
    assert response.status_code == 302 and response["Location"] == reverse(
        "workspace:timeline", kwargs={"slug": campaign.slug}
    )
    assert not campaign.is_published
    assert campaign.announced_on == dt.date(2027, 3, 1)
    assert timezone.localtime(campaign.submission_opens_at).year == 2027
    assert campaign.submission_closes_at < campaign.recommendation_closes_at < campaign.formal_check_closes_at
    assert (
        campaign.formal_check_closes_at < campaign.review_opens_at < campaign.publicity_starts_at < campaign.ceremony_at
    )
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ADMIN_ADD, object_id=str(campaign.pk)).exists()
    assert Criterion.objects.filter(campaign=campaign).count() == 4  # the notice's rubric, as the admin gives


@pytest.mark.parametrize("preset", ["project_call", "station_evaluation"])
def test_new_from_a_preset_with_its_own_form_is_made_without_case_categories_and_its_rules_save(
    staff_client, cast, preset
):
    """A project call or a station evaluation has no 案例类别 (an empty list the model field alone would refuse)."""
    response = staff_client.post(
        reverse("workspace:campaign_new"),
        {"title": "2027年示例评选", "short_name": "slsp", "year": "2027", "source": "preset", "preset": preset},
    )
    campaign = Campaign.objects.get(slug="2027-slsp")
    assert response.status_code == 302 and campaign.form_preset == preset and campaign.categories == []
    from workspace.services import campaign_rules_update

    campaign_rules_update(campaign=campaign, values={"max_applications_per_organisation": 2}, by=cast.staff)
    campaign.refresh_from_db()
    assert campaign.max_applications_per_organisation == 2 and campaign.categories == []


def test_new_as_a_copy_moves_the_dates_and_takes_the_rubric(staff_client, cast):
    source = finished_campaign(staff=cast.staff)
    response = staff_client.post(
        reverse("workspace:campaign_new"),
        {
            "title": "2026年昆山市优秀社工案例评选",
            "short_name": "ksal",
            "year": "2026",
            "source": "copy",
            "copy_from": str(source.pk),
            "shift_amount": "1",
            "shift_unit": "years",
        },
    )
    assert response.status_code == 302
    target = Campaign.objects.get(slug="2026-ksal")
    assert target.review_opens_at == source.review_opens_at.replace(year=2026)
    assert Criterion.objects.filter(campaign=target).count() == 5


def test_new_copy_without_a_source_says_so_beside_the_field_and_keeps_the_title(staff_client):
    response = staff_client.post(
        reverse("workspace:campaign_new"),
        {
            "title": "我输入的名称",
            "short_name": "2026",
            "year": "2026",
            "source": "copy",
            "shift_amount": "1",
            "shift_unit": "years",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["copy_from"] == ["请选择要复制的往年活动。"]
    assert errors["short_name"] == ["简称不能只有数字，请加上字母，如 ksal。"]
    assert 'value="我输入的名称"' in response.content.decode()
    assert not Campaign.objects.exists()


# --- Links to the other apps' pages and back ------------------------------------------------------------------


def test_review_awards_and_reminder_tabs_link_to_the_pages_that_edit_them(staff_client):
    campaign = CampaignFactory()
    slug = {"slug": campaign.slug}
    review = staff_client.get(reverse("workspace:review", kwargs=slug)).content.decode()
    for name in ("rubric", "pool", "assignments", "settings"):
        assert reverse(f"reviews:{name}", kwargs=slug) in review
    awards = staff_client.get(reverse("workspace:awards", kwargs=slug)).content.decode()
    assert reverse("awards:campaign", kwargs=slug) in awards
    reminders = staff_client.get(reverse("workspace:reminders", kwargs=slug)).content.decode()
    assert reverse("notifications:reminders") in reminders and "草稿未提交" in reminders


def test_those_pages_link_back_to_the_workspace(staff_client):
    campaign = CampaignFactory()
    slug = {"slug": campaign.slug}
    for url, back in (
        (reverse("reviews:rubric", kwargs=slug), reverse("workspace:review", kwargs=slug)),
        (reverse("reviews:settings", kwargs=slug), reverse("workspace:review", kwargs=slug)),
        (reverse("awards:campaign", kwargs=slug), reverse("workspace:awards", kwargs=slug)),
        (reverse("notifications:reminders"), reverse("workspace:reminders", kwargs=slug)),
    ):
        html = staff_client.get(url).content.decode()
        assert f'href="{back}"' in html and "返回工作台" in html, url


def test_review_tab_counts_the_panel_and_who_has_not_set_a_password_with_a_link_to_them(staff_client):
    campaign = CampaignFactory()
    PanelMemberFactory.create_batch(2, campaign=campaign)
    invited = PanelMemberFactory.create_batch(3, campaign=campaign)
    for member in invited:  # imported or invited, the link in the e-mail not used yet
        member.reviewer.set_unusable_password()
        member.reviewer.save()
    PanelMemberFactory(campaign=campaign, is_active=False).reviewer.set_unusable_password()
    html = staff_client.get(reverse("workspace:review", kwargs={"slug": campaign.slug})).content.decode()
    assert "评审组 6 人，其中参与本次评审 5 人" in html
    unset = reverse("reviews:pool", kwargs={"slug": campaign.slug}) + "?password=unset"
    assert f'href="{unset}" data-testid="review-password-unset">3 人尚未设置密码</a>' in html
    assert "参与评审的专家中有 3 人尚未通过邀请邮件设置密码，暂不能登录评审。" in html  # the checklist too


def test_the_phase_shown_follows_the_timeline_and_the_published_results(staff_client, cast):
    now = timezone.now()
    waiting = CampaignFactory(
        title="等待公示的评选",
        submission_opens_at=now - dt.timedelta(days=20),
        submission_closes_at=now - dt.timedelta(days=15),
        review_opens_at=now - dt.timedelta(days=10),
        review_closes_at=now - dt.timedelta(days=1),
        publicity_starts_at=now + dt.timedelta(days=2),
    )
    page = staff_client.get(reverse("workspace:campaign", kwargs={"slug": waiting.slug})).content.decode()
    assert 'data-testid="workspace-phase">待结果公示</span>' in page  # not 申报已截止
    done = finished_campaign(staff=cast.staff, year=timezone.localdate().year - 1)
    page = staff_client.get(reverse("workspace:campaign", kwargs={"slug": done.slug})).content.decode()
    assert 'data-testid="workspace-phase">已公布</span>' in page  # its results are out
    listing = staff_client.get(reverse("workspace:campaign_list")).content.decode()
    assert "<td>待结果公示</td>" in listing and "<td>已公布</td>" in listing


def test_the_rules_tab_links_to_the_form_the_materials_and_the_eligibility(staff_client):
    """申报材料 and 申报资格 were reachable only by typing their address: the rules tab links to them, with counts."""
    campaign = CampaignFactory(title="项目申报")
    html = staff_client.get(reverse("workspace:rules", kwargs={"slug": campaign.slug})).content.decode()
    for name in ("campaign_form", "campaign_materials", "campaign_eligibility"):
        assert f'href="{reverse(f"cases:{name}", kwargs={"slug": campaign.slug})}"' in html, name
    assert "申报材料（0 项）" in html and "申报资格（0 条）" in html


def test_the_materials_and_eligibility_pages_lead_back_to_the_workspace(staff_client):
    campaign = CampaignFactory(title="项目申报")
    back = f'href="{reverse("workspace:rules", kwargs={"slug": campaign.slug})}"'
    for name in ("campaign_materials", "campaign_eligibility"):
        html = staff_client.get(reverse(f"cases:{name}", kwargs={"slug": campaign.slug})).content.decode()
        assert back in html and "评选活动管理" in html, name
