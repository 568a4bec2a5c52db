import calendar
import datetime as dt

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView, TemplateView

from accounts.imports import ImportSpec, export_response, import_page, template_response
from accounts.models import Organisation
from accounts.permissions import PermissionMixin, permission_required
from accounts.selectors import user_roles
from kunshan_portal.public_cache import cached_for_visitors, festival_scopes, site_scopes

from . import selectors, services
from .banner import banner_png
from .filters import ActivityFilter
from .forms import DecisionForm, PhotoFormSet, ReportForm
from .ical import activity_ics, festival_ics
from .models import Activity, ActivityReport, Festival, ReportPhoto
from .rules import unit_organisation_ids
from .text import render_markdown


@method_decorator(cached_for_visitors(site_scopes), name="dispatch")
class HomeView(TemplateView):
    template_name = "events/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        today = timezone.localdate(now)
        context.update(
            now=now,
            festivals=list(selectors.festivals_current(today=today)[:3]),
            past_festivals=list(selectors.festivals_past(today=today)[:6]),
            campaigns=selectors.campaign_countdowns(now=now),
            results_years=selectors.results_by_year(limit=12),
            reports=selectors.reports_latest_accepted(limit=6),
        )
        return context


# --- Festivals --------------------------------------------------------------------------------


@method_decorator(cached_for_visitors(site_scopes), name="dispatch")
class FestivalListView(ListView):
    template_name = "events/festival_list.html"
    context_object_name = "festivals"
    paginate_by = 20

    def get_queryset(self):
        return Festival.objects.published()


@method_decorator(cached_for_visitors(festival_scopes), name="dispatch")
class FestivalDetailView(PermissionMixin, DetailView):
    login_required = False
    object_permission_required = "events.view_festival"
    template_name = "events/festival_detail.html"
    context_object_name = "festival"

    def get_queryset(self):
        return selectors.festival_for_page()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        festival = self.object
        staff = user_roles(self.request.user).staff
        activities = selectors.festival_activities(festival=festival, include_drafts=staff)
        units_by_role = {}
        for unit in festival.units.all():
            units_by_role.setdefault(unit.get_role_display(), []).append(unit)
        context.update(
            activities=activities,
            timeline=selectors.festival_timeline(festival=festival, activities=activities),
            units_by_role=units_by_role,
            body_html=render_markdown(festival.body),
            today=timezone.localdate(),
        )
        return context


def _festival(request, slug):
    return get_object_or_404(Festival, slug=slug)


@permission_required("events.view_festival", get_object=_festival, login_required=False)
def festival_ics_view(request, slug, obj):
    activities = selectors.festival_activities(festival=obj, include_drafts=False)
    response = HttpResponse(festival_ics(obj, activities), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"festival-{obj.pk}.ics")
    return response


@permission_required("events.view_festival", get_object=_festival, login_required=False)
def festival_banner_view(request, slug, obj):
    try:
        png = banner_png(title=obj.title, theme=obj.theme, banner_text=obj.banner_text)
    except ImproperlyConfigured as error:
        return HttpResponse(str(error), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(png, content_type="image/png")
    response["Content-Disposition"] = content_disposition_header(True, f"banner-{obj.slug}.png")
    return response


@permission_required("events.view_festival", get_object=_festival, login_required=False)
def festival_cover_view(request, slug, obj):
    if not obj.cover:
        raise Http404("该社工节没有封面图片。")
    return FileResponse(obj.cover.open("rb"))


# --- Activities -------------------------------------------------------------------------------


def _month(request) -> dt.date:
    raw = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in raw.split("-", 1))
        return dt.date(year, month, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


@method_decorator(cached_for_visitors(site_scopes), name="dispatch")
class CalendarView(TemplateView):
    """A month grid (a day list on a phone) of the public activities, filtered by kind, district and dates."""

    template_name = "events/calendar.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        first = _month(self.request)
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        qs = selectors.activities_public().filter(starts_at__date__lte=last, ends_at__date__gte=first)
        filterset = ActivityFilter(self.request.GET, queryset=qs)
        activities = list(filterset.qs)
        weeks = []
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
            days = []
            for day in week:
                todays = [
                    a for a in activities if timezone.localdate(a.starts_at) <= day <= timezone.localdate(a.ends_at)
                ]
                days.append({"date": day, "in_month": day.month == first.month, "activities": todays})
            weeks.append(days)
        query = self.request.GET.copy()
        query.pop("month", None)
        context.update(
            filter=filterset,
            month=first,
            prev_month=(first - dt.timedelta(days=1)).replace(day=1),
            next_month=last + dt.timedelta(days=1),
            weeks=weeks,
            activities=activities,
            today=timezone.localdate(),
            querystring=query.urlencode(),
            weekdays="一二三四五六日",
        )
        return context


class ActivityListView(TemplateView):
    template_name = "events/activity_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = ActivityFilter(self.request.GET, queryset=selectors.activities_public())
        page = Paginator(filterset.qs, 20).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filter=filterset,
            page_obj=page,
            activities=page.object_list,
            is_paginated=page.has_other_pages(),
            querystring=query.urlencode(),
        )
        return context


