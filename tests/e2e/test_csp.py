"""In Chromium, the main pages of every role run under the Content-Security-Policy without a
single violation: every script is a file of the portal, none inline."""

import pytest
from django.urls import reverse

from awards.tests.factories import AwardFactory, publicity_campaign
from cases.tests.factories import ApplicationFactory, CampaignFactory, add_photo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Runs before any page script: records what the browser refuses (securitypolicyviolation).
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " @" + e.sourceFile + ":" + e.lineNumber);
});
"""


def _watch(page) -> list[str]:
    seen: list[str] = []
    page.add_init_script(LISTEN)
    page.on(
        "console",
        lambda msg: seen.append(f"{page.url}: {msg.text}") if "Content Security Policy" in msg.text else None,
    )
    return seen


def _visit(page, url, seen):
    response = page.goto(url)
    assert response is not None and response.status < 400, url
    assert response.headers.get("content-security-policy"), url
    page.wait_for_load_state("networkidle")
    seen.extend(f"{url}: {v}" for v in page.evaluate("window.__csp || []"))


def test_the_main_pages_of_every_role_have_no_csp_violation(browser, live_server, cast, login, screenshot_dir):
    campaign = CampaignFactory(title="昆山市优秀社工案例评选")
    draft = ApplicationFactory(applicant=cast.applicant_a, organisation=cast.org_a, campaign=campaign)
    add_photo(draft)
    awarded = publicity_campaign(title="已公示的评选")
    award = AwardFactory(campaign=awarded)
    seen: list[str] = []
    base = live_server.url

    visitor = browser.new_page()
    seen += _watch(visitor)
    for path in ("/", reverse("accounts:login"), reverse("accounts:password_reset"), reverse("accounts:signup")):
        _visit(visitor, base + path, seen)
    visitor.check("#id_request_new_organisation")  # the sign-up script shows the new-organisation fields
    assert visitor.is_visible("#id_organisation_name")
    _visit(visitor, base + campaign.get_absolute_url(), seen)
    _visit(visitor, base + reverse("awards:publicity", args=[awarded.slug]), seen)
    visitor.close()

    applicant = browser.new_page()
    seen += _watch(applicant)
    login(applicant, cast.applicant_a)
    for path in (
        reverse("cases:dashboard"),
        reverse("accounts:profile"),
        reverse("cases:application_detail", args=[draft.pk]),
        reverse("cases:application_edit", args=[draft.pk]),
    ):
        _visit(applicant, base + path, seen)
    applicant.fill("#id_title", draft.title + "（修改）")  # the editor's script runs its autosave
    applicant.screenshot(path=f"{screenshot_dir}/csp-editor.png", full_page=False)
    applicant.close()

    staff = browser.new_page()
    seen += _watch(staff)
    login(staff, cast.staff)
    for path in (
        reverse("accounts:manage"),
        reverse("cases:staff_applications"),
        reverse("awards:manage"),
        reverse("notifications:previews"),
        reverse("notifications:preview", args=["welcome"]),
        "/admin/",
        reverse("awards:campaign", args=[award.campaign.slug]),
        reverse("workspace:campaign_list"),
        reverse("workspace:timeline", args=[award.campaign.slug]),
        "/admin/cases/campaign/add/",
    ):
        _visit(staff, base + path, seen)
    staff.screenshot(path=f"{screenshot_dir}/csp-awards-campaign.png", full_page=False)
    staff.close()

    assert not seen, "\n".join(seen)
