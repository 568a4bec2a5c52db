"""Reads for 查重: the text of an application as compared, what never counts, and the pages' objects."""

import hashlib

from django.db.models import QuerySet

from cases.models import PLAN_GUIDANCE, SECTION_GUIDANCE, SECTIONS, Application

from . import engine
from .models import Boilerplate, ReferenceDocument, SimilarityMatch, SimilarityResult, SimilarityRun

SECTION_SEPARATOR = "\n\n"
# The plan's required items are the form's own words (subheadings every case repeats).
PLAN_ITEMS = ["理论依据", "服务需求", "服务目标", "服务程序安排", "小组理念", "小组目标", "小组性质", "小组程序"]


def application_body(application: Application) -> str:
    """The six sections as one text: every offset stored in a result points into this string. A campaign whose
    form is defined as data (cases.formdef) has its long-text answers instead; a case award's answers are empty,
    so its campaign is not even read."""
    if application.answers:
        from cases.formdef import campaign_definition, textarea_keys

        keys = textarea_keys(campaign_definition(application.campaign))
        return SECTION_SEPARATOR.join(str(application.answers.get(key) or "") for key in keys)
    return SECTION_SEPARATOR.join(getattr(application, name) for name, _ in SECTIONS)


def body_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def boilerplate_current() -> engine.Boilerplate:
    """The form's headings and guidance, the plan's items and the staff's list of policy/boilerplate paragraphs."""
    texts = [heading for _, heading in SECTIONS]
    texts += list(SECTION_GUIDANCE.values()) + list(PLAN_GUIDANCE.values()) + PLAN_ITEMS
    texts += list(Boilerplate.objects.values_list("text", flat=True))
    return engine.Boilerplate.from_texts(texts)


def similarity_result_for_page(application_pk: int) -> SimilarityResult:
    return SimilarityResult.objects.select_related("application__campaign", "application__organisation").get(
        application_id=application_pk
    )


def similarity_match_for_page() -> QuerySet[SimilarityMatch]:
    return SimilarityMatch.objects.select_related(
        "result__application__campaign", "source_application__campaign", "source_document"
    )


def similarity_run_for_page() -> QuerySet[SimilarityRun]:
    return SimilarityRun.objects.select_related("campaign", "requested_by")


def reference_documents() -> QuerySet[ReferenceDocument]:
    return ReferenceDocument.objects.select_related("uploaded_by").defer("text")
