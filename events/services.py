"""Every write of the festival side: activity reports (活动报送) and their decisions."""

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from PIL import Image, ImageOps

from accounts.audit import audit_record
from accounts.models import AuditEvent, Organisation, User
from accounts.selectors import user_roles
from accounts.tabular import Column, Row
from accounts.validators import validate_credit_code
from cases.uploads import clean_photo
from kunshan_portal.public_cache import public_pages_changed
from notifications.email import email_send

from .models import Activity, ActivityReport, ActivityUnit, Festival, FestivalUnit, ReportPhoto, Role
from .rules import unit_organisation_ids

# An activity report's photos: fewer, lighter pictures than a case's (2 MB each there) — enough for a
# gallery and a news item, light enough to upload from a phone on site.
REPORT_PHOTOS_MIN = 3
REPORT_PHOTOS_MAX = 10
REPORT_PHOTO_MIN_BYTES = 100 * 1024
REPORT_PHOTO_MAX_BYTES = 20 * 1024 * 1024
THUMBNAIL_SIZE = (480, 360)


@dataclass(frozen=True)
class PhotoUpload:
    file: UploadedFile
    caption: str
    slot: int = 0  # which upload field it came from, so a refusal is shown beside that field


def photo_field_key(slot: int) -> str:
    return f"photo_{slot}"


def _thumbnail(photo: ContentFile) -> ContentFile:
    photo.seek(0)
    with Image.open(photo) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
        image.thumbnail(THUMBNAIL_SIZE)
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=82)
    photo.seek(0)
    return ContentFile(out.getvalue(), name="thumb.jpg")


def _clean_photos(photos: list[PhotoUpload]) -> list[tuple[ContentFile, str]]:
    """The case submission's own photo check and re-encoding (cases.uploads.clean_photo, metadata stripped),
    with the report's limits. Everything is checked before anything is written, so a refusal leaves no file."""
    if not REPORT_PHOTOS_MIN <= len(photos) <= REPORT_PHOTOS_MAX:
        raise ValidationError(f"请上传 {REPORT_PHOTOS_MIN}—{REPORT_PHOTOS_MAX} 张活动照片，现有 {len(photos)} 张。")
    cleaned, errors = [], {}
    for photo in photos:
        if not photo.caption.strip():
            errors[photo_field_key(photo.slot)] = ["请填写这张照片的说明。"]
            continue
        try:
            file = clean_photo(photo.file, min_bytes=REPORT_PHOTO_MIN_BYTES, max_bytes=REPORT_PHOTO_MAX_BYTES)
        except ValidationError as error:
            errors[photo_field_key(photo.slot)] = error.messages
            continue
        cleaned.append((file, photo.caption.strip()[:100]))
    if errors:
        raise ValidationError(errors)
    return cleaned


def _store_photos(report: ActivityReport, photos: list[tuple[ContentFile, str]]) -> None:
    for position, (file, caption) in enumerate(photos):
        item = ReportPhoto(report=report, caption=caption, position=position)
        item.thumbnail.save("thumb.jpg", _thumbnail(file), save=False)
        item.image.save(file.name, file, save=False)
        item.save()


def _check_fields(report: ActivityReport) -> None:
    if report.held_on < timezone.localdate(report.activity.starts_at):
        raise ValidationError({"held_on": "活动日期不能早于活动开始日期。"})
    if report.held_on > timezone.localdate():
        raise ValidationError({"held_on": "活动日期不能晚于今天：请在活动举办后报送。"})
    report.full_clean(exclude=["activity", "organisation", "submitted_by"])


@transaction.atomic
def report_submit(
    *,
    activity: Activity,
    organisation: Organisation,
    user: User,
    held_on,
    participants: int,
    summary: str,
    photos: list[PhotoUpload],
    request=None,
) -> ActivityReport:
    """A user of one of the activity's organising units files its report (待审核) with 3–10 photos.
    Audited as activity_report; staff see it in their queue."""
    if organisation.pk not in user_roles(user).member_org_ids:
        raise ValidationError("您不是该单位的成员，不能代其报送。")
    if organisation.pk not in unit_organisation_ids(activity):
        raise ValidationError("该单位不是这项活动的组织单位。")
    report = ActivityReport(
        activity=activity,
        organisation=organisation,
        submitted_by=user,
        held_on=held_on,
        participants=participants,
        summary=summary.strip(),
    )
    _check_fields(report)
    cleaned = _clean_photos(photos)
    report.save()
    _store_photos(report, cleaned)
    audit_record(kind=AuditEvent.Kind.ACTIVITY_REPORT, request=request, user=user, obj=report, detail="报送")
    return report


