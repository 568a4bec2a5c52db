"""查重 pages, staff only: an application's report, the side-by-side view, the campaign job and the corpus."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.permissions import permission_required
from cases.models import Application, Campaign
from notifications.jobs import job_state, job_status_response

from . import engine, selectors, services
from .forms import ReferenceDocumentForm
from .models import SimilarityResult, SimilarityRun


def _application(request, pk):
    return get_object_or_404(Application.objects.submitted().select_related("campaign", "organisation"), pk=pk)


@permission_required("similarity.view_report", get_object=_application)
def application_report(request, pk, obj):
    """查重报告: the share of the body found elsewhere and every source, each linking to the side-by-side view."""
    result = SimilarityResult.objects.filter(application=obj).first()
    matches = list(result.matches.defer("source_text").select_related("source_application")) if result else []
    stale = bool(result) and result.digest != selectors.body_digest(selectors.application_body(obj))
    return render(
        request,
        "similarity/application_report.html",
        {"application": obj, "result": result, "matches": matches, "stale": stale},
    )


def _match(request, pk):
    return get_object_or_404(selectors.similarity_match_for_page(), pk=pk)


def _numbered_segments(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, int | None]]:
    """(piece, passage number or None); overlapping passages are shown as one mark with the first number."""
    numbered = sorted((start, end, n) for n, (start, end) in enumerate(spans, start=1))
    pieces, pos = [], 0
    for start, end, number in numbered:
        start = max(start, pos)
        if end <= start:
            continue
        if start > pos:
            pieces.append((text[pos:start], None))
        pieces.append((text[start:end], number))
        pos = end
    if pos < len(text):
        pieces.append((text[pos:], None))
    return pieces


@permission_required("similarity.view_report", get_object=_match)
def match_detail(request, pk, obj):
    """Side by side: the application's body and the source's text, the shared passages highlighted and numbered.
    Both texts are rendered piece by piece with the template's escaping: nothing a user typed is marked safe."""
    application = obj.result.application
    body = selectors.application_body(application)
    passages = obj.passages
    context = {
        "match": obj,
        "application": application,
        "stale": obj.result.digest != selectors.body_digest(body),
        "left": _numbered_segments(body, [(p["a_start"], p["a_end"]) for p in passages]),
        "right": _numbered_segments(obj.source_text, [(p["b_start"], p["b_end"]) for p in passages]),
        "passage_count": len(passages),
        "covered_chars": sum(e - s for s, e in engine.merge_spans((p["a_start"], p["a_end"]) for p in passages)),
    }
    return render(request, "similarity/match_detail.html", context)


def _campaign(request, slug):
    return get_object_or_404(Campaign, slug=slug)


@require_POST
@permission_required("similarity.check_campaign", get_object=_campaign)
def campaign_check(request, slug, obj):
    """批量查重 of a whole campaign: a background job with a progress page."""
    run = services.campaign_check_start(campaign=obj, by=request.user, request=request)
    return redirect("similarity:run_detail", pk=run.pk)


def _run(request, pk):
    return get_object_or_404(selectors.similarity_run_for_page(), pk=pk)


def _run_state(run: SimilarityRun) -> dict:
    return job_state(run, download_url=reverse("cases:staff_applications") + "?similarity=30")


@permission_required("similarity.check_campaign", get_object=_run)
def run_detail(request, pk, obj):
    return render(request, "similarity/run_detail.html", {"run": obj, "state": _run_state(obj)})


@permission_required("similarity.check_campaign", get_object=_run)
def run_status(request, pk, obj):
    return job_status_response(obj, download_url=reverse("cases:staff_applications") + "?similarity=30")


@permission_required("similarity.manage_corpus")
def reference_documents(request):
    """参考案例集: the corpus staff upload, 25 a page, and the upload form."""
    form = ReferenceDocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.reference_document_add(
                title=form.cleaned_data["title"],
                uploaded_file=form.cleaned_data["file"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            messages.success(request, f"已加入参考案例集：{document.title}（{len(document.text)} 字）。")
            return redirect("similarity:reference_documents")
    page = Paginator(selectors.reference_documents(), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "similarity/reference_documents.html",
        {
            "form": form,
            "page_obj": page,
            "documents": page.object_list,
            "is_paginated": page.has_other_pages(),
            "campaigns": Campaign.objects.all()[:10],
        },
    )
