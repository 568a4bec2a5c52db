import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from events import services
from events.models import ActivityReport
from events.tests.factories import ActivityFactory, ActivityUnitFactory, photo_bytes


def jpeg(n=0, min_kb=120):
    return SimpleUploadedFile(f"现场{n}.jpg", photo_bytes(min_kb=min_kb, seed=n), content_type="image/jpeg")


def uploads(count, **kw):
    return [services.PhotoUpload(file=jpeg(i, **kw), caption=f"活动现场{i}") for i in range(count)]


@pytest.fixture
def activity(cast):
    activity = ActivityFactory(title="社区项目团队响应社工节")
    ActivityUnitFactory(activity=activity, organisation=cast.org_a)
    return activity


def submit(activity, cast, photos):
    return services.report_submit(
        activity=activity,
        organisation=cast.org_a,
        user=cast.applicant_a,
        held_on=timezone.localdate(),
        participants=35,
        summary="在社区开展社工知识竞赛。",
        photos=photos,
    )


@pytest.mark.django_db
def test_a_unit_user_files_a_report_with_photos_and_thumbnails(activity, cast):
    report = submit(activity, cast, uploads(3))

    assert report.status == ActivityReport.Status.SUBMITTED
    photos = list(report.photos.all())
    assert [p.caption for p in photos] == ["活动现场0", "活动现场1", "活动现场2"]
    assert all(p.width > 0 and p.thumbnail.name for p in photos)
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ACTIVITY_REPORT, object_id=str(report.pk)).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 11])
def test_fewer_than_three_or_more_than_ten_photos_are_refused(activity, cast, count):
    with pytest.raises(ValidationError, match="3—10 张"):
        submit(activity, cast, uploads(count, min_kb=100))
    assert not ActivityReport.objects.exists()


@pytest.mark.django_db
def test_a_photo_under_100_kb_is_refused_by_the_case_photo_check(activity, cast):
    small = SimpleUploadedFile("small.jpg", photo_bytes(min_kb=1, size=(40, 30)), content_type="image/jpeg")
    photos = uploads(2) + [services.PhotoUpload(file=small, caption="太小")]
    with pytest.raises(ValidationError):
        submit(activity, cast, photos)
    assert not ActivityReport.objects.exists()


@pytest.mark.django_db
def test_stored_photos_are_re_encoded_by_the_case_photo_code_without_their_exif(activity, cast):
    from io import BytesIO

    from PIL import Image

    source = Image.open(BytesIO(photo_bytes(min_kb=120)))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    out = BytesIO()
    source.save(out, format="JPEG", quality=95, exif=exif.tobytes())
    assert Image.open(BytesIO(out.getvalue())).getexif()
    with_exif = SimpleUploadedFile("gps.jpg", out.getvalue(), content_type="image/jpeg")

    report = submit(activity, cast, uploads(2) + [services.PhotoUpload(file=with_exif, caption="带定位信息")])

    stored = report.photos.get(caption="带定位信息")
    with stored.image.open("rb") as f:
        assert not Image.open(f).getexif()


@pytest.mark.django_db
def test_a_user_of_another_organisation_cannot_file_for_the_unit(activity, cast):
    with pytest.raises(ValidationError, match="不是该单位的成员"):
        services.report_submit(
            activity=activity,
            organisation=cast.org_a,
            user=cast.applicant_b,
            held_on=timezone.localdate(),
            participants=1,
            summary="x",
            photos=uploads(3),
        )


@pytest.mark.django_db
def test_a_report_dated_before_the_activity_is_refused(activity, cast):
    with pytest.raises(ValidationError) as error:
        services.report_submit(
            activity=activity,
            organisation=cast.org_a,
            user=cast.applicant_a,
            held_on=timezone.localdate(activity.starts_at) - dt.timedelta(days=1),
            participants=1,
            summary="x",
            photos=uploads(3),
        )
    assert "held_on" in error.value.error_dict


@pytest.mark.django_db
def test_accepting_a_report_mails_the_filer_and_puts_its_photos_in_the_public_gallery(
    client, activity, cast, django_capture_on_commit_callbacks
):
    report = submit(activity, cast, uploads(3))
    page = client.get(activity.get_absolute_url())
    assert page.context["gallery"] == []

    with django_capture_on_commit_callbacks(execute=True):
        services.report_accept(report=report, by=cast.staff)

    assert mail.outbox[-1].to == [cast.applicant_a.email] and "已采用" in mail.outbox[-1].subject
    gallery = client.get(activity.get_absolute_url()).context["gallery"]
    assert [r.pk for r in gallery] == [report.pk]
    photo = report.photos.first()
    assert client.get(reverse("events:report_photo", kwargs={"pk": photo.pk, "size": "full"})).status_code == 200


