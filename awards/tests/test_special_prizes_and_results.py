"""Special prizes (单项奖) beside a graded tier, and graded tiers that are results, not awards (评定结果).

A case may hold one graded tier and several special prizes: one award row each, one certificate each with
its own number. A tier marked "not an award" (整改) is published as a result: no certificate, never called
获奖, told with the no-award text, not counted by the statistics."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import AuditEvent
from awards import services
from awards.models import Award, Certificate, Objection, SpecialPrize
from awards.tests.factories import AwardFactory, ObjectionFactory, publicity_campaign
from insights import selectors as insights
from reviews.tests.factories import ApplicationFactory, review_window_campaign, tiers_set

pytestmark = pytest.mark.django_db


def _special(campaign, application, prize, by, **kw):
    return Award.objects.create(
        campaign=campaign,
        application=application,
        special_prize=prize,
        reason="服务模式有创新，可推广",
        rank=kw.pop("rank", 1),
        confirmed_by=by,
        confirmed_at=campaign.publicity_starts_at,
        **kw,
    )


@pytest.fixture
def finished(cast):
    """A campaign whose publicity ended: `first` holds 一等奖 and 项目创新奖; `fixme` is rated 整改 (a result)."""
    campaign = publicity_campaign(slug="jinjiang", open_now=False)
    tiers_set(
        campaign,
        [{"name": "一等奖", "by": "count", "value": 1}, {"name": "整改", "by": "count", "value": 9, "is_award": False}],
    )
    graded = AwardFactory(
        campaign=campaign,
        rank=1,
        tier="一等奖",
        application=ApplicationFactory(campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a),
    )
    result = AwardFactory(
        campaign=campaign,
        rank=2,
        tier="整改",
        application=ApplicationFactory(campaign=campaign, applicant=cast.applicant_b, organisation=cast.org_b),
    )
    prize = SpecialPrize.objects.create(campaign=campaign, name="项目创新奖", position=1)
    special = _special(campaign, graded.application, prize, cast.staff)
    return campaign, graded, special, result


def test_a_case_with_a_graded_tier_and_a_special_prize_gets_two_certificates_with_two_numbers(
    cast, finished, django_capture_on_commit_callbacks
):
    campaign, graded, special, result = finished
    with django_capture_on_commit_callbacks(execute=True):
        services.results_publish(campaign=campaign, by=cast.staff)
    certificates = Certificate.objects.filter(award__application=graded.application).select_related(
        "award__special_prize"
    )
    assert sorted(c.award.tier for c in certificates) == ["一等奖", "项目创新奖"]
    assert len({c.number for c in certificates}) == 2 and all(c.docx for c in certificates)
    assert not Certificate.objects.filter(award=result).exists()  # 整改: a result, no certificate


def test_a_result_that_is_not_an_award_is_refused_a_certificate(cast, finished):
    campaign, _graded, _special, result = finished
    from awards.tests.factories import publish_results

    publish_results(campaign, cast.staff)
    assert result.is_award is False and result.kind_label == "评定结果"
    with pytest.raises(ValidationError, match="评定结果，不属于奖项"):
        services.certificate_allocate(award=result)
    assert services.certificates_allocate(campaign=campaign) == 2  # the graded tier and the special prize


def test_publishing_tells_the_winner_both_awards_and_the_result_holder_the_no_award_text(
    cast, finished, django_capture_on_commit_callbacks
):
    campaign, graded, _special, result = finished
    with django_capture_on_commit_callbacks(execute=True):
        services.results_publish(campaign=campaign, by=cast.staff)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert len(mail.outbox) == 2  # one e-mail per case, not per award
    won = by_address[graded.application.applicant.email].body
    assert "评选结果：一等奖；项目创新奖（单项奖）" in won
    told = by_address[result.application.applicant.email].body
    assert "本次未获奖" in told and "评定结果：整改（不属于奖项）" in told


def test_the_results_page_lists_special_prizes_and_results_in_their_own_sections(client, cast, finished):
    campaign, graded, _special, result = finished
    services.results_publish(campaign=campaign, by=cast.staff)
    response = client.get(reverse("awards:results", kwargs={"slug": campaign.slug}))
    sections = {s["key"]: s for s in response.context["sections"]}
    assert [a.tier for a in sections[1]["awards"]] == ["一等奖"]
    assert [a.tier for a in sections[2]["awards"]] == ["项目创新奖"]
    assert [a.tier for a in sections[3]["awards"]] == ["整改"]
    html = response.content.decode()
    assert 'data-testid="special-prize-list"' in html and 'data-testid="result-list"' in html
    assert "评定结果（不属于奖项，不颁发证书）" in html


def test_the_word_list_names_the_special_prize_and_the_result():
    from awards import selectors

    campaign = publicity_campaign(slug="doc-rows", open_now=False)
    tiers_set(campaign, [{"name": "整改", "by": "count", "value": 9, "is_award": False}])
    award = AwardFactory(campaign=campaign, tier="整改")
    prize = SpecialPrize.objects.create(campaign=campaign, name="项目创新奖")
    _special(campaign, award.application, prize, award.confirmed_by)
    rows = selectors.public_rows(list(selectors.public_awards(campaign)))
    assert [r[-1] for r in rows] == ["项目创新奖（单项奖）", "整改（评定结果）"]


def test_the_applicant_sees_both_awards_and_the_result_holder_no_certificate(client, cast, finished):
    campaign, _graded, _special, _result = finished
    services.results_publish(campaign=campaign, by=cast.staff)
    services.certificates_allocate(campaign=campaign)
    client.force_login(cast.applicant_a)
    html = client.get(reverse("awards:my_results")).content.decode()
    assert "一等奖" in html and "单项奖：" in html and "项目创新奖" in html and html.count("荣誉证书 ") == 2
    client.force_login(cast.applicant_b)
    html = client.get(reverse("awards:my_results")).content.decode()
    assert 'data-testid="result-only"' in html and "不颁发荣誉证书" in html and "荣誉证书 " not in html


def test_an_application_holds_one_graded_award_only(cast, finished):
    campaign, graded, special, _result = finished
    with pytest.raises(IntegrityError), transaction.atomic():
        Award.objects.create(
            campaign=campaign,
            application=graded.application,
            rank=5,
            confirmed_by=cast.staff,
            confirmed_at=campaign.publicity_starts_at,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        _special(campaign, graded.application, special.special_prize, cast.staff)
    other = SpecialPrize.objects.create(campaign=campaign, name="最佳服务奖", position=2)
    _special(campaign, graded.application, other, cast.staff)  # several special prizes are fine
    assert graded.application.awards.count() == 3


@pytest.fixture
def before_publicity(cast):
    campaign = review_window_campaign(slug="prize-decision")
    application = ApplicationFactory(campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a)
    prize = SpecialPrize.objects.create(campaign=campaign, name="项目创新奖", position=1)
    return campaign, application, prize


def test_staff_give_a_special_prize_with_a_required_reason_audited_once(cast, before_publicity):
    _campaign, application, prize = before_publicity
    with pytest.raises(ValidationError, match="须填写理由"):
        services.special_prize_award(application=application, prize=prize, reason=" ", by=cast.staff)
    award = services.special_prize_award(application=application, prize=prize, reason="模式新颖", by=cast.staff)
    assert award.tier == "项目创新奖" and award.reason == "模式新颖" and award.is_award
    assert AuditEvent.objects.filter(detail="授予单项奖“项目创新奖”：模式新颖").exists()
    with pytest.raises(ValidationError, match="已获得"):
        services.special_prize_award(application=application, prize=prize, reason="再次", by=cast.staff)
    with pytest.raises(ValidationError, match="须填写理由"):
        services.special_prize_withdraw(award=award, reason="", by=cast.staff)
    services.special_prize_withdraw(award=award, reason="经复核不符合条件", by=cast.staff)
    assert not Award.objects.filter(pk=award.pk).exists()
    assert AuditEvent.objects.filter(detail="撤销单项奖“项目创新奖”：经复核不符合条件").exists()


def test_a_special_prize_cannot_be_given_once_the_publicity_started(cast, finished):
    campaign, _graded, _special, result = finished
    prize = SpecialPrize.objects.create(campaign=campaign, name="最佳服务奖")
    with pytest.raises(ValidationError, match="公示已开始"):
        services.special_prize_award(application=result.application, prize=prize, reason="迟到", by=cast.staff)


def test_the_ranking_page_gives_a_special_prize_and_a_missing_reason_is_answered_beside_the_field(
    client, cast, before_publicity
):
    campaign, application, prize = before_publicity
    client.force_login(cast.staff)
    ranking = client.get(reverse("reviews:ranking", kwargs={"slug": campaign.slug})).content.decode()
    assert reverse("awards:special_prize_award", kwargs={"pk": application.pk}) in ranking
    url = reverse("awards:special_prize_award", kwargs={"pk": application.pk})
    response = client.post(url, {"prize": prize.pk, "reason": ""})
    assert response.status_code == 400 and "授予单项奖须填写理由" in response.content.decode()
    assert not Award.objects.exists()
    response = client.post(url, {"prize": prize.pk, "reason": "社区共治模式新颖"})
    assert response.status_code == 302 and response["Location"].endswith(f"/manage/{campaign.slug}/ranking/")
    ranking = client.get(reverse("reviews:ranking", kwargs={"slug": campaign.slug})).content.decode()
    assert "社区共治模式新颖" in ranking


def test_objections_work_per_award_and_a_special_prize_can_be_withdrawn_but_not_regraded(cast, db):
    campaign = publicity_campaign(slug="objection-per-award")
    graded = AwardFactory(campaign=campaign, tier="一等奖")
    prize = SpecialPrize.objects.create(campaign=campaign, name="项目创新奖")
    special = _special(campaign, graded.application, prize, cast.staff)
    objection = ObjectionFactory(award=special)
    with pytest.raises(ValidationError, match="单项奖不能调整奖项等级"):
        services.objection_decide(
            objection=objection,
            upheld=True,
            outcome="change_tier",
            new_tier="二等奖",
            reply="经核实，该单项奖需要调整等级。",
            by=cast.staff,
        )
    services.objection_decide(
        objection=objection,
        upheld=True,
        outcome="withdraw",
        reply="经核实，创新点系抄袭，撤销该单项奖。",
        by=cast.staff,
    )
    special.refresh_from_db()
    graded.refresh_from_db()
    assert special.status == Award.Status.WITHDRAWN and graded.status == Award.Status.ACTIVE
    assert Objection.objects.get().status == Objection.Status.UPHELD


def test_the_statistics_never_count_a_result_as_an_award(cast, finished):
    campaign, _graded, _special, _result = finished
    figures = {f.key: f for f in insights.statistics_figures(insights.Filters(campaign=campaign))}
    assert dict((row[0], row[1]) for row in figures["funnel"].rows)["获奖"] == 1
    assert "整改" not in figures["tiers_domain"].columns
    assert {"一等奖", "项目创新奖"} <= set(figures["tiers_domain"].columns)


def _prize_post(rows):
    data = {"prizes-TOTAL_FORMS": str(len(rows)), "prizes-INITIAL_FORMS": "0", "prizes-MAX_NUM_FORMS": "50"}
    for i, row in enumerate(rows):
        data.update({f"prizes-{i}-{k}": v for k, v in row.items()})
    return data


def test_staff_set_special_prizes_as_rows_and_bad_rows_are_answered_beside_the_cell(client, cast, before_publicity):
    campaign, _application, prize = before_publicity
    client.force_login(cast.staff)
    url = reverse("awards:special_prizes", kwargs={"slug": campaign.slug})
    assert 'value="项目创新奖"' in client.get(url).content.decode()
    bad = [
        {"id": str(prize.pk), "ORDER": "1", "name": "项目创新奖", "description": ""},
        {"ORDER": "2", "name": "项目创新奖", "description": "重复"},
        {"ORDER": "3", "name": "", "description": "只有说明"},
    ]
    response = client.post(url, _prize_post(bad))
    assert response.status_code == 200
    forms = response.context["formset"].forms
    assert "重复" in forms[1].errors["name"][0] and "请填写单项奖名称" in forms[2].errors["name"][0]
    assert 'value="只有说明"' in response.content.decode()  # nothing typed is lost
    assert list(SpecialPrize.objects.filter(campaign=campaign).values_list("name", flat=True)) == ["项目创新奖"]
    good = [
        {"ORDER": "1", "name": "最佳服务奖", "description": "服务成效显著"},
        {"id": str(prize.pk), "ORDER": "2", "name": "项目创新奖", "description": "模式新颖"},
    ]
    assert client.post(url, _prize_post(good)).status_code == 302
    saved = SpecialPrize.objects.filter(campaign=campaign).order_by("position")
    assert [(p.name, p.position) for p in saved] == [("最佳服务奖", 1), ("项目创新奖", 2)]
    assert SpecialPrize.objects.get(name="项目创新奖").pk == prize.pk  # updated in place


def test_a_special_prize_already_given_cannot_be_deleted(client, cast, before_publicity):
    campaign, application, prize = before_publicity
    services.special_prize_award(application=application, prize=prize, reason="模式新颖", by=cast.staff)
    client.force_login(cast.staff)
    url = reverse("awards:special_prizes", kwargs={"slug": campaign.slug})
    rows = [{"id": str(prize.pk), "ORDER": "1", "name": "项目创新奖", "description": "", "DELETE": "on"}]
    response = client.post(url, _prize_post(rows))
    assert response.status_code == 200 and "已授予案例，不能删除" in response.content.decode()
    assert SpecialPrize.objects.filter(pk=prize.pk).exists()


def test_special_prizes_copy_gives_the_target_the_source_prizes(before_publicity):
    source, _application, _prize = before_publicity
    SpecialPrize.objects.create(campaign=source, name="最佳服务奖", description="成效显著", position=2)
    target = review_window_campaign(slug="prize-target")
    services.special_prizes_copy(source=source, target=target)
    got = SpecialPrize.objects.filter(campaign=target).order_by("position")
    assert [(p.name, p.description) for p in got] == [("项目创新奖", ""), ("最佳服务奖", "成效显著")]


# ---------------------------------------------------------------------------------------------- query counts


@pytest.mark.parametrize("n", [1, 5])
def test_the_special_prize_page_costs_the_same_for_one_and_five_prizes(client, cast, django_assert_num_queries, n):
    campaign = review_window_campaign(slug=f"prizes-{n}")
    for i in range(n):
        SpecialPrize.objects.create(campaign=campaign, name=f"单项奖{i}", position=i)
    client.force_login(cast.staff)
    with django_assert_num_queries(PRIZE_PAGE_QUERIES):
        assert client.get(reverse("awards:special_prizes", kwargs={"slug": campaign.slug})).status_code == 200


PRIZE_PAGE_QUERIES = 8  # session, user, navigation as on every staff page; the campaign; the prizes with counts


def _list_with(slug, cast, graded, specials, results):
    campaign = publicity_campaign(slug=slug, open_now=False)
    tiers_set(campaign, [{"name": "整改", "by": "count", "value": 99, "is_award": False}])
    prizes = [SpecialPrize.objects.create(campaign=campaign, name=f"单项奖{i}", position=i) for i in range(2)]
    awards = [AwardFactory(campaign=campaign, tier="一等奖") for _ in range(graded)]
    awards += [AwardFactory(campaign=campaign, tier="整改") for _ in range(results)]
    for i in range(specials):
        _special(campaign, awards[i % len(awards)].application, prizes[i % 2], cast.staff)
    return campaign


@pytest.mark.parametrize("url_name", ["awards:publicity", "awards:results"])
def test_the_public_lists_with_special_prizes_cost_the_same_at_two_sizes(
    client, cast, django_assert_num_queries, url_name
):
    small = _list_with(f"small-{url_name[7:]}", cast, graded=1, specials=1, results=1)
    large = _list_with(f"large-{url_name[7:]}", cast, graded=6, specials=4, results=5)
    for campaign in (small, large):
        services.results_publish(campaign=campaign, by=cast.staff) if url_name == "awards:results" else None
        with django_assert_num_queries(LIST_QUERIES):
            response = client.get(reverse(url_name, kwargs={"slug": campaign.slug}))
        assert response.status_code == 200 and len(response.context["sections"]) == 3


LIST_QUERIES = 3  # the campaign with its publicity settings, the list's count and its page (one query each)


def test_the_certificate_export_holds_one_certificate_per_award_and_skips_the_result(cast, finished):
    import zipfile

    from django.core.files.storage import default_storage

    from awards.models import CertificateExport
    from awards.tests.factories import publish_results

    campaign, graded, _special, result = finished
    publish_results(campaign, cast.staff)
    export = CertificateExport.objects.create(campaign=campaign, requested_by=cast.staff)
    assert services.certificate_export_run(export_id=export.pk) == CertificateExport.Status.DONE
    export.refresh_from_db()
    with default_storage.open(export.file.name, "rb") as f, zipfile.ZipFile(f) as z:
        names = z.namelist()
    numbers = {n.split("-" + graded.application.applicant_name)[0] for n in names}
    assert len(numbers) == 2  # 一等奖 and 项目创新奖, each its own number
    assert all(graded.application.applicant_name in n for n in names)
    assert not any(result.application.applicant_name in n for n in names)  # 整改: no certificate