class ActivityDetailView(PermissionMixin, DetailView):
    login_required = False
    object_permission_required = "events.view_activity"
    template_name = "events/activity_detail.html"
    context_object_name = "activity"

    def get_queryset(self):
        return selectors.activity_for_page()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        activity = self.object
        context.update(
            description_html=render_markdown(activity.description),
            gallery=selectors.activity_gallery(activity=activity),
            can_report=self.request.user.has_perm("events.report_activity", activity),
        )
        return context


def _activity(request, pk):
    return get_object_or_404(selectors.activity_for_page(), pk=pk)


@permission_required("events.view_activity", get_object=_activity, login_required=False)
def activity_ics_view(request, pk, obj):
    response = HttpResponse(activity_ics(obj), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"activity-{obj.pk}.ics")
    return response


# --- Activity reports -------------------------------------------------------------------------


def _reporting_organisations(user, activity):
    ids = user_roles(user).member_org_ids & unit_organisation_ids(activity)
    return Organisation.objects.filter(pk__in=ids).order_by("name")


def _photo_uploads(formset) -> list[services.PhotoUpload]:
    return [services.PhotoUpload(file=f, caption=c, slot=slot) for f, c, slot in formset.uploads()]


def _apply_errors(form, formset, error: ValidationError) -> None:
    """A service's refusal, shown beside the field it is about (a photo's beside its upload field)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    photo_keys = {services.photo_field_key(slot): slot for slot in range(len(formset.forms))}
    for field, errors in error.error_dict.items():
        if field in photo_keys:
            formset.forms[photo_keys[field]].add_error("image", errors)
        else:
            form.add_error(field if field in form.fields else None, errors)


@permission_required("events.report_activity", get_object=_activity)
def report_create(request, pk, obj):
    activity = obj
    organisations = _reporting_organisations(request.user, activity)
    form = ReportForm(request.POST or None, organisations=organisations)
    formset = PhotoFormSet(request.POST or None, request.FILES or None, prefix="photos")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            report = services.report_submit(
                activity=activity,
                organisation=form.cleaned_data["organisation"],
                user=request.user,
                held_on=form.cleaned_data["held_on"],
                participants=form.cleaned_data["participants"],
                summary=form.cleaned_data["summary"],
                photos=_photo_uploads(formset),
                request=request,
            )
        except ValidationError as error:
            _apply_errors(form, formset, error)
        else:
            messages.success(request, "活动报送已提交，工作人员审核后将在活动页面展示。")
            return redirect(report.get_absolute_url())
    return render(
        request,
        "events/report_form.html",
        {"activity": activity, "form": form, "formset": formset, "report": None, **_photo_limits()},
    )


def _photo_limits():
    return {
        "photos_min": services.REPORT_PHOTOS_MIN,
        "photos_max": services.REPORT_PHOTOS_MAX,
        "photo_min_kb": services.REPORT_PHOTO_MIN_BYTES // 1024,
    }


def _report(request, pk):
    return get_object_or_404(selectors.report_for_page(), pk=pk)


@permission_required("events.change_activityreport", get_object=_report)
def report_update(request, pk, obj):
    report = obj
    form = ReportForm(request.POST or None, instance=report, organisations=Organisation.objects.none())
    formset = PhotoFormSet(request.POST or None, request.FILES or None, prefix="photos", required=False)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.report_update(
                report=report,
                user=request.user,
                held_on=form.cleaned_data["held_on"],
                participants=form.cleaned_data["participants"],
                summary=form.cleaned_data["summary"],
                photos=_photo_uploads(formset) or None,
                request=request,
            )
        except ValidationError as error:
            _apply_errors(form, formset, error)
        else:
            messages.success(request, "活动报送已更新，等待工作人员审核。")
            return redirect(report.get_absolute_url())
    return render(
        request,
        "events/report_form.html",
        {"activity": report.activity, "form": form, "formset": formset, "report": report, **_photo_limits()},
    )


class ReportDetailView(PermissionMixin, DetailView):
    login_required = False
    object_permission_required = "events.view_activityreport"
    template_name = "events/report_detail.html"
    context_object_name = "report"

    def get_queryset(self):
        return selectors.report_for_page()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            can_edit=user.has_perm("events.change_activityreport", self.object),
            can_decide=user.has_perm("events.decide_activityreport")
            and self.object.status == ActivityReport.Status.SUBMITTED,
            decision_form=DecisionForm(),
        )
        return context


class MyReportsView(PermissionMixin, ListView):
    """A unit user's reports, and the activities their units may report on."""

    permission_required = "events.list_my_reports"
    template_name = "events/my_reports.html"
    context_object_name = "reports"
    paginate_by = 20

    def get_queryset(self):
        return selectors.reports_for_user(user=self.request.user, org_ids=user_roles(self.request.user).member_org_ids)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        org_ids = user_roles(self.request.user).member_org_ids
        context["reportable"] = list(
            selectors.activities_public()
            .filter(units__organisation_id__in=org_ids, starts_at__lte=timezone.now())
            .exclude(status=Activity.Status.CANCELLED)
            .distinct()
        )
        return context


