"""Every write about applications (申报案例): drafts, uploads, submit, withdraw, recommendation.

Drafts never lose work: a draft save accepts missing and even badly formatted fields (they are
reported, not refused); only a stale version is refused. The checks that block are run at submit.
"""

import datetime as dt
import io
import logging
import re
import tempfile
from pathlib import PurePath
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from accounts.audit import audit_record, audit_record_throttled
from accounts.client import client_ip
from accounts.models import AuditEvent, User
from accounts.selectors import user_roles
from kunshan_portal.celery import enqueue
from kunshan_portal.public_cache import public_pages_changed
from notifications.email import email_send
from notifications.jobs import JobFailed, JobSuperseded, job_active, job_prune_older_files, job_queue, job_run

from .eligibility import application_eligibility_problems
from .materials import application_material_problems
from .models import (
    SECTIONS,
    Application,
    Campaign,
    CaseAttachment,
    CaseExport,
    CasePhoto,
    EligibilityRule,
    Endorsement,
    MaterialSlot,
    ReportLink,
    TeamMember,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
logger = logging.getLogger(__name__)

# Fields of the form a draft save may write (the six sections included).
FORM_FIELDS = (
    "title",
    "period_start",
    "period_end",
    "declaring_unit",
    "organisation_name",
    "applicant_name",
    "phone",
    "email",
    "qq",
    "category",
    "domain",
    *[name for name, _ in SECTIONS],
)
REQUIRED_AT_SUBMIT = (
    "title",
    "period_start",
    "period_end",
    "declaring_unit",
    "organisation_name",
    "applicant_name",
    "phone",
    "email",
    "category",
    "domain",
)
TEAM_FIELDS = (
    "name",
    "gender",
    "age",
    "education",
    "unit_and_title",
    "years_in_social_work",
    "certificate_level",
    "contact",
)
TEAM_MAX = 10

PHONE_RE = re.compile(r"^(?:\+?86)?(?:1[3-9]\d{9}|0\d{2,3}\d{7,8}(?:\d{1,6})?)$")
QQ_RE = re.compile(r"^[1-9]\d{4,10}$")
CONFLICT_MESSAGE = (
    "保存失败：这份草稿已在其他窗口或设备上保存过（当前为第 {current} 版，您编辑的是第 {yours} 版）。"
    "为避免覆盖，本次未保存。请复制您刚写的内容，刷新页面后再粘贴保存。"
)


class StaleVersion(ValidationError):
    """A save based on an old version of the draft: refused, never a silent overwrite."""

    def __init__(self, *, current: int, yours: int):
        super().__init__(CONFLICT_MESSAGE.format(current=current, yours=yours), code="stale")
        self.current = current


# --- Checks (pure: they read the application and counts, they write nothing) -----------------


def _phone_ok(value: str) -> bool:
    return bool(PHONE_RE.match(re.sub(r"[\s\-()（）]", "", value)))


def application_problems(
    application: Application, *, final: bool, photo_count: int | None = None, team_count: int | None = None
) -> dict[str, list[str]]:
    """Messages by field name ("body_length", "team", "photos" for the rest). Format and date checks
    always; what is missing only when `final` (at submit)."""
    campaign = application.campaign
    if campaign.uses_defined_form:
        return defined_form_problems(application, final=final, photo_count=photo_count)
    problems: dict[str, list[str]] = {}

    def add(field, message):
        problems.setdefault(field, []).append(message)

    a = application
    if a.phone and not _phone_ok(a.phone):
        add("phone", "请填写正确的电话号码，如 13912345678 或 0512-57501234。")
    if a.email:
        try:
            validate_email(a.email)
        except ValidationError:
            add("email", "请填写正确的电子邮箱地址。")
    if a.qq and not QQ_RE.match(a.qq):
        add("qq", "QQ 号应为 5—11 位数字。")
    if a.period_start and a.period_start < campaign.case_period_start:
        add("period_start", f"案例开始时间不能早于 {campaign.case_period_start:%Y年%m月%d日}。")
    if a.period_end and a.period_end > campaign.case_period_end:
        add("period_end", f"案例结束时间不能晚于 {campaign.case_period_end:%Y年%m月%d日}。")
    if a.period_start and a.period_end and a.period_end < a.period_start:
        add("period_end", "案例结束时间不能早于开始时间。")
    if a.category and a.category not in campaign.categories:
        add("category", "本次评选不接受该案例类别。")
    if a.domain and a.domain not in campaign.domains:
        add("domain", "请从列表中选择案例领域。")
    if not final:
        return problems

    for name in REQUIRED_AT_SUBMIT:
        if not getattr(a, name):
            add(name, "提交前请填写此项。")
    for name, heading in SECTIONS:
        if not getattr(a, name).strip():
            add(name, f"{heading}不能为空。")
    length = a.body_length()
    if campaign.body_limits_are_hard and not campaign.body_min_chars <= length <= campaign.body_max_chars:
        add(
            "body_length",
            f"正文共 {length} 字，本次评选要求 {campaign.body_min_chars}—{campaign.body_max_chars} 字。",
        )
    if team_count is None:
        team_count = a.team_members.count()
    if team_count < 1:
        add("team", "请至少填写一名实施团队成员。")
    if photo_count is None:
        photo_count = a.photos.count()
    low, high = campaign.photo_range(a.category)
    if not low <= photo_count <= high:
        add(
            "photos", f"{a.get_category_display() or '该类'}案例须上传 {low}—{high} 张服务照片，现有 {photo_count} 张。"
        )
    if not a.pledge_accepted or not a.pledge_signature.strip():
        add("pledge_signature", "请阅读真实情况承诺，勾选并签名。")
    return problems


def defined_form_problems(
    application: Application, *, final: bool, photo_count: int | None = None
) -> dict[str, list[str]]:
    """The submit check of a campaign's defined form (cases.formdef), by field key: what was stored is already
    well formed (the draft save keeps bad values out), so only `final` finds anything: required fields, table
    rows, hard length limits (each message names the field), the photo count and the pledge."""
    from .formdef import answers_problems, campaign_definition

    if not final:
        return {}
    campaign = application.campaign
    definition = campaign_definition(campaign)
    problems = answers_problems(definition, application.answers)
    if photo_count is None:
        photo_count = application.photos.count()
    if not campaign.photos_min <= photo_count <= campaign.photos_max:
        problems.setdefault("photos", []).append(
            f"须上传 {campaign.photos_min}—{campaign.photos_max} 张照片，现有 {photo_count} 张。"
        )
    if definition.get("pledge") and (not application.pledge_accepted or not application.pledge_signature.strip()):
        problems.setdefault("pledge_signature", []).append("请阅读承诺，勾选并签名。")
    return problems


def application_warnings(application: Application) -> list[str]:
    """Advice that never blocks: the body length against the campaign's 为宜 range."""
    campaign = application.campaign
    if campaign.uses_defined_form:
        from .formdef import answers_warnings, campaign_definition

        return answers_warnings(campaign_definition(campaign), application.answers)
    length = application.body_length()
    if campaign.body_limits_are_hard or campaign.body_min_chars <= length <= campaign.body_max_chars:
        return []
    return [f"正文现有 {length} 字，建议 {campaign.body_min_chars}—{campaign.body_max_chars} 字。"]


def application_missing(application: Application, *, photo_count: int, team_count: int) -> list[str]:
    """Short labels of what still blocks a submit, for the dashboard (no queries)."""
    problems = application_problems(application, final=True, photo_count=photo_count, team_count=team_count)
    if application.campaign.uses_defined_form:
        from .formdef import campaign_definition, definition_fields

        labels = {f["key"]: f.get("label") for f in definition_fields(campaign_definition(application.campaign))}
        labels.update(photos="照片", pledge_signature="承诺")
        return [str(labels.get(field, field)) for field in problems]
    labels = {name: application._meta.get_field(name).verbose_name for name in FORM_FIELDS}
    labels.update(team="实施团队", photos="服务照片", pledge_signature="真实情况承诺", body_length="正文字数")
    return [str(labels.get(field, field)) for field in problems]


def _findings_count(application: Application) -> int:
    from .privacy import application_findings

    return sum(len(found) for found in application_findings(application).values())


def section_max_chars() -> int:
    return settings.CASE_SECTION_MAX_CHARS


def section_too_long_message(*, heading: str, length: int) -> str:
    limit = section_max_chars()
    return (
        f"{heading}共 {length} 字，超过每节 {limit} 字的上限，本节这次未保存（您写的内容仍在本页和本机浏览器中）。"
        f"请删减 {length - limit} 字后再保存。"
    )


def application_findings_refresh(*, application_id: int) -> int | None:
    """Run the privacy and terminology check on the texts that changed since they were last checked, and
    store the number of findings on the application (the staff filter reads it). A save made meanwhile
    has queued its own run, so this one writes only if the version it read is still the current one."""
    application = Application.objects.filter(pk=application_id).first()
    if application is None:
        return None
    count = _findings_count(application)
    Application.objects.filter(pk=application.pk, version=application.version).update(findings_count=count)
    return count


def _findings_count_refresh_or_queue(application: Application) -> None:
    """The count at once when every text was checked before (cache reads only); otherwise the check runs
    in the background, so a save never waits for it."""
    from .privacy import application_findings_if_checked

    found = application_findings_if_checked(application)
    if found is None:
        enqueue("cases.refresh_findings", application.pk)
        return
    count = sum(len(f) for f in found.values())
    if count != application.findings_count:
        Application.objects.filter(pk=application.pk).update(findings_count=count)
        application.findings_count = count


# --- Drafts ---------------------------------------------------------------------------------


@transaction.atomic
def application_start(*, campaign: Campaign, user: User, now: dt.datetime | None = None) -> Application:
    """A new draft for `campaign`, prefilled from the applicant's account and organisation."""
    now = now or timezone.now()
    if not campaign.is_open_for_submission(now):
        raise ValidationError("该评选活动当前不在申报时间内。")
    org_ids = user_roles(user).member_org_ids
    if not org_ids:
        raise ValidationError("您还没有加入已审核通过的机构，暂不能申报。")
    from accounts.models import Organisation

    organisation = Organisation.objects.filter(pk__in=org_ids).order_by("pk").first()
    _check_limits(campaign=campaign, applicant=user, organisation=organisation, exclude_pk=None)
    _check_eligibility(campaign=campaign, organisation=organisation)
    return Application.objects.create(
        campaign=campaign,
        applicant=user,
        organisation=organisation,
        declaring_unit=organisation.name,
        organisation_name=organisation.name,
        applicant_name=user.name,
        phone=user.phone,
        email=user.email,
        pledge_signature="",
    )


def _check_eligibility(*, campaign: Campaign, organisation) -> None:
    """申报资格: an organisation that breaks a rule of the campaign cannot start an application (each rule named)."""
    from .eligibility import eligibility_check

    broken = eligibility_check(organisation=organisation, campaign=campaign)
    if broken:
        raise ValidationError(
            f"{organisation.name}不符合本次申报资格：" + "；".join(broken) + "。请机构负责人在“机构资质”中核对。",
            code="ineligible",
        )


def _check_limits(*, campaign: Campaign, applicant: User, organisation, exclude_pk) -> None:
    """Per-applicant and per-organisation limits count applications that left the applicant's hands."""
    filed = Application.objects.submitted().filter(campaign=campaign).exclude(pk=exclude_pk)
    if campaign.max_applications_per_applicant and (
        filed.filter(applicant=applicant).count() >= campaign.max_applications_per_applicant
    ):
        raise ValidationError(f"本次评选每位社工最多申报 {campaign.max_applications_per_applicant} 个案例。")
    if campaign.max_applications_per_organisation and (
        filed.filter(organisation=organisation).count() >= campaign.max_applications_per_organisation
    ):
        raise ValidationError(f"本次评选每个机构最多申报 {campaign.max_applications_per_organisation} 个案例。")


# Characters XML 1.0 (and so .docx) cannot hold; text pasted from Word sometimes carries them.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def strip_control_characters(text: str) -> str:
    """Drop invisible control characters (a vertical tab pasted from Word) that would make the
    Word export fail; line breaks and tabs stay."""
    return _CONTROL_CHARACTERS.sub("", text)


def _clean(value):
    return strip_control_characters(value) if isinstance(value, str) else value


@transaction.atomic
def application_save_draft(
    *,
    application: Application,
    expected_version: int,
    fields: dict,
    team: list[dict] | None = None,
    photo_captions: dict[int, str] | None = None,
    photo_deletes: list[int] = (),
    attachment_deletes: list[int] = (),
    new_links: list[dict] = (),
    link_deletes: list[int] = (),
    pledge: dict | None = None,
    answers: dict | None = None,
    request=None,
    submitting: bool = False,
) -> Application:
    """Save what the applicant has typed, missing or not. Bumps `version` by a conditional update
    that must touch one row: a save based on an older version raises StaleVersion, unless the
    draft already holds exactly what is sent (the same form posted twice): then nothing is
    written and the returned application has `save_repeated` set. The privacy check of changed
    texts is queued to run after the save; `submitting` (a submit follows at once and runs the
    check itself) queues nothing, so the check never runs twice at the same time. Audited, at
    most once per application in ten minutes (autosave runs every 30 seconds). `answers` (a defined form's,
    already cleaned by cases.formdef.answers_clean) replace the stored answers; their "title" is copied to the
    title column that lists, e-mails and file names show."""
    values = {name: fields[name] for name in FORM_FIELDS if name in fields}
    if answers is not None:
        values["answers"] = answers
        values["title"] = strip_control_characters(str(answers.get("title") or ""))[:100]
    for name, value in values.items():
        if isinstance(value, str):
            values[name] = strip_control_characters(value.replace("\r\n", "\n"))
            if name not in dict(SECTIONS):
                values[name] = values[name].strip()
    too_long = {
        name: section_too_long_message(heading=heading, length=len(values[name]))
        for name, heading in SECTIONS
        if len(values.get(name) or "") > section_max_chars()
    }
    if too_long:
        raise ValidationError(too_long, code="too_long")
    if pledge is not None:
        accepted = bool(pledge.get("accepted"))
        signature = (pledge.get("signature") or "").strip()[:50]
        values["pledge_accepted"] = accepted
        values["pledge_signature"] = signature
        if accepted and signature and (not application.pledge_accepted or signature != application.pledge_signature):
            values["pledged_at"] = timezone.now()
            values["pledged_ip"] = client_ip(request)
        elif not accepted:
            values["pledged_at"] = None
            values["pledged_ip"] = None
    updated = Application.objects.filter(
        pk=application.pk, version=expected_version, status__in=Application.EDITABLE_STATUSES
    ).update(version=F("version") + 1, updated_at=timezone.now(), **values)
    if updated != 1:
        # A repeat of a save that already happened (a double-clicked button sends the same form
        # twice) is not a conflict: the draft already holds exactly this, so there is nothing to do.
        if _draft_holds(
            application.pk,
            values=values,
            team=team,
            photo_captions=photo_captions,
            deletes=(photo_deletes, attachment_deletes, link_deletes),
            new_links=new_links,
        ):
            application.refresh_from_db()
            application.save_repeated = True
            return application
        current = Application.objects.filter(pk=application.pk).values_list("version", "status").first()
        if current and current[1] not in Application.EDITABLE_STATUSES:
            raise ValidationError("该申报已提交，不能再修改；如需修改，请先撤回。")
        raise StaleVersion(current=current[0] if current else 0, yours=expected_version)

    if team is not None:
        application.team_members.all().delete()
        TeamMember.objects.bulk_create(
            TeamMember(application=application, position=i, **{k: _clean(row.get(k)) for k in TEAM_FIELDS if k in row})
            for i, row in enumerate(team[:TEAM_MAX])
            if row.get("name")
        )
    for pk, caption in (photo_captions or {}).items():
        application.photos.filter(pk=pk).update(caption=strip_control_characters(caption).strip()[:200])
    for pk in photo_deletes:
        for photo in application.photos.filter(pk=pk):
            _photo_delete(photo)
    for pk in attachment_deletes:
        for attachment in application.attachments.filter(pk=pk):
            attachment.file.delete(save=False)
            attachment.blind_file.delete(save=False)
            attachment.delete()
    application.report_links.filter(pk__in=list(link_deletes)).delete()
    for link in new_links:
        ReportLink.objects.create(application=application, url=link["url"], title=link.get("title", "")[:200])

    application.refresh_from_db()
    if not submitting:
        _findings_count_refresh_or_queue(application)
    application.save_repeated = False
    audit_record_throttled(
        key=f"draft-save:{application.pk}",
        kind=AuditEvent.Kind.DRAFT_SAVE,
        request=request,
        obj=application,
        detail=f"版本 {application.version}",
    )
    return application


def _draft_holds(
    pk: int,
    *,
    values: dict,
    team: list[dict] | None,
    photo_captions: dict[int, str] | None,
    deletes: tuple,
    new_links,
) -> bool:
    """Whether the stored application already holds everything a draft save would write."""
    values = {k: v for k, v in values.items() if k not in ("pledged_at", "pledged_ip")}
    stored = Application.objects.filter(pk=pk).values(*values).first()
    if stored is None or any(stored[k] != v for k, v in values.items()):
        return False
    if team is not None:
        rows = [row for row in team[:TEAM_MAX] if row.get("name")]
        members = list(TeamMember.objects.filter(application_id=pk).order_by("position").values(*TEAM_FIELDS))
        if len(rows) != len(members):
            return False
        for row, member in zip(rows, members, strict=True):
            if any(member[k] != _clean(row.get(k)) for k in TEAM_FIELDS if k in row):
                return False
    captions = dict(CasePhoto.objects.filter(application_id=pk).values_list("pk", "caption"))
    for photo_pk, caption in (photo_captions or {}).items():
        if photo_pk in captions and captions[photo_pk] != strip_control_characters(caption).strip()[:200]:
            return False
    photo_deletes, attachment_deletes, link_deletes = deletes
    if (
        set(photo_deletes) & set(captions)
        or CaseAttachment.objects.filter(application_id=pk, pk__in=list(attachment_deletes)).exists()
        or ReportLink.objects.filter(application_id=pk, pk__in=list(link_deletes)).exists()
    ):
        return False
    urls = set(ReportLink.objects.filter(application_id=pk).values_list("url", flat=True))
    return all(link["url"] in urls for link in new_links)


def _require_editable(application: Application) -> None:
    if not Application.objects.filter(pk=application.pk, status__in=Application.EDITABLE_STATUSES).exists():
        raise ValidationError("该申报已提交，不能再修改；如需修改，请先撤回。")


@transaction.atomic
def photo_add(*, application: Application, uploaded_file, caption: str = "") -> CasePhoto:
    """Store one service photo, checked by content with EXIF (GPS included) stripped."""
    from .uploads import clean_photo

    _require_editable(application)
    campaign = application.campaign
    clean = clean_photo(uploaded_file, min_pixels=campaign.photo_min_pixels, max_bytes=campaign.photo_max_bytes)
    high = campaign.photo_range(application.category)[1] if application.category else campaign.photos_max
    if application.photos.count() >= max(high, campaign.photos_max, campaign.casework_photos_max):
        raise ValidationError(f"服务照片最多 {high} 张。")
    position = application.photos.count() + 1
    photo = CasePhoto(application=application, caption=caption.strip()[:200], position=position, size=clean.size)
    photo.image.save(getattr(clean, "name", None) or "photo.jpg", clean, save=False)
    photo.save()
    photo_thumbnail_ensure(photo=photo)
    return photo


THUMBNAIL_SIZE = (480, 360)


def photo_thumbnail_name(photo: CasePhoto) -> str:
    """Where the photo's thumbnail is kept in the default storage: derived from the photo's own (random,
    never reused) file name, so it is found without a database field and never belongs to another photo."""
    return f"thumbnails/{photo.image.name}.{THUMBNAIL_SIZE[0]}x{THUMBNAIL_SIZE[1]}.jpg"


def photo_thumbnail_ensure(*, photo: CasePhoto) -> str:
    """The name of the photo's stored thumbnail (a small JPEG for the editor and the case pages), made now if
    it does not exist yet: once per photo, not once per page view."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from PIL import Image

    name = photo_thumbnail_name(photo)
    if default_storage.exists(name):
        return name
    with photo.image.open("rb") as f, Image.open(f) as image:
        image.draft("RGB", THUMBNAIL_SIZE)  # JPEG: decode at a reduced scale, far less memory
        image = image.convert("RGB")
        image.thumbnail(THUMBNAIL_SIZE)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80)
    saved = default_storage.save(name, ContentFile(out.getvalue()))
    if saved != name:  # another request made it meanwhile: keep one
        default_storage.delete(saved)
    return name


def _photo_delete(photo: CasePhoto) -> None:
    from django.core.files.storage import default_storage

    default_storage.delete(photo_thumbnail_name(photo))
    photo.image.delete(save=False)
    photo.delete()


@transaction.atomic
def attachment_add(*, application: Application, uploaded_file, description: str = "") -> CaseAttachment:
    """Store one attachment whose content is PDF, DOC or DOCX."""
    from .uploads import clean_attachment

    _require_editable(application)
    clean, content_type = clean_attachment(uploaded_file, max_bytes=application.campaign.photo_max_bytes)
    attachment = CaseAttachment(
        application=application,
        original_name=(getattr(uploaded_file, "name", "") or "附件")[-200:],
        content_type=content_type,
        size=clean.size,
        description=description.strip()[:200],
    )
    attachment.file.save(getattr(clean, "name", None) or uploaded_file.name, clean, save=False)
    attachment.save()
    return attachment


# --- Submit, withdraw ------------------------------------------------------------------------


def _deadline_for(application: Application) -> dt.datetime:
    if application.status == Application.Status.RETURNED and application.resubmit_until:
        return max(application.resubmit_until, application.campaign.submission_closes_at)
    return application.campaign.submission_closes_at


def _next_reference(campaign: Campaign) -> str:
    """The campaign's next unused reference, under a lock on the campaign row. Numbers already
    taken (another campaign with the same prefix and year, imported data) are skipped."""
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    year = timezone.localtime(campaign.submission_opens_at, SHANGHAI).year
    counter = locked.reference_counter
    while True:
        counter += 1
        reference = f"{campaign.reference_prefix}{year}-{counter:04d}"
        if not Application.objects.filter(reference=reference).exists():
            break
    Campaign.objects.filter(pk=campaign.pk).update(reference_counter=counter)
    return reference


def application_submit(
    *,
    application_id: int,
    by: User,
    confirm_findings: bool = False,
    now: dt.datetime | None = None,
    request=None,
) -> Application:
    """Submit a draft: checks the deadline on server time (its last second included), the form
    at submit level and the limits; gives a reference number never used before and locks the
    application. Idempotent: submitting an already submitted application changes nothing.
    Audits and queues the receipt e-mail and the similarity check (查重) on commit."""
    refusal = None
    with transaction.atomic():
        application = (
            Application.objects.select_for_update().select_related("campaign").get(pk=application_id, applicant=by)
        )
        if application.status == Application.Status.SUBMITTED:
            return application
        if not application.is_editable:
            raise ValidationError("该申报当前状态不能提交。")
        campaign = application.campaign
        now = now or timezone.now()
        deadline = _deadline_for(application)
        if now < campaign.submission_opens_at:
            raise ValidationError("申报尚未开始。")
        if now > deadline:
            closed = timezone.localtime(deadline, SHANGHAI)
            raise ValidationError(f"申报已于 {closed:%Y年%m月%d日 %H:%M:%S} 截止，不能再提交。")
        # Texts checked since their last change are read from the cache; only a change whose background
        # check has not run (or was not queued: the editor's submit) is checked here. The count is kept
        # (the staff filter reads it) even when the submit is refused, so refusals are not raised in here.
        application.findings_count = _findings_count(application)
        Application.objects.filter(pk=application.pk).update(findings_count=application.findings_count)
        problems = application_problems(application, final=True)
        problems.update(application_material_problems(application) | application_eligibility_problems(application))
        if problems:
            refusal = ValidationError(problems)
        elif application.findings_count and not confirm_findings:
            refusal = ValidationError(
                f"正文或照片说明中还有 {application.findings_count} 处隐私或用语提示，请修改，或确认无误后再次提交。",
                code="findings",
            )
        else:
            _submit_locked(application=application, by=by, now=now, request=request)
    if refusal is not None:
        raise refusal
    return application


def _submit_locked(*, application: Application, by: User, now: dt.datetime, request) -> None:
    campaign = application.campaign
    _check_limits(
        campaign=campaign,
        applicant=application.applicant,
        organisation=application.organisation_id,
        exclude_pk=application.pk,
    )
    if not application.reference:
        application.reference = _next_reference(campaign)
    application.status = Application.Status.SUBMITTED
    application.submitted_at = now
    application.version += 1
    application.save(update_fields=["reference", "status", "submitted_at", "version", "findings_count", "updated_at"])
    audit_record(kind=AuditEvent.Kind.CASE_SUBMIT, request=request, user=by, obj=application)
    email_send(
        to=[by.email],
        subject=f"申报回执：{application.reference} {application.title}",
        template="cases/email/submitted.txt",
        context={"application": application, "campaign": campaign},
    )
    if campaign.blind_review and application.attachments.exists():
        enqueue("cases.make_blind_copies", application.pk)
    enqueue("similarity.check_application", application.pk)  # 查重 (similarity depends on cases, not the reverse)


@transaction.atomic
def application_withdraw(*, application_id: int, by: User, now: dt.datetime | None = None, request=None) -> Application:
    """Take a submitted application back to an editable state before the deadline. Keeps its
    reference number. Audited."""
    application = (
        Application.objects.select_for_update().select_related("campaign").get(pk=application_id, applicant=by)
    )
    now = now or timezone.now()
    if application.status not in (Application.Status.SUBMITTED, Application.Status.RECOMMENDED):
        raise ValidationError("只有已提交、尚未进入评审的申报可以撤回。")
    if now > application.campaign.submission_closes_at:
        raise ValidationError("申报已截止，不能再撤回。")
    application.status = Application.Status.WITHDRAWN
    application.version += 1
    application.save(update_fields=["status", "version", "updated_at"])
    audit_record(kind=AuditEvent.Kind.CASE_WITHDRAW, request=request, user=by, obj=application)
    return application


# --- 所在单位推荐意见 ------------------------------------------------------------------------


def _decide(*, application_id: int, by: User, decision: str, opinion: str, stamped_scan=None, request=None):
    if not opinion.strip():
        raise ValidationError({"opinion": "请填写推荐意见或退回理由。"})
    application = Application.objects.select_for_update().select_related("applicant").get(pk=application_id)
    if application.organisation_id not in user_roles(by).admin_org_ids:
        raise ValidationError("只有本机构负责人可以填写推荐意见。")
    if application.status != Application.Status.SUBMITTED:
        raise ValidationError("该申报已处理过或已撤回，请刷新页面。")
    if stamped_scan is not None:
        from .uploads import clean_attachment

        stamped_scan, _ = clean_attachment(stamped_scan, max_bytes=20 * 1024 * 1024)
    endorsement = Endorsement(application=application, decision=decision, opinion=opinion.strip(), decided_by=by)
    if stamped_scan is not None:
        endorsement.stamped_scan.save(getattr(stamped_scan, "name", "scan.pdf"), stamped_scan, save=False)
    endorsement.save()
    return application, endorsement


@transaction.atomic
def application_recommend(
    *, application_id: int, by: User, opinion: str, stamped_scan=None, request=None
) -> Endorsement:
    """The organisation admin recommends a submitted application (所在单位推荐意见). Audited."""
    application, endorsement = _decide(
        application_id=application_id,
        by=by,
        decision=Endorsement.Decision.RECOMMENDED,
        opinion=opinion,
        stamped_scan=stamped_scan,
        request=request,
    )
    application.status = Application.Status.RECOMMENDED
    application.save(update_fields=["status", "updated_at"])
    audit_record(kind=AuditEvent.Kind.CASE_RECOMMEND, request=request, user=by, obj=application, detail=opinion[:200])
    return endorsement


@transaction.atomic
def application_return(*, application_id: int, by: User, reason: str, request=None) -> Endorsement:
    """The organisation admin sends a submitted application back with a reason; it becomes
    editable again and the applicant is told by e-mail. Audited."""
    application, endorsement = _decide(
        application_id=application_id, by=by, decision=Endorsement.Decision.RETURNED, opinion=reason, request=request
    )
    application.status = Application.Status.RETURNED
    application.return_reason = reason.strip()
    application.version += 1
    application.save(update_fields=["status", "return_reason", "version", "updated_at"])
    audit_record(kind=AuditEvent.Kind.CASE_RETURN, request=request, user=by, obj=application, detail=reason[:200])
    email_send(
        to=[application.applicant.email],
        subject=f"申报案例被退回修改：{application.title}",
        template="cases/email/returned.txt",
        context={"application": application, "reason": reason.strip()},
    )
    return endorsement


# --- 评选活动申报导出: a campaign's ZIP of Word files, built by a background job ----------------------------


def case_export_start(*, campaign: Campaign, by: User, request=None) -> CaseExport:
    """Start building the campaign's ZIP; a second click while one is queued or running gets that one
    (queued again if the broker was down), while a job whose worker died gives way to a new one."""
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()  # one starter at a time per campaign
        active = job_active(CaseExport, campaign=campaign)
        if active is not None:
            return active
        from .selectors import applications_for_export

        job = CaseExport.objects.create(
            campaign=campaign, requested_by=by, total=applications_for_export(campaign).count()
        )
        audit_record(
            kind=AuditEvent.Kind.OTHER,
            request=request,
            user=by,
            obj=job,
            detail=f"发起评选活动申报导出（Word，ZIP）：{campaign.title}",
        )
        job_queue(job)
    return job


def _failure_reason(exc: Exception, application: Application | None, number: int) -> str:
    kind = type(exc).__name__
    if application is None:
        return f"保存压缩包时出错（{kind}），导出已停止。请稍后重新导出。"
    label = " ".join(part for part in (application.reference, application.title) if part) or f"#{application.pk}"
    return (
        f"生成第 {number} 份申报案例（{label}）的 Word 文件时出错（{kind}），导出已停止。"
        "请检查该案例的照片等文件后重新导出。"
    )


def case_export_run(*, export_id: int, final_attempt: bool = True) -> str:
    """Build the job's ZIP on disk, one application at a time, then store it and mark the job done.

    Idempotent: a done or failed job is left alone, and so is one another live run is building. A job whose
    worker stopped beating is taken over and built again from zero (notifications.jobs). An exception is
    raised again for Celery to retry, except on the last attempt: then the job is failed with the reason.
    """
    from .docx_export import export_queryset, write_applications_zip
    from .selectors import applications_for_export

    def build(job: CaseExport, beat) -> dict:
        applications = list(export_queryset(applications_for_export(job.campaign)))
        beat(total=len(applications), done=0)
        current: dict = {"application": None, "number": 0}

        def tracked():
            for number, application in enumerate(applications, start=1):
                current.update(application=application, number=number)
                yield application
            current.update(application=None)

        try:
            with tempfile.TemporaryFile(prefix="case-export-", suffix=".zip") as tmp:
                write_applications_zip(tmp, tracked(), progress=lambda n: beat(done=n))
                tmp.seek(0)
                job.file.save(f"{job.pk}.zip", File(tmp), save=False)
        except JobSuperseded:
            raise
        except Exception as exc:
            raise JobFailed(_failure_reason(exc, current["application"], current["number"])) from exc
        return {"file": job.file.name}

    result = job_run(CaseExport, export_id, build, final_attempt=final_attempt)
    if result == CaseExport.Status.DONE:
        job_prune_older_files(CaseExport, export_id)  # older ZIPs/sheets of the campaign: free their space
    return result


# --- Blind copies of attachments --------------------------------------------------------------


def attachment_blind_copy_ensure(
    *, attachment: CaseAttachment, identifiers: list[str], verify: bool = True
) -> CaseAttachment:
    """Make, once, the copy of an attachment a blind reviewer downloads (or record why it is withheld) and keep
    it in storage beside the original. The copy is keyed by the source file, the identifiers and the rules'
    version: a changed file or list makes it anew, a current one is reused. Writes the copy's file and three
    fields of the attachment; no audit event (nothing a person decided) and no e-mail. `verify=False` trusts a
    copy already made (lists that show many attachments need not read every file); a download verifies."""
    from django.core.files.base import ContentFile

    from .blind import BlindCopy, attachment_blind_copy, blind_copy_key

    if not verify and attachment.blind_key:
        return attachment
    try:
        with attachment.file.open("rb") as f:
            source = f.read()
    except (OSError, ValueError):
        source = None
    key = blind_copy_key(source or b"", identifiers)
    if attachment.blind_key == key and (attachment.blind_withheld_reason or attachment.blind_file):
        if attachment.blind_withheld_reason or attachment.blind_file.storage.exists(attachment.blind_file.name):
            return attachment
    if source is None:
        copy = BlindCopy(None, "附件文件缺失")
    else:
        copy = attachment_blind_copy(source, attachment.original_name, identifiers)
    previous_key, previous_file = attachment.blind_key, attachment.blind_file.name
    storage = attachment.blind_file.storage
    new_name = ""
    if copy.data is not None:
        new_name = storage.save(
            attachment.blind_file.field.generate_filename(attachment, attachment.original_name),
            ContentFile(copy.data),
        )
    # Conditional on the key read above, so two reviewers opening the file at once leave one copy.
    updated = CaseAttachment.objects.filter(pk=attachment.pk, blind_key=previous_key).update(
        blind_file=new_name, blind_key=key, blind_withheld_reason=copy.withheld_reason[:200]
    )
    if not updated:
        if new_name:
            storage.delete(new_name)
        attachment.refresh_from_db(fields=["blind_file", "blind_key", "blind_withheld_reason"])
        return attachment
    if previous_file and previous_file != new_name:
        storage.delete(previous_file)
    attachment.blind_file.name = new_name
    attachment.blind_key = key
    attachment.blind_withheld_reason = copy.withheld_reason[:200]
    return attachment


def application_blind_copies_make(*, application_id: int) -> int:
    """Make the blind copies of a submitted application's attachments ahead of the formal check and review, so
    neither staff nor a reviewer waits for them. Safe to run twice: current copies are kept. Returns how many
    attachments are withheld from reviewers."""
    from .selectors import application_for_page, application_identifiers

    application = application_for_page(application_id)
    if not application.campaign.blind_review:
        return 0
    identifiers = application_identifiers(application)
    withheld = 0
    for attachment in application.attachments.all():
        attachment_blind_copy_ensure(attachment=attachment, identifiers=identifiers)
        withheld += bool(attachment.blind_withheld_reason)
    return withheld


# --- 申报表单: staff edit a campaign's form definition until its first application is submitted ------------------

FORM_FROZEN_MESSAGE = "表单已冻结：已有申报提交，申报表单不能再修改（修改会使已提交的申报与表单不一致）。"
OFFICIAL_FORM_MESSAGE = (
    "优秀社工案例评选使用官方报名表（字段、正文六部分与 Word 版式均按通知），不能在此修改；"
    "如需自定义表单，请以其他模板新建评选活动。"
)


def campaign_form_editable_reason(campaign: Campaign) -> str:
    """Why the campaign's form may not be edited now ("" when it may)."""
    from .formdef import campaign_has_submissions

    if not campaign.uses_defined_form:
        return OFFICIAL_FORM_MESSAGE
    if campaign_has_submissions(campaign):
        return FORM_FROZEN_MESSAGE
    return ""


def _form_definition_change(*, campaign: Campaign, by: User, request, change, detail: str) -> dict:
    """Apply `change(definition)` to a copy of the campaign's form under a lock on the campaign row, validate the
    result (cases.formdef.form_definition_validate) and store it; audited. Raises ValidationError with the
    reasons when the form is frozen or the result is not a valid form."""
    import copy

    from .formdef import campaign_definition, form_definition_validate

    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        reason = campaign_form_editable_reason(locked)
        if reason:
            raise ValidationError(reason, code="frozen")
        definition = copy.deepcopy(campaign_definition(locked))
        change(definition)
        errors = form_definition_validate(definition, campaign=locked)
        if errors:
            raise ValidationError(errors, code="invalid")
        locked.form_definition = definition
        locked.save(update_fields=["form_definition"])
        public_pages_changed(campaign=locked)  # the campaign page lists the form's sections
        audit_record(
            kind=AuditEvent.Kind.OTHER, request=request, user=by, obj=locked, detail=f"修改申报表单：{detail}"[:500]
        )
    campaign.form_definition = definition
    return definition


def _section_of(definition: dict, key: str) -> tuple[dict, int]:
    for section in definition.get("sections", []):
        for index, field in enumerate(section.get("fields") or []):
            if field.get("key") == key:
                return section, index
    raise ValidationError("未找到该字段，可能已被删除，请刷新页面。", code="missing")


def campaign_form_field_save(
    *, campaign: Campaign, field: dict, section_key: str = "", original_key: str = "", by: User, request=None
) -> dict:
    """Add `field` to the section `section_key` (at its end), or replace the field `original_key` in place."""

    def change(definition):
        if original_key:
            section, index = _section_of(definition, original_key)
            section["fields"][index] = field
            return
        section = next((s for s in definition.get("sections", []) if s.get("key") == section_key), None)
        if section is None:
            raise ValidationError("未找到该章节，请刷新页面。", code="missing")
        section.setdefault("fields", []).append(field)

    verb = f"修改字段“{field.get('label')}”" if original_key else f"新增字段“{field.get('label')}”"
    return _form_definition_change(campaign=campaign, by=by, request=request, change=change, detail=verb)


def campaign_form_field_remove(*, campaign: Campaign, key: str, by: User, request=None) -> dict:
    """Remove the field `key` from the campaign's form."""

    def change(definition):
        section, index = _section_of(definition, key)
        section["fields"].pop(index)

    return _form_definition_change(campaign=campaign, by=by, request=request, change=change, detail=f"删除字段 {key}")


def campaign_form_field_move(*, campaign: Campaign, key: str, direction: str, by: User, request=None) -> dict:
    """Move the field `key` one place up or down inside its section."""

    def change(definition):
        section, index = _section_of(definition, key)
        target = index - 1 if direction == "up" else index + 1
        if not 0 <= target < len(section["fields"]):
            raise ValidationError("该字段已在本章节的最前或最后。", code="edge")
        fields = section["fields"]
        fields[index], fields[target] = fields[target], fields[index]

    detail = f"{'上移' if direction == 'up' else '下移'}字段 {key}"
    return _form_definition_change(campaign=campaign, by=by, request=request, change=change, detail=detail)


def _section_index(definition: dict, key: str) -> int:
    for index, section in enumerate(definition.get("sections", [])):
        if section.get("key") == key:
            return index
    raise ValidationError("未找到该章节，可能已被删除，请刷新页面。", code="missing")


def campaign_form_section_save(
    *, campaign: Campaign, section: dict, original_key: str = "", by: User, request=None
) -> dict:
    """Add `section` (key, title, kind, guidance, guidance_by; no fields yet) at the end of the form, or replace
    the heading of the section `original_key` in place, keeping its fields."""

    def change(definition):
        sections = definition.setdefault("sections", [])
        if original_key:
            index = _section_index(definition, original_key)
            sections[index] = {**section, "fields": sections[index].get("fields") or []}
            return
        sections.append({**section, "fields": []})

    title = section.get("title")
    verb = f"修改章节“{title}”" if original_key else f"新增章节“{title}”"
    return _form_definition_change(campaign=campaign, by=by, request=request, change=change, detail=verb)


def campaign_form_section_remove(*, campaign: Campaign, key: str, by: User, request=None) -> dict:
    """Remove the section `key` with its fields. form_definition_validate refuses it while the section holds a
    field that submitted applications were required to fill, or the field another section's guidance follows."""

    def change(definition):
        definition["sections"].pop(_section_index(definition, key))

    return _form_definition_change(campaign=campaign, by=by, request=request, change=change, detail=f"删除章节 {key}")


def campaign_form_section_move(*, campaign: Campaign, key: str, direction: str, by: User, request=None) -> dict:
    """Move the section `key` one place up or down."""

    def change(definition):
        sections = definition["sections"]
        index = _section_index(definition, key)
        target = index - 1 if direction == "up" else index + 1
        if not 0 <= target < len(sections):
            raise ValidationError("该章节已在表单的最前或最后。", code="edge")
        sections[index], sections[target] = sections[target], sections[index]

    detail = f"{'上移' if direction == 'up' else '下移'}章节 {key}"
    return _form_definition_change(campaign=campaign, by=by, request=request, change=change, detail=detail)


# --- 申报材料 and 申报资格: the campaign's named materials and eligibility rules --------------------------


@transaction.atomic
def material_add(
    *, application: Application, slot: MaterialSlot, uploaded_file, description: str = ""
) -> CaseAttachment:
    """Store one file for a named material (申报材料) of the application's campaign, checked by its content against
    the slot's types and size (JPEG and PNG re-encoded without metadata, like photos) under a random name. Refuses
    a file more than the slot's count. Writes one attachment; no audit event (the draft save records the edit)."""
    from .uploads import MATERIAL_CONTENT_TYPES, clean_material

    if slot.campaign_id != application.campaign_id:
        raise ValidationError("该申报材料不属于本评选活动。")
    Application.objects.select_for_update().filter(pk=application.pk).first()  # one upload at a time counts
    _require_editable(application)
    if application.attachments.filter(slot=slot).count() >= slot.max_files:
        raise ValidationError(f"“{slot.name}”最多上传 {slot.max_files} 个文件，请先删除已上传的文件。")
    clean, content_type = clean_material(
        uploaded_file, allowed=slot.allowed_types, max_bytes=slot.max_size_mb * 1024 * 1024, what=f"“{slot.name}”"
    )
    # The name shown and used for downloads ends in the type the content really is (a PDF named .jpg is a .pdf).
    extension = {v: k for k, v in MATERIAL_CONTENT_TYPES.items()}[content_type].replace("jpeg", "jpg")
    stem = PurePath(getattr(uploaded_file, "name", "") or slot.name).stem or slot.name
    attachment = CaseAttachment(
        application=application,
        slot=slot,
        original_name=f"{stem[:190]}.{extension}",
        content_type=content_type,
        size=clean.size,
        description=(description.strip() or slot.name)[:200],
    )
    attachment.file.save(clean.name, clean, save=False)
    attachment.save()
    return attachment


MATERIAL_SLOT_FIELDS = ("name", "required", "allowed_types", "max_files", "max_size_mb", "help_text")
ELIGIBILITY_RULE_FIELDS = ("kind", "year", "accept_basic_pass", "number", "level", "authority")


def _rows_save(
    *, model, campaign: Campaign, rows: list[dict], fields: tuple[str, ...]
) -> tuple[list, list, list, bool]:
    """Write a campaign's rows as the staff page sent them, in order: rows with an id are changed (or deleted
    with "delete"), rows without one are added; `position` follows the list. Every row is validated by the
    model (full_clean) before it is saved; a ValidationError names the row. Returns (added, changed, deleted)
    names and whether any kept row moved."""
    existing = {obj.pk: obj for obj in model.objects.filter(campaign=campaign)}
    added, changed, deleted = [], [], []
    for row in rows:
        obj = existing.get(row.get("id")) if row.get("id") else None
        if row.get("id") and obj is None:
            raise ValidationError("要修改的行已被他人删除，请刷新页面后重试。")
        if row.get("delete"):
            if obj is not None:
                deleted.append(str(obj))
                obj.delete()
            continue
    position, moved = 0, False
    for row in rows:
        if row.get("delete"):
            continue
        position += 1
        obj = existing.get(row.get("id")) if row.get("id") else model(campaign=campaign)
        before = {name: getattr(obj, name) for name in fields} if obj.pk else None
        if obj.pk and obj.position != position:
            moved = True
        for name in fields:
            if name in row:
                setattr(obj, name, row[name])
        obj.position = position
        try:
            obj.full_clean()
        except ValidationError as error:
            raise ValidationError(f"第 {position} 行：" + "；".join(error.messages)) from error
        if before is None:
            added.append(str(obj))
        elif before != {name: getattr(obj, name) for name in fields}:
            changed.append(str(obj))
        obj.save()
    return added, changed, deleted, moved


def _rows_audit(*, what: str, campaign: Campaign, changes: tuple[list, list, list, bool], by: User, request) -> None:
    """One audit event per save that changed something, naming the rows added, changed and deleted."""
    *named, moved = changes
    labelled = zip(("新增", "修改", "删除"), named, strict=True)
    parts = [f"{label} {'、'.join(names)}" for label, names in labelled if names]
    if not parts and not moved:
        return
    audit_record(
        kind=AuditEvent.Kind.OTHER,
        request=request,
        user=by,
        obj=campaign,
        detail=f"{what}：" + ("；".join(parts) if parts else "调整顺序"),
    )


@transaction.atomic
def material_slots_save(*, campaign: Campaign, rows: list[dict], by: User, request=None) -> list[MaterialSlot]:
    """Staff set the campaign's named materials (申报材料) from the page's rows (see _rows_save). A removed slot's
    files stay with their applications as free attachments. Audited once, naming what changed."""
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()  # two staff saving at once: one by one
    changes = _rows_save(model=MaterialSlot, campaign=campaign, rows=rows, fields=MATERIAL_SLOT_FIELDS)
    _rows_audit(what="申报材料", campaign=campaign, changes=changes, by=by, request=request)
    public_pages_changed(campaign=campaign)  # the campaign page lists its materials
    return list(MaterialSlot.objects.filter(campaign=campaign))


@transaction.atomic
def material_slots_add(
    *, campaign: Campaign, slots: list[dict], what: str, by: User | None, request=None
) -> list[MaterialSlot]:
    """Add named materials to the campaign after those it has (such as the 佐证材料 of each observation point,
    reviews.services.evidence_slots_generate); a slot whose name the campaign already uses is skipped, so a
    second run adds only what is new. Each slot is a dict of MATERIAL_SLOT_FIELDS. Audited once when something
    was added, naming `what` and the count; returns the slots added."""
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    taken = set(MaterialSlot.objects.filter(campaign=campaign).values_list("name", flat=True))
    start = MaterialSlot.objects.filter(campaign=campaign).aggregate(last=Max("position"))["last"] or 0
    added = []
    for values in slots:
        if values["name"] in taken:
            continue
        taken.add(values["name"])
        slot = MaterialSlot(campaign=campaign, position=start + len(added) + 1, **values)
        slot.full_clean(exclude=["campaign"], validate_unique=False)
        added.append(slot)
    if not added:
        return []
    MaterialSlot.objects.bulk_create(added)
    audit_record(
        kind=AuditEvent.Kind.OTHER,
        request=request,
        user=by,
        obj=campaign,
        detail=f"申报材料：{what}，新增 {len(added)} 项",
    )
    public_pages_changed(campaign=campaign)  # the campaign page lists its materials
    return added


@transaction.atomic
def eligibility_rules_save(*, campaign: Campaign, rows: list[dict], by: User, request=None) -> list[EligibilityRule]:
    """Staff set the campaign's eligibility rules (申报资格) from the page's rows (see _rows_save). Applications
    already submitted are not re-judged; the formal-check page shows each one against the rules now. Audited."""
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    changes = _rows_save(model=EligibilityRule, campaign=campaign, rows=rows, fields=ELIGIBILITY_RULE_FIELDS)
    _rows_audit(what="申报资格", campaign=campaign, changes=changes, by=by, request=request)
    public_pages_changed(campaign=campaign)  # the campaign page lists its rules
    return list(EligibilityRule.objects.filter(campaign=campaign))


@transaction.atomic
def materials_copy(*, source: Campaign, target: Campaign) -> list[MaterialSlot]:
    """Copy the named materials of `source` to `target` (the campaign copier calls this), after any the target
    has; a slot whose name the target already uses is left out. No audit event: the copier records the copy."""
    taken = set(MaterialSlot.objects.filter(campaign=target).values_list("name", flat=True))
    start = MaterialSlot.objects.filter(campaign=target).aggregate(last=Max("position"))["last"] or 0
    slots = [slot for slot in MaterialSlot.objects.filter(campaign=source) if slot.name not in taken]
    copies = [
        MaterialSlot(campaign=target, position=start + i, **{f: getattr(slot, f) for f in MATERIAL_SLOT_FIELDS})
        for i, slot in enumerate(slots, start=1)
    ]
    return MaterialSlot.objects.bulk_create(copies)


@transaction.atomic
def eligibility_rules_copy(*, source: Campaign, target: Campaign) -> list[EligibilityRule]:
    """Copy the eligibility rules of `source` to `target` (the campaign copier calls this), after any the target
    has. No audit event: the copier records the copy."""
    start = EligibilityRule.objects.filter(campaign=target).aggregate(last=Max("position"))["last"] or 0
    copies = [
        EligibilityRule(campaign=target, position=start + i, **{f: getattr(rule, f) for f in ELIGIBILITY_RULE_FIELDS})
        for i, rule in enumerate(EligibilityRule.objects.filter(campaign=source), start=1)
    ]
    return EligibilityRule.objects.bulk_create(copies)
