"""申报资格: whether an organisation meets a campaign's eligibility rules, read from its 机构资质.

Reads only: the same answers for starting an application, for the submit and for the formal-check page.
"""

from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist

from accounts.models import Organisation, OrganisationProfile

from .models import Application, Campaign, EligibilityRule


@dataclass(frozen=True)
class RuleResult:
    """One rule judged for one organisation: `message` names the rule and the organisation's own figure."""

    rule: EligibilityRule
    ok: bool
    message: str


def organisation_profile_of(organisation: Organisation) -> OrganisationProfile | None:
    try:
        return organisation.profile
    except ObjectDoesNotExist:
        return None


def _registered(rule: EligibilityRule, profile: OrganisationProfile | None) -> RuleResult:
    authority = profile.registration_authority.strip() if profile else ""
    if not authority or not profile.registered_on:
        return RuleResult(rule, False, f"登记注册：须{rule.describe()}（本机构：未填写登记管理机关或登记日期）")
    own = f"本机构：{authority}，{profile.registered_on:%Y年%m月%d日}登记"
    ok = not rule.authority or rule.authority.strip() in authority
    return RuleResult(rule, ok, f"登记注册：须{rule.describe()}（{own}）")


def _inspection(rule: EligibilityRule, profile: OrganisationProfile | None) -> RuleResult:
    wording = f"年检：须 {rule.year} 年度年检合格" + ("（基本合格亦可）" if rule.accept_basic_pass else "")
    if profile is None or not profile.inspection_year:
        return RuleResult(rule, False, f"{wording}（本机构：未填写年检情况）")
    passing = {OrganisationProfile.InspectionResult.PASSED}
    if rule.accept_basic_pass:
        passing.add(OrganisationProfile.InspectionResult.BASICALLY_PASSED)
    ok = profile.inspection_year == rule.year and profile.inspection_result in passing
    own = f"本机构：{profile.inspection_year} 年度 {profile.get_inspection_result_display()}"
    return RuleResult(rule, ok, f"{wording}（{own}）")


def _full_time_staff(rule: EligibilityRule, profile: OrganisationProfile | None) -> RuleResult:
    count = profile.full_time_staff if profile else 0
    return RuleResult(
        rule, count >= (rule.number or 0), f"专职工作人员：须不少于 {rule.number} 名（本机构：{count} 名）"
    )


def _certified(rule: EligibilityRule, profile: OrganisationProfile | None) -> RuleResult:
    count = profile.certified_at_least(rule.level) if profile else 0
    return RuleResult(
        rule,
        count >= (rule.number or 0),
        f"持证社会工作者：须至少 {rule.number} 名专职工作人员获得{rule.get_level_display()}及以上资格证"
        f"（本机构：{count} 名）",
    )


_JUDGES = {
    EligibilityRule.Kind.REGISTERED: _registered,
    EligibilityRule.Kind.ANNUAL_INSPECTION_PASSED: _inspection,
    EligibilityRule.Kind.MIN_FULL_TIME_STAFF: _full_time_staff,
    EligibilityRule.Kind.MIN_CERTIFIED: _certified,
}


def eligibility_results(
    *,
    organisation: Organisation,
    campaign: Campaign,
    rules: list[EligibilityRule] | None = None,
    profile: OrganisationProfile | None | bool = False,
) -> list[RuleResult]:
    """Every rule of the campaign judged for the organisation, in the rules' order. `rules` and `profile` may be
    passed by a page that read them already (profile=None: the organisation has none)."""
    if rules is None:
        rules = list(EligibilityRule.objects.filter(campaign=campaign))
    if profile is False:
        profile = organisation_profile_of(organisation)
    return [_JUDGES[rule.kind](rule, profile) for rule in rules if rule.kind in _JUDGES]


def eligibility_check(*, organisation: Organisation, campaign: Campaign) -> list[str]:
    """A Chinese message per rule of the campaign the organisation breaks, naming the rule and the
    organisation's own figure, e.g. "年检：须 2022 年度年检合格（本机构：2022 年度 基本合格）"; empty when it
    is eligible (or the campaign sets no rule)."""
    return [r.message for r in eligibility_results(organisation=organisation, campaign=campaign) if not r.ok]


def application_eligibility_problems(application: Application) -> dict[str, list[str]]:
    """The submit's eligibility check: the broken rules of the application's organisation, under "eligibility"."""
    broken = eligibility_check(organisation=application.organisation, campaign=application.campaign)
    return {"eligibility": broken} if broken else {}
