from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST
from django.views.generic import FormView, ListView, TemplateView

from accounts.permissions import PermissionMixin, permission_required
from accounts.selectors import user_roles

from .forms import PreferenceForm
from .models import ESSENTIAL_KINDS, OutboxEmail, ReminderKind
from .previews import preview_named, previews
from .scheduler import coming_reminders, quiet_hours, reminder_campaigns
from .selectors import outbox_log, preference_for
from .services import email_render, outbox_retry, preference_update


class EmailLogView(PermissionMixin, ListView):
    """邮件发送记录: every e-mail with its status, attempts, last error and next retry."""

    permission_required = "notifications.manage_emails"
    template_name = "notifications/email_log.html"
    context_object_name = "emails"
    paginate_by = 50

    def get_queryset(self):
        status = self.request.GET.get("status", "")
        self.status = status if status in OutboxEmail.Status.values else ""
        return outbox_log(status=self.status)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(statuses=OutboxEmail.Status.choices, status=self.status, querystring=f"status={self.status}")
        return context


@require_POST
@permission_required("notifications.manage_emails")
def email_retry_view(request, pk):
    email = get_object_or_404(OutboxEmail, pk=pk)
    try:
        outbox_retry(email=email)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"已重新安排发送：{email.subject}")
    return redirect("notifications:email_log")


class RemindersView(PermissionMixin, TemplateView):
    """即将发送的提醒: per campaign, who will be reminded of what, and when."""

    permission_required = "notifications.manage_emails"
    template_name = "notifications/reminders.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        context["campaigns"] = [(c, coming_reminders(c, now)) for c in reminder_campaigns(now)]
        context["now"] = now
        context["quiet_hours"] = quiet_hours()
        return context


class PreviewListView(PermissionMixin, TemplateView):
    permission_required = "notifications.manage_emails"
    template_name = "notifications/preview_list.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "previews": previews()}


class PreviewView(PermissionMixin, TemplateView):
    permission_required = "notifications.manage_emails"
    template_name = "notifications/preview.html"

    def get_context_data(self, **kwargs):
        preview = preview_named(self.kwargs["name"])
        if preview is None:
            raise Http404("没有这个邮件模板。")
        text, html = email_render(template=preview.template, context=preview.context)
        return {
            **super().get_context_data(**kwargs),
            "preview": preview,
            "text": text,
            "html": html,
            "from_email": settings.DEFAULT_FROM_EMAIL,
        }


@xframe_options_sameorigin
@permission_required("notifications.manage_emails")
def preview_html_view(request, name):
    """The HTML version alone, for the preview page's frame."""
    preview = preview_named(name)
    if preview is None:
        raise Http404("没有这个邮件模板。")
    _, html = email_render(template=preview.template, context=preview.context)
    return HttpResponse(html)


class PreferenceView(PermissionMixin, FormView):
    """邮件提醒: the user's switches for the optional reminders."""

    permission_required = "notifications.change_own_preference"
    template_name = "notifications/preferences.html"
    form_class = PreferenceForm
    success_url = reverse_lazy("notifications:preferences")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": preference_for(self.request.user)}

    def get_context_data(self, **kwargs):
        roles = user_roles(self.request.user)
        essential = [ReminderKind(k).label for k in ESSENTIAL_KINDS]
        return {**super().get_context_data(**kwargs), "essential": essential, "roles": roles}

    def form_valid(self, form):
        preference_update(
            user=self.request.user,
            recommendation=form.cleaned_data["recommendation"],
            publicity=form.cleaned_data["publicity"],
            request=self.request,
        )
        messages.success(self.request, "邮件提醒设置已保存。")
        return redirect(self.get_success_url())