@pytest.mark.django_db
def test_a_returned_report_carries_the_reason_by_mail_and_can_be_edited_and_resubmitted(
    activity, cast, django_capture_on_commit_callbacks
):
    report = submit(activity, cast, uploads(3))
    with django_capture_on_commit_callbacks(execute=True):
        services.report_return(report=report, by=cast.staff, reason="照片不够清晰，请补充活动全景。")

    assert "照片不够清晰" in mail.outbox[-1].body
    report.refresh_from_db()
    assert report.status == ActivityReport.Status.RETURNED
    services.report_update(
        report=report,
        user=cast.org_admin,
        held_on=report.held_on,
        participants=50,
        summary="补充后的简介",
        photos=uploads(4),
    )
    report.refresh_from_db()
    assert (report.status, report.participants, report.photos.count()) == (ActivityReport.Status.SUBMITTED, 50, 4)


@pytest.mark.django_db
def test_a_report_is_decided_only_once(activity, cast):
    report = submit(activity, cast, uploads(3))
    services.report_accept(report=report, by=cast.staff)
    with pytest.raises(ValidationError, match="已处理过"):
        services.report_return(report=report, by=cast.staff, reason="迟到的退回")


@pytest.mark.django_db
def test_returning_without_a_reason_is_refused(activity, cast):
    report = submit(activity, cast, uploads(3))
    with pytest.raises(ValidationError):
        services.report_return(report=report, by=cast.staff, reason="  ")


@pytest.mark.django_db
def test_the_form_shows_the_photo_error_beside_the_field_and_keeps_the_text(client, activity, cast):
    client.force_login(cast.applicant_a)
    small = SimpleUploadedFile("small.jpg", photo_bytes(min_kb=1, size=(40, 30)), content_type="image/jpeg")
    data = {
        "organisation": cast.org_a.pk,
        "held_on": timezone.localdate().isoformat(),
        "participants": 30,
        "summary": "保留这段简介",
        "photos-TOTAL_FORMS": 10,
        "photos-INITIAL_FORMS": 0,
        "photos-0-image": jpeg(0),
        "photos-0-caption": "第一张",
        "photos-1-image": small,
        "photos-1-caption": "太小的照片",
        "photos-2-image": jpeg(2),
        "photos-2-caption": "第三张",
    }
    response = client.post(reverse("events:report_create", kwargs={"pk": activity.pk}), data)

    assert response.status_code == 200
    forms = response.context["formset"].forms
    assert "太小" in forms[1].errors["image"][0] and not forms[0].errors
    assert "保留这段简介" in response.content.decode() and "太小的照片" in response.content.decode()
    assert not ActivityReport.objects.exists()


@pytest.mark.django_db
def test_filing_through_the_form_then_staff_accept_through_the_portal(client, activity, cast):
    client.force_login(cast.applicant_a)
    data = {
        "organisation": cast.org_a.pk,
        "held_on": timezone.localdate().isoformat(),
        "participants": 30,
        "summary": "社区知识竞赛",
        "photos-TOTAL_FORMS": 10,
        "photos-INITIAL_FORMS": 0,
    }
    for i in range(3):
        data[f"photos-{i}-image"] = jpeg(i)
        data[f"photos-{i}-caption"] = f"第{i}张"
    response = client.post(reverse("events:report_create", kwargs={"pk": activity.pk}), data)
    report = ActivityReport.objects.get()
    assert response.status_code == 302

    client.force_login(cast.staff)
    client.post(reverse("events:report_decide", kwargs={"pk": report.pk}), {"decision": "accept"})
    report.refresh_from_db()
    assert report.status == ActivityReport.Status.ACCEPTED and report.decided_by == cast.staff


@pytest.mark.django_db
def test_photos_of_an_unaccepted_report_are_hidden_from_the_public(client, activity, cast):
    report = submit(activity, cast, uploads(3))
    url = reverse("events:report_photo", kwargs={"pk": report.photos.first().pk, "size": "thumb"})
    assert client.get(url).status_code == 404
    client.force_login(cast.org_admin)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_script_in_a_report_summary_and_captions_is_escaped_in_the_gallery(client, activity, cast):
    script = "<script>alert(1)</script>"
    report = services.report_submit(
        activity=activity,
        organisation=cast.org_a,
        user=cast.applicant_a,
        held_on=timezone.localdate(),
        participants=3,
        summary=f"简介{script}",
        photos=[services.PhotoUpload(file=jpeg(i), caption=f"说明{script}") for i in range(3)],
    )
    services.report_accept(report=report, by=cast.staff)

    page = client.get(activity.get_absolute_url()).content.decode()
    assert script not in page
    assert "简介&lt;script&gt;" in page and "说明&lt;script&gt;" in page


@pytest.mark.django_db
def test_a_report_can_be_filed_from_the_moment_the_activity_starts(cast):
    import time_machine

    start = timezone.now() + dt.timedelta(days=2)
    activity = ActivityFactory(starts_at=start, ends_at=start + dt.timedelta(hours=2))
    ActivityUnitFactory(activity=activity, organisation=cast.org_a)
    with time_machine.travel(start - dt.timedelta(seconds=1), tick=False):
        assert not cast.applicant_a.has_perm("events.report_activity", activity)
    with time_machine.travel(start, tick=False):
        assert cast.applicant_a.has_perm("events.report_activity", activity)
