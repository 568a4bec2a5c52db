import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.db import models

from accounts.models import AuditEvent
from awards.models import Award, Certificate, CertificateTemplate, Objection, Publicity
from cases.models import Application, Campaign
from notifications.models import ReminderRule
from reviews.models import Criterion, PanelMember, ReviewSettings, TierRule
from workspace import copying
from workspace.copying import campaign_copy, shift_make

from .factories import PNG, finished_campaign

pytestmark = pytest.mark.django_db


ONE_YEAR = relativedelta(years=1)


def _copy(source, staff, shift=ONE_YEAR, slug="2026-ksyxsgalpx"):
    return campaign_copy(source=source, title="2026年昆山市优秀社工案例评选", slug=slug, shift=shift, by=staff)


def _date_fields():
    return [f.name for f in Campaign._meta.concrete_fields if isinstance(f, models.DateField)]


def test_copy_moves_every_date_of_the_campaign_by_one_year(cast):
    source = finished_campaign(staff=cast.staff)
    target = _copy(source, cast.staff)
    moved = [name for name in _date_fields() if name != "created_at"]
    assert {"announced_on", "recommendation_closes_at", "formal_check_closes_at", "ceremony_at"} <= set(moved)
    for name in moved:
        assert getattr(target, name) == getattr(source, name) + relativedelta(years=1), name
    assert target.submission_closes_at.second == 59  # to the second, as the source


def test_copy_by_days_moves_every_date_by_that_many_days(cast):
    source = finished_campaign(staff=cast.staff)
    target = _copy(source, cast.staff, shift=shift_make(amount=364, unit="days"))
    assert target.review_opens_at - source.review_opens_at == dt.timedelta(days=364)
    assert target.announced_on - source.announced_on == dt.timedelta(days=364)


def test_copy_takes_the_rules_and_resets_the_reference_counter(cast):
    source = finished_campaign(staff=cast.staff)
    target = _copy(source, cast.staff)
    for name in (
        "domains",
        "categories",
        "body_min_chars",
        "photos_max",
        "max_applications_per_organisation",
        "blind_review",
        "reference_prefix",
        "contact",
        "description",
    ):
        assert getattr(target, name) == getattr(source, name), name
    assert target.reference_counter == 0
    assert not target.is_published and target.festival is None
    assert (target.title, target.slug) == ("2026年昆山市优秀社工案例评选", "2026-ksyxsgalpx")


def test_copy_duplicates_nothing_of_the_results(cast):
    source = finished_campaign(staff=cast.staff)
    before = {m: m.objects.count() for m in (Application, Award, Certificate, Objection)}
    target = _copy(source, cast.staff)
    for model in (Application, Award, Certificate, Objection):
        assert model.objects.count() == before[model], model
        assert not model.objects.filter(campaign=target).exists(), model
    publicity = Publicity.objects.get(campaign=target)
    assert publicity.results_published_at is None and publicity.override == "auto"
    assert (publicity.how_to_object, publicity.no_award_message) == ("请实名书面提出异议，并附联系电话。", "感谢参与。")
    settings_row = ReviewSettings.objects.get(campaign=target)
    assert settings_row.decision_confirmed_at is None and settings_row.decision_confirmed_by is None
    tier_rows = ("position", "name", "by", "value", "is_award")
    assert list(TierRule.objects.filter(campaign=target).order_by("position").values_list(*tier_rows)) == list(
        TierRule.objects.filter(campaign=source).order_by("position").values_list(*tier_rows)
    )
    assert (settings_row.reviewers_per_application, settings_row.ranking_method) == (2, "median")


def test_copy_maps_the_criterion_tree_to_new_rows(cast):
    source = finished_campaign(staff=cast.staff)
    target = _copy(source, cast.staff)

    def paths(campaign):
        rows = {c.pk: c for c in Criterion.objects.filter(campaign=campaign)}
        out = set()
        for c in rows.values():
            path, node = [], c
            while node is not None:
                path.insert(0, node.name)
                node = rows.get(node.parent_id) if node.parent_id else None
                assert node is None or node.campaign_id == campaign.pk
            out.add((tuple(path), c.max_points, c.position))
        return out

    assert paths(target) == paths(source)
    assert len(paths(target)) == 5
    new_rows = Criterion.objects.filter(campaign=target)
    assert not new_rows.filter(parent__campaign=source).exists()
    assert not set(new_rows.values_list("pk", flat=True)) & set(
        Criterion.objects.filter(campaign=source).values_list("pk", flat=True)
    )


def test_copy_takes_the_panel_and_the_reminder_rules(cast):
    source = finished_campaign(staff=cast.staff)
    target = _copy(source, cast.staff)

    def panel(c):
        return set(PanelMember.objects.filter(campaign=c).values_list("reviewer_id", "is_active"))

    def rules(c):
        return set(ReminderRule.objects.filter(campaign=c).values_list("kind", "days_before", "at_time", "is_active"))

    assert panel(target) == panel(source) and len(panel(target)) == 2
    assert rules(target) == rules(source) and len(rules(target)) == 2


def test_copy_takes_the_certificate_template_with_its_images_as_new_files(cast, media_storage):
    source = finished_campaign(staff=cast.staff, with_images=True)
    target = _copy(source, cast.staff)
    old, new = CertificateTemplate.objects.get(campaign=source), CertificateTemplate.objects.get(campaign=target)
    assert (new.title, new.body, new.issuer, new.number_prefix) == (old.title, old.body, old.issuer, old.number_prefix)
    assert new.issued_on == dt.date(2026, 4, 20)
    for name in ("background", "seal"):
        assert getattr(new, name).name != getattr(old, name).name
        assert f"certificates/{target.pk}/" in getattr(new, name).name
        with getattr(new, name).open("rb") as handle:
            assert handle.read() == PNG


def test_copy_is_audited(cast):
    source = finished_campaign(staff=cast.staff)
    target = _copy(source, cast.staff)
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ADMIN_ADD, object_id=str(target.pk))
    assert event.user == cast.staff and source.slug in event.detail and "1 年" in event.detail


def test_a_failing_step_leaves_nothing_half_copied(cast, monkeypatch):
    source = finished_campaign(staff=cast.staff)
    campaigns, criteria = Campaign.objects.count(), Criterion.objects.count()

    def broken(**kwargs):
        raise RuntimeError("step failed")

    monkeypatch.setattr(copying, "COPY_STEPS", [*copying.COPY_STEPS[:2], broken])
    with pytest.raises(RuntimeError):
        _copy(source, cast.staff)
    assert (Campaign.objects.count(), Criterion.objects.count()) == (campaigns, criteria)
