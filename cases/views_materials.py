"""Staff pages of a campaign's 申报材料 and 申报资格: rows added, removed and reordered on one page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from accounts.permissions import permission_required

from . import services
from .forms_materials import (
    EligibilityRuleFormSet,
    MaterialSlotFormSet,
    eligibility_rule_initial,
    material_slot_initial,
)
from .models import Campaign


def _rows_page(request, *, campaign, formset_class, initial, save, page: dict):
    """One page of rows: GET shows them; a valid POST is written by `save(rows)` and comes back with a message;
    an invalid one shows what was typed, each error beside its field (nothing is written)."""
    save_errors: list[str] = []
    if request.method == "POST":
        formset = formset_class(request.POST, prefix="rows")
        if formset.is_valid():
            try:
                save(formset.rows())
            except ValidationError as error:
                save_errors = error.messages
            else:
                messages.success(request, f"{page['title']}已保存。")
                return redirect(request.path)
    else:
        formset = formset_class(prefix="rows", initial=initial)
    return render(
        request,
        "cases/campaign_rows.html",
        {"campaign": campaign, "formset": formset, "save_errors": save_errors, **page},
    )


@permission_required("cases.configure_campaign")
def campaign_materials(request, slug):
    """申报材料: the named materials applicants upload, each with its types, count and size limit."""
    campaign = get_object_or_404(Campaign, slug=slug)
    return _rows_page(
        request,
        campaign=campaign,
        formset_class=MaterialSlotFormSet,
        initial=material_slot_initial(campaign.material_slots.all()),
        save=lambda rows: services.material_slots_save(campaign=campaign, rows=rows, by=request.user, request=request),
        page={
            "title": "申报材料",
            "intro": "申报人须按下列名称逐项上传材料；“必交”的材料未上传不能提交。文件类型按内容判断。"
            "删除一项后，已上传的文件保留为申报案例的其他附件。没有任何一项时，申报页只有“附件”一栏（与以往相同）。",
            "testid": "material-slots",
            "evidence_button": True,
        },
    )


@permission_required("cases.configure_campaign")
def campaign_eligibility(request, slug):
    """申报资格: the conditions the applying organisation's 机构资质 must meet to start and submit."""
    campaign = get_object_or_404(Campaign, slug=slug)
    return _rows_page(
        request,
        campaign=campaign,
        formset_class=EligibilityRuleFormSet,
        initial=eligibility_rule_initial(campaign.eligibility_rules.all()),
        save=lambda rows: services.eligibility_rules_save(
            campaign=campaign, rows=rows, by=request.user, request=request
        ),
        page={
            "title": "申报资格",
            "intro": "不符合任一条件的机构不能开始申报，也不能提交；提示会写明不符合的条件和本机构的情况。"
            "机构的登记、年检、专职人员和持证社工情况由机构负责人在“机构资质”中填写。",
            "testid": "eligibility-rules",
        },
    )