class ReportQueueView(PermissionMixin, ListView):
    permission_required = "events.decide_activityreport"
    template_name = "events/report_queue.html"
    context_object_name = "reports"
    paginate_by = 30

    def get_queryset(self):
        return selectors.reports_awaiting_decision()


@require_POST
@permission_required("events.decide_activityreport", get_object=_report)
def report_decide(request, pk, obj):
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(obj.get_absolute_url())
    try:
        if form.cleaned_data["decision"] == "accept":
            services.report_accept(report=obj, by=request.user, request=request)
            messages.success(request, "已采用，照片已在活动页面展示。")
        else:
            services.report_return(report=obj, by=request.user, reason=form.cleaned_data["reason"], request=request)
            messages.success(request, "已退回，并已邮件通知报送人。")
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    return redirect("events:report_queue")


def _photo(request, pk, size):
    if size not in ("thumb", "full"):
        raise Http404("未找到该照片。")
    photo = get_object_or_404(ReportPhoto.objects.select_related("report"), pk=pk)
    request._photo = photo
    return photo.report


@permission_required("events.view_activityreport", get_object=_photo, login_required=False)
def report_photo_view(request, pk, size, obj):
    """A report's photo or its thumbnail, to those who may see the report (public once accepted)."""
    photo = request._photo
    field = photo.thumbnail if size == "thumb" else photo.image
    response = FileResponse(field.open("rb"))
    response["Cache-Control"] = "public, max-age=86400" if obj.status == obj.Status.ACCEPTED else "private, no-store"
    return response


# --- Staff: a festival's organising units (组织单位) ---------------------------------------------------


def _staff_festival(slug):
    return get_object_or_404(Festival, slug=slug)


def _units_spec(festival) -> ImportSpec:
    return ImportSpec(
        key="festival_units",
        title="导入组织单位",
        columns=services.FESTIVAL_UNIT_COLUMNS,
        check=lambda rows: services.festival_units_import_check(rows=rows, festival=festival),
        commit=lambda **kw: services.festival_units_import(festival=festival, **kw),
        done_message="已导入 {count} 个组织单位，可在下方为各活动勾选添加。",
    )


@permission_required("events.manage_units")
def festival_units_view(request, slug):
    """组织单位: the festival's units (imported once), and adding them to each activity by ticking them."""
    festival = _staff_festival(slug)
    if request.method == "POST":
        activity = Activity.objects.filter(festival=festival, pk=request.POST.get("activity") or 0).first()
        if activity is None:
            messages.error(request, "请选择活动。")
        else:
            try:
                ids = [int(pk) for pk in request.POST.getlist("units") if pk.isdigit()]
                added = services.activity_units_from_festival(
                    activity=activity, unit_ids=ids, by=request.user, request=request
                )
            except ValidationError as error:
                messages.error(request, "；".join(error.messages))
            else:
                messages.success(request, f"已为“{activity.title}”添加 {added} 个组织单位（已有的不重复添加）。")
        return redirect("events:festival_units", slug=slug)
    return render(
        request,
        "events/festival_units.html",
        {
            "festival": festival,
            "units": festival.units.select_related("organisation"),
            "activities": festival.activities.prefetch_related("units__organisation"),
        },
    )


@permission_required("events.manage_units")
def festival_units_import_view(request, slug):
    festival = _staff_festival(slug)
    back = reverse("events:festival_units", kwargs={"slug": slug})
    return import_page(
        request,
        spec=_units_spec(festival),
        scope=str(festival.pk),
        context={"festival": festival, "back_url": back, "back_label": f"{festival.title}组织单位"},
        template_url=reverse("events:festival_units_template", kwargs={"slug": slug}),
        done_url=back,
    )


@permission_required("events.manage_units")
def festival_units_template_view(request, slug):
    return template_response(_units_spec(_staff_festival(slug)))


@permission_required("events.manage_units")
def festival_units_export_view(request, slug):
    festival = _staff_festival(slug)
    rows = (
        [u.display_name, u.get_role_display(), u.organisation.credit_code if u.organisation_id else "", u.contact]
        for u in festival.units.select_related("organisation")
    )
    return export_response(
        columns=services.FESTIVAL_UNIT_COLUMNS, rows=rows, filename=f"{festival.title}-组织单位.xlsx", title="组织单位"
    )
