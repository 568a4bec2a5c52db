"""评选活动工作台: the campaign list, the new-campaign form and one page per campaign with its tabs. Views read
through selectors, write through services, and answer 404 for a campaign that does not exist."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.permissions import permission_required
from cases.models import Campaign

from . import copying, selectors, services
from .forms import CampaignBasicsForm, CampaignNewForm, CampaignRulesForm, TimelineForm
from .timeline import (
    PHASES,
    milestones,
    timeline_bars,
    timeline_defaults,
    timeline_phase_label,
    timeline_phases,
    timeline_values,
)

PERM = "workspace.manage_campaigns"

TABS = [
    ("campaign", "基本信息"),
    ("timeline", "时间安排"),
    ("rules", "申报规则"),
    ("review", "评审"),
    ("awards", "公示与证书"),
    ("reminders", "提醒"),
]


def _campaign(request, slug):
    campaign = selectors.campaign_for_workspace(slug=slug)
    if campaign is None:
        raise Http404("没有这个评选活动。")
    return campaign


def _page(request, campaign, tab, template, **context):
    review = selectors.review_summary(campaign=campaign)
    return render(
        request,
        template,
        {
            "campaign": campaign,
            "tab": tab,
            "tabs": TABS,
            "review": review,
            "checklist": selectors.campaign_checklist(campaign=campaign, review=review),
            "phase_label": _phase_label(campaign, timeline_phases(campaign=campaign), timezone.now()),
            **context,
        },
    )


def _phase_label(campaign, phases, now) -> str:
    """The campaign's phase by its timeline (单位推荐, 形式审查, 待结果公示 …); where staff forced the publicity
    window or published the results, the phase the public sees (awards' settings decide it)."""
    public = campaign.public_phase(now)
    if public != campaign.phase(now):
        return public.label
    return timeline_phase_label(phases=phases, values=timeline_values(campaign=campaign, phases=phases), now=now)


def _refused(form, error: ValidationError):
    """A model check the form could not see (the database's view of the row): beside its field when it names one."""
    for name, errors in error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]:
        for message in errors:
            form.add_error(name if name in form.fields else None, message)


@permission_required(PERM)
def campaign_list(request):
    """评选活动管理: every campaign with its phase and submitted applications."""
    now = timezone.now()
    rows = [(c, _phase_label(c, PHASES, now)) for c in selectors.campaigns_for_workspace()]
    return render(request, "workspace/campaign_list.html", {"rows": rows})


@permission_required(PERM)
def campaign_new(request):
    """新建评选活动: from a preset, or a copy of a past campaign with every date moved."""
    campaigns = Campaign.objects.order_by("-submission_opens_at", "-id")
    form = CampaignNewForm(request.POST or None, campaigns=campaigns)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        slug = services.campaign_slug_make(title=data["title"], short=data["short_name"], year=data["year"])
        try:
            if data["source"] == form.SOURCE_COPY:
                campaign = copying.campaign_copy(
                    source=data["copy_from"],
                    title=data["title"],
                    slug=slug,
                    shift=copying.shift_make(amount=data["shift_amount"], unit=data["shift_unit"]),
                    by=request.user,
                    request=request,
                )
            else:
                campaign = services.campaign_create(
                    title=data["title"],
                    slug=slug,
                    year=data["year"],
                    preset=data["preset"],
                    by=request.user,
                    request=request,
                )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(
                request, f"已创建评选活动“{campaign.title}”（网址标识 {campaign.slug}），请核对各阶段时间。"
            )
            return redirect("workspace:timeline", slug=campaign.slug)
    return render(request, "workspace/campaign_new.html", {"form": form})


@permission_required(PERM)
def campaign_basics(request, slug):
    campaign = _campaign(request, slug)
    form = CampaignBasicsForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        changed = services.campaign_basics_update(
            campaign=Campaign.objects.get(pk=campaign.pk), values=form.cleaned_data, by=request.user, request=request
        )
        messages.success(request, "基本信息已保存。" if changed else "基本信息没有改动。")
        return redirect("workspace:campaign", slug=slug)
    if request.method == "POST":
        campaign = _campaign(request, slug)  # the header shows the saved title, not the one refused
    return _page(request, campaign, "campaign", "workspace/campaign_basics.html", form=form)


