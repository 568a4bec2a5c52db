"""The evaluation stages on other apps' pages, one query each: the organisation admin's queue and the
application page load these tags instead of their views importing this app."""

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("evaluations/_results.html")
def organisation_stage_records(user):
    """项目评估 on the organisation admin's page: every record of their organisations, with links to submit."""
    records = list(selectors.stage_records_for_organisation_admin(user=user)[:100])
    return {"records": records, "heading": "项目评估", "with_project": True, "testid": "organisation-stages"}


@register.inclusion_tag("evaluations/_results.html")
def application_stage_records(application):
    """The results of an application's stages on its page (the applicant sees 合格 / 整改 / 不合格)."""
    records = selectors.stage_records_for_application(application=application)
    return {"records": records, "heading": "项目评估结果", "with_project": False, "testid": "application-stages"}