@transaction.atomic
def report_update(
    *,
    report: ActivityReport,
    user: User,
    held_on,
    participants: int,
    summary: str,
    photos: list[PhotoUpload] | None,
    request=None,
) -> ActivityReport:
    """The unit edits a report not yet accepted; a returned report goes back to 待审核. New photos, when
    given, replace the old set."""
    report = ActivityReport.objects.select_for_update().select_related("activity").get(pk=report.pk)
    if not report.is_editable:
        raise ValidationError("该报送已采用，不能再修改。")
    if report.organisation_id not in user_roles(user).member_org_ids:
        raise ValidationError("您不是该单位的成员，不能修改其报送。")
    report.held_on, report.participants, report.summary = held_on, participants, summary.strip()
    report.status = ActivityReport.Status.SUBMITTED
    _check_fields(report)
    cleaned = _clean_photos(photos) if photos else None
    report.save()
    if cleaned:
        for old in report.photos.all():
            old.image.delete(save=False)
            old.thumbnail.delete(save=False)
        report.photos.all().delete()
        _store_photos(report, cleaned)
    audit_record(kind=AuditEvent.Kind.ACTIVITY_REPORT, request=request, user=user, obj=report, detail="修改后重新报送")
    return report


def _decide(*, report: ActivityReport, by: User, status: str, reason: str) -> ActivityReport:
    updated = ActivityReport.objects.filter(pk=report.pk, status=ActivityReport.Status.SUBMITTED).update(
        status=status, return_reason=reason, decided_by=by, decided_at=timezone.now()
    )
    if updated != 1:
        raise ValidationError("该报送已处理过或已被修改，请刷新页面。")
    report.refresh_from_db()
    return report


@transaction.atomic
def report_accept(*, report: ActivityReport, by: User, request=None) -> ActivityReport:
    """Staff accept a report: its photos join the activity page's gallery. The filer is told by e-mail."""
    report = _decide(report=report, by=by, status=ActivityReport.Status.ACCEPTED, reason="")
    audit_record(kind=AuditEvent.Kind.ACTIVITY_REPORT, request=request, user=by, obj=report, detail="采用")
    public_pages_changed(festival=report.activity.festival)  # the home page and the festival show its photos
    email_send(
        to=[report.submitted_by.email],
        subject=f"活动报送已采用：{report.activity.title}",
        template="events/email/report_accepted.txt",
        context={"report": report},
    )
    return report


@transaction.atomic
def report_return(*, report: ActivityReport, by: User, reason: str, request=None) -> ActivityReport:
    """Staff send a report back with a reason; the filer is told by e-mail and may edit and resubmit."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "请填写退回原因。"})
    report = _decide(report=report, by=by, status=ActivityReport.Status.RETURNED, reason=reason[:500])
    audit_record(kind=AuditEvent.Kind.ACTIVITY_REPORT, request=request, user=by, obj=report, detail=f"退回：{reason}")
    email_send(
        to=[report.submitted_by.email],
        subject=f"活动报送被退回：{report.activity.title}",
        template="events/email/report_returned.txt",
        context={"report": report},
    )
    return report


# --- 组织单位: imported once per festival, reused for each activity ------------------------------------

FESTIVAL_UNIT_COLUMNS = [
    Column(
        "name", "单位名称", ("名称", "组织单位"), "昆山市社会工作协会", help="已在门户登记的机构可只填统一社会信用代码"
    ),
    Column(
        "role",
        "角色",
        ("单位角色", "类别"),
        Role.ORGANISER.label,
        required=True,
        help="可填：" + "、".join(Role.labels),
    ),
    Column("credit_code", "统一社会信用代码", ("信用代码",), "", help="已在门户登记的机构填写，关联到该机构"),
    Column("contact", "联系人及电话", ("联系人", "联系方式"), "王老师 0512-57000000"),
]


def _role_of(text: str) -> str | None:
    text = text.strip().removesuffix("单位")
    for value, label in Role.choices:
        if text in (value, label):
            return value
    return None


def festival_units_import_check(*, rows: list[Row], festival: Festival) -> None:
    """Check every row of a festival's unit import, writing nothing: a name or a registered credit code, a
    known role, no unit twice in the file or already among the festival's units."""
    codes = {r.get("credit_code").strip().upper() for r in rows} - {""}
    organisations = {o.credit_code: o for o in Organisation.objects.filter(credit_code__in=codes)}
    existing = {(u.organisation_id, u.name.strip()) for u in festival.units.all()}
    existing_names = {name for _org, name in existing if name}
    existing_orgs = {org for org, _name in existing if org}
    first_line: dict[str, int] = {}
    for row in rows:
        errors = row.errors = []
        name = row.get("name").strip()
        code = row.get("credit_code").strip().upper()
        organisation = None
        if code:
            try:
                validate_credit_code(code)
            except ValidationError as error:
                errors.append(error.messages[0].rstrip("。"))
            else:
                organisation = organisations.get(code)
                if organisation is None:
                    errors.append(f"未找到统一社会信用代码为 {code} 的机构")
        if not name and not code:
            errors.append("缺少单位名称")
        if len(name) > 200:
            errors.append("单位名称不能超过 200 个字")
        if not row.get("role").strip():
            errors.append("缺少角色")
        elif _role_of(row.get("role")) is None:
            errors.append(f"角色“{row.get('role')}”不正确（可选：{'、'.join(Role.labels)}）")
        if len(row.get("contact").strip()) > 100:
            errors.append("联系人及电话不能超过 100 个字")
        identity = f"org:{organisation.pk}" if organisation else f"name:{name}"
        first = first_line.setdefault(identity, row.number)
        if first != row.number:
            errors.append(f"与第 {first} 行是同一单位")
        if (organisation and organisation.pk in existing_orgs) or (name and name in existing_names):
            errors.append("已是本社工节的组织单位")


