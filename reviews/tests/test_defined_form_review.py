"""A campaign whose form is defined as data: blind reviewers never see the fields marked personal, staff see the
answers and the form's checklist on the formal-check page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Application
from cases.presets import preset_apply
from cases.tests.factories import project_answers
from reviews.selectors import formal_check_items
from reviews.tests.factories import ApplicationFactory, AssignmentFactory, review_window_campaign

pytestmark = pytest.mark.django_db


def project_campaign(**kwargs):
    campaign = review_window_campaign(**kwargs)
    preset_apply(campaign=campaign, key="project_call")
    for name, value in kwargs.items():
        setattr(campaign, name, value)
    campaign.save()
    return campaign


def project_application(cast, campaign, **answers):
    return ApplicationFactory(
        campaign=campaign,
        applicant=cast.applicant_a,
        organisation=cast.org_a,
        status=Application.Status.ACCEPTED,
        submitted_at=timezone.now() - dt.timedelta(days=12),
        category="",
        domain="",
        answers=project_answers(**answers),
        applicant_name="马晓燕",
        organisation_name="青铜峡市和乐社会工作服务中心",
        declaring_unit="青铜峡市和乐社会工作服务中心",
    )


def test_a_blind_reviewer_sees_the_answers_without_the_personal_fields(cast, client):
    campaign = project_campaign(blind_review=True)
    app = project_application(cast, campaign, goals="马晓燕带领青铜峡市和乐社会工作服务中心开展小组工作。")
    AssignmentFactory(application=app, reviewer=cast.reviewer)
    client.force_login(cast.reviewer)
    html = client.get(reverse("reviews:case", kwargs={"pk": app.pk})).content.decode()
    assert "申报项目包" in html and "老年社会工作服务项目" in html and "二、项目目标与服务内容" in html
    assert "开展小组工作" in html
    for value in ("马晓燕", "青铜峡市和乐社会工作服务中心", "13909511234", "李静", "申报机构名称", "项目负责人"):
        assert value not in html, value


def test_the_same_page_shows_the_personal_fields_when_the_review_is_not_blind(cast, client):
    campaign = project_campaign(blind_review=False)
    app = project_application(cast, campaign)
    AssignmentFactory(application=app, reviewer=cast.reviewer)
    client.force_login(cast.reviewer)
    html = client.get(reverse("reviews:case", kwargs={"pk": app.pk})).content.decode()
    assert "马晓燕" in html and "李静" in html


def test_the_formal_check_shows_the_answers_and_names_a_missing_required_field(cast, client):
    campaign = project_campaign()
    app = project_application(cast, campaign)
    app.status = Application.Status.SUBMITTED
    del app.answers["lot"]
    app.save()
    items = {item.label: item for item in formal_check_items(app)}
    assert items["申报表单填写完整"].ok is False and "申报项目包" in items["申报表单填写完整"].detail
    client.force_login(cast.staff)
    html = client.get(reverse("reviews:formal_check", kwargs={"slug": campaign.slug})).content.decode()
    assert f'data-testid="formal-check-answers-{app.pk}"' in html
    assert "10 万元" in html and "申报表单填写完整" in html


def test_the_blind_word_file_of_a_defined_form_names_no_one(cast, client):
    import io

    import docx

    campaign = project_campaign(blind_review=True)
    app = project_application(cast, campaign, goals="马晓燕带领团队开展小组工作。")
    AssignmentFactory(application=app, reviewer=cast.reviewer)
    client.force_login(cast.reviewer)
    response = client.get(reverse("reviews:case_docx", kwargs={"pk": app.pk}))
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "申报项目包" in text and "带领团队开展小组工作" in text
    for value in ("马晓燕", "青铜峡市和乐社会工作服务中心", "13909511234", "李静", "项目负责人"):
        assert value not in text, value


def test_the_ranking_of_a_project_call_speaks_of_projects_without_case_categories(cast, client):
    """A project call's ranking offered 案例类别 / 案例领域 filters and an empty 类别/领域 column, and counted 案例."""
    campaign = project_campaign()
    project_application(cast, campaign)
    client.force_login(cast.staff)
    html = client.get(reverse("reviews:ranking", kwargs={"slug": campaign.slug})).content.decode()
    assert "共 1 个项目" in html and "<th>项目</th>" in html
    assert 'id="f-category"' not in html and "类别/领域" not in html and "个案例" not in html