@permission_required(PERM)
def campaign_rules(request, slug):
    campaign = _campaign(request, slug)
    form = CampaignRulesForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        changed = services.campaign_rules_update(
            campaign=Campaign.objects.get(pk=campaign.pk), values=form.cleaned_data, by=request.user, request=request
        )
        messages.success(request, "申报规则已保存。" if changed else "申报规则没有改动。")
        return redirect("workspace:rules", slug=slug)
    if request.method == "POST":
        campaign = _campaign(request, slug)
    return _page(request, campaign, "rules", "workspace/campaign_rules.html", form=form)


@permission_required(PERM)
def campaign_timeline(request, slug):
    """时间安排: every phase on one screen, drawn as a timeline with today marked."""
    campaign = _campaign(request, slug)
    phases = timeline_phases(campaign=campaign)
    values = timeline_values(campaign=campaign, phases=phases)
    defaults = timeline_defaults(steps=milestones(phases), values=values)
    form = TimelineForm(request.POST or None, phases=phases, values=values, defaults=defaults)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.campaign_timeline_update(
                campaign=campaign, phases=phases, values=form.cleaned_data, by=request.user, request=request
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, "时间安排已保存。" if changed else "时间安排没有改动。")
            return redirect("workspace:timeline", slug=slug)
    bars, today = timeline_bars(phases=phases, values=values, defaults=defaults, now=timezone.now())
    return _page(
        request,
        campaign,
        "timeline",
        "workspace/campaign_timeline.html",
        form=form,
        bars=bars,
        today=today,
        now=timezone.now(),
    )


@permission_required(PERM)
def campaign_review(request, slug):
    campaign = _campaign(request, slug)
    return _page(request, campaign, "review", "workspace/campaign_review.html")


@permission_required(PERM)
def campaign_awards(request, slug):
    campaign = _campaign(request, slug)
    return _page(
        request,
        campaign,
        "awards",
        "workspace/campaign_awards.html",
        publicity=selectors.related_or_none(campaign, "publicity", selectors.Publicity),
        certificate_template=selectors.related_or_none(campaign, "certificate_template", selectors.CertificateTemplate),
    )


@permission_required(PERM)
def campaign_reminders(request, slug):
    campaign = _campaign(request, slug)
    rules, are_defaults = selectors.reminder_rules_summary(campaign=campaign)
    return _page(
        request, campaign, "reminders", "workspace/campaign_reminders.html", rules=rules, are_defaults=are_defaults
    )


@permission_required(PERM)
def campaign_publish(request, slug):
    """公开 / 取消公开, on a page of its own under 基本信息: what it changes, and a button to confirm. Publishing is
    refused while the 组织申报 items of the checklist are missing; the page lists them with where to fix each."""
    campaign = _campaign(request, slug)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "publish":
                done = services.campaign_publish(campaign=campaign, by=request.user, request=request)
                messages.success(request, "评选活动已公开。" if done else "评选活动本来就是公开的。")
            elif action == "unpublish":
                done = services.campaign_unpublish(campaign=campaign, by=request.user, request=request)
                messages.success(request, "已取消公开，门户上不再显示本活动。" if done else "评选活动本来就未公开。")
            else:
                return redirect("workspace:publish", slug=slug)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("workspace:publish", slug=slug)
        return redirect("workspace:campaign", slug=slug)
    now = timezone.now()
    return _page(
        request,
        campaign,
        "campaign",
        "workspace/campaign_publish.html",
        blockers=selectors.publish_blockers(campaign=campaign),
        open_now=campaign.submission_opens_at <= now <= campaign.submission_closes_at,
        opens_later=now < campaign.submission_opens_at,
    )