@transaction.atomic
def festival_units_import(*, rows: list[Row], festival: Festival, by: User, request=None) -> int:
    """Add the festival's organising units from a checked file, after the units it has: all rows or none.
    Audited; the festival's public pages are refreshed. Returns the number added."""
    Festival.objects.select_for_update().filter(pk=festival.pk).first()  # one import at a time per festival
    festival_units_import_check(rows=rows, festival=festival)
    bad = [r for r in rows if r.errors]
    if bad:
        raise ValidationError([f"第 {r.number} 行：{'；'.join(r.errors)}" for r in bad])
    codes = {r.get("credit_code").strip().upper() for r in rows} - {""}
    organisations = {o.credit_code: o for o in Organisation.objects.filter(credit_code__in=codes)}
    start = (festival.units.aggregate(m=Max("position"))["m"] or 0) + 1
    units = []
    for offset, row in enumerate(rows):
        unit = FestivalUnit(
            festival=festival,
            role=_role_of(row.get("role")),
            organisation=organisations.get(row.get("credit_code").strip().upper()),
            name=row.get("name").strip(),
            contact=row.get("contact").strip(),
            position=start + offset,
        )
        unit.full_clean()
        units.append(unit)
    FestivalUnit.objects.bulk_create(units)
    audit_record(
        kind=AuditEvent.Kind.OTHER, request=request, user=by, obj=festival, detail=f"导入组织单位 {len(units)} 个"
    )
    public_pages_changed(festival=festival)
    return len(units)


@transaction.atomic
def activity_units_from_festival(*, activity: Activity, unit_ids: list[int], by: User, request=None) -> int:
    """Give an activity some of its festival's organising units (role, organisation and name copied), skipping
    those it already has. Audited. Returns the number added."""
    chosen = list(FestivalUnit.objects.filter(festival=activity.festival_id, pk__in=unit_ids).order_by("position"))
    if not chosen:
        raise ValidationError("请勾选要添加的组织单位。")
    have = {(u.organisation_id, u.name, u.role) for u in activity.units.all()}
    start = (activity.units.aggregate(m=Max("position"))["m"] or 0) + 1
    new = [
        ActivityUnit(activity=activity, role=u.role, organisation=u.organisation, name=u.name)
        for u in chosen
        if (u.organisation_id, u.name, u.role) not in have
    ]
    for offset, unit in enumerate(new):
        unit.position = start + offset
    ActivityUnit.objects.bulk_create(new)
    audit_record(
        kind=AuditEvent.Kind.OTHER,
        request=request,
        user=by,
        obj=activity,
        detail=f"从社工节组织单位添加 {len(new)} 个：{'、'.join(u.display_name for u in new)}"[:500],
    )
    public_pages_changed(festival=activity.festival)
    return len(new)
