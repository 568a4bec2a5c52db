"""Every write of 查重: the index, the results, the campaign-wide job and the reference corpus.

Candidates come from an inverted index of sampled shingle hashes (Fingerprint rows), not from MinHash/LSH:
MinHash estimates the Jaccard similarity of two whole texts, and a case that copies one section of six from
another has a Jaccard similarity near 0.1 with it, below any LSH threshold that keeps the candidate list short.
Shared fingerprints measure containment instead: any source that shares a passage of a few dozen characters
shares fingerprints with it, however long the rest of either text is. Fingerprints that occur in many texts
(stock phrases of the domain) are ignored, so candidates stay few.
"""

import io
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from accounts.audit import audit_record
from accounts.models import AuditEvent, User
from cases.models import Application, Campaign
from cases.services import strip_control_characters
from kunshan_portal.celery import enqueue
from notifications.jobs import job_active, job_queue, job_run

from . import engine
from .models import Fingerprint, IndexedText, ReferenceDocument, SimilarityMatch, SimilarityResult, SimilarityRun
from .selectors import application_body, body_digest, boilerplate_current

logger = logging.getLogger(__name__)

MIN_SHARED = 2  # rare fingerprints a candidate must share (≈ a shared passage of 40 characters or more)
COMMON_SHARE = 0.02  # a fingerprint in more than this share of all texts is a stock phrase, not evidence
COMMON_MIN = 20
MAX_CANDIDATES = 20
MAX_SOURCES = 10  # matches kept per application
TOP_SOURCES = 3  # shown in the list and the formal check
CHUNK = 500


@dataclass
class Source:
    text_id: int
    label: str
    text: str
    application_id: int | None = None
    document_id: int | None = None


def _application_label(application: Application) -> str:
    parts = [application.campaign.title, application.reference or "", application.title or ""]
    return " · ".join(p for p in parts if p)[:300]


def _document_label(document: ReferenceDocument) -> str:
    return f"参考案例集：{document.title}"[:300]


# --- The index ---------------------------------------------------------------------------------


def _insert_fingerprints(rows: list[tuple[int, int]]) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            with cursor.copy("COPY similarity_fingerprint (text_id, value) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    else:
        Fingerprint.objects.bulk_create([Fingerprint(text_id=t, value=v) for t, v in rows], batch_size=2000)


def texts_index(
    items: list[tuple[str, int, str]],
    *,
    boilerplate: engine.Boilerplate | None = None,
    analysed: dict[str, engine.Analysed] | None = None,
) -> int:
    """Index (kind, id, text) items, kind "application" or "document": a text whose digest is unchanged is left
    alone, a changed one gets its fingerprints anew (from `analysed[text]` when the caller has it already).
    Writes IndexedText and Fingerprint rows; returns how many texts were (re)indexed."""
    if not items:
        return 0
    boilerplate = boilerplate or boilerplate_current()
    field = {"application": "application_id", "document": "document_id"}
    known = {}
    for kind in ("application", "document"):
        ids = [i for k, i, _ in items if k == kind]
        if ids:
            for text_id, owner, digest in IndexedText.objects.filter(**{f"{field[kind]}__in": ids}).values_list(
                "pk", field[kind], "digest"
            ):
                known[(kind, owner)] = (text_id, digest)
    changed = []
    for kind, owner, text in items:
        digest = body_digest(text)
        existing = known.get((kind, owner))
        if existing and existing[1] == digest:
            continue
        changed.append((kind, owner, text, digest, existing[0] if existing else None))
    if not changed:
        return 0
    with transaction.atomic():
        stale = [c[4] for c in changed if c[4]]
        if stale:
            Fingerprint.objects.filter(text_id__in=stale).delete()
            IndexedText.objects.filter(pk__in=stale).delete()
        created = IndexedText.objects.bulk_create(
            [IndexedText(**{field[kind]: owner}, digest=digest) for kind, owner, _, digest, _ in changed]
        )
        rows = []
        for obj, (_, _, text, _, _) in zip(created, changed, strict=True):
            done = (analysed or {}).get(text) or engine.analyse(text, boilerplate)
            rows.extend((obj.pk, value) for value in done.fingerprints())
        _insert_fingerprints(rows)
    return len(changed)


def _common_limit() -> int:
    return max(COMMON_MIN, int(IndexedText.objects.count() * COMMON_SHARE))


def _rank(shared: Counter, exclude: int | None) -> list[int]:
    shared.pop(exclude, None)
    return [text_id for text_id, n in shared.most_common(MAX_CANDIDATES) if n >= MIN_SHARED]


def _candidates_from_db(fingerprints: set[int], exclude_text_id: int | None) -> list[int]:
    """Indexed texts sharing at least MIN_SHARED rare fingerprints, most shared first. One index-only lookup of the
    body's few hundred fingerprints; a fingerprint held by more than the common limit of texts is skipped."""
    if not fingerprints:
        return []
    holders: dict[int, list[int]] = defaultdict(list)
    if connection.vendor == "postgresql":  # a plain cursor: twice as fast as the ORM for ~10^4 (value, text) rows
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT value, text_id FROM {Fingerprint._meta.db_table} WHERE value = ANY(%s)", [list(fingerprints)]
            )
            rows = cursor.fetchall()
    else:
        rows = Fingerprint.objects.filter(value__in=fingerprints).values_list("value", "text_id")
    for value, text_id in rows:
        holders[value].append(text_id)
    limit = _common_limit()
    shared: Counter = Counter()
    for texts in holders.values():
        if len(texts) <= limit:
            shared.update(texts)
    return _rank(shared, exclude_text_id)


def _sources(text_ids: list[int], exclude_application: int | None = None) -> dict[int, Source]:
    """The texts to compare with, as they are now: submitted applications (not drafts) and reference documents."""
    sources = {}
    indexed = IndexedText.objects.filter(pk__in=text_ids).values_list("pk", "application_id", "document_id")
    app_ids = {a: t for t, a, d in indexed if a and a != exclude_application}
    doc_ids = {d: t for t, a, d in indexed if d}
    for application in Application.objects.submitted().filter(pk__in=app_ids).select_related("campaign"):
        sources[app_ids[application.pk]] = Source(
            app_ids[application.pk],
            _application_label(application),
            application_body(application),
            application_id=application.pk,
        )
    for document in ReferenceDocument.objects.filter(pk__in=doc_ids):
        sources[doc_ids[document.pk]] = Source(
            doc_ids[document.pk], _document_label(document), document.text, document_id=document.pk
        )
    return sources


# --- Results -------------------------------------------------------------------------------------


def _compare_all(
    analysed: engine.Analysed, sources: list[Source], cache: dict, boilerplate
) -> tuple[float, list[tuple[Source, engine.PairResult]]]:
    pairs = []
    for source in sources:
        other = cache.get(source.text_id)
        if other is None:
            other = cache[source.text_id] = engine.analyse(source.text, boilerplate)
        result = engine.compare(analysed, other)
        if result.passages:
            pairs.append((source, result))
    pairs.sort(key=lambda pair: -pair[1].a_share)
    pairs = pairs[:MAX_SOURCES]
    return engine.coverage(analysed, [r for _, r in pairs]), pairs


def _result_objects(application_id: int, digest: str, score: float, pairs):
    result = SimilarityResult(
        application_id=application_id,
        digest=digest,
        score=round(score, 4),
        top_sources=[{"label": s.label, "share": round(r.a_share, 4)} for s, r in pairs[:TOP_SOURCES]],
    )
    matches = [
        SimilarityMatch(
            result=result,
            source_application_id=source.application_id,
            source_document_id=source.document_id,
            label=source.label,
            share=round(pair.a_share, 4),
            source_text=source.text,
            passages=[p.as_dict() for p in pair.passages],
        )
        for source, pair in pairs
    ]
    return result, matches


def _results_save(results: list[tuple[SimilarityResult, list[SimilarityMatch]]]) -> None:
    with transaction.atomic():
        SimilarityResult.objects.filter(application_id__in=[r.application_id for r, _ in results]).delete()
        SimilarityResult.objects.bulk_create([r for r, _ in results])
        matches = []
        for result, result_matches in results:
            for match in result_matches:
                match.result = result
                matches.append(match)
        SimilarityMatch.objects.bulk_create(matches, batch_size=500)


def application_check(*, application_id: int, recheck_sources: bool = True) -> SimilarityResult | None:
    """Check one submitted application against every other submitted application (this campaign and past ones)
    and the reference corpus: indexes its body, finds candidates, stores its result and matches (replacing the
    last ones). Applications it copies from (or that copy from it) are queued for a check of their own, once, so
    the earlier of two similar cases shows the later one too. Nothing is sent; safe to run twice."""
    application = Application.objects.submitted().select_related("campaign").filter(pk=application_id).first()
    if application is None:
        return None
    boilerplate = boilerplate_current()
    body = application_body(application)
    analysed = engine.analyse(body, boilerplate)
    texts_index([("application", application.pk, body)], boilerplate=boilerplate, analysed={body: analysed})
    own = IndexedText.objects.filter(application=application).values_list("pk", flat=True).first()
    candidates = _candidates_from_db(analysed.fingerprints(), own)
    sources = _sources(candidates, exclude_application=application.pk)
    score, pairs = _compare_all(analysed, [sources[t] for t in candidates if t in sources], {}, boilerplate)
    result, matches = _result_objects(application.pk, body_digest(body), score, pairs)
    _results_save([(result, matches)])
    if recheck_sources:
        for source, _ in pairs:
            if source.application_id:
                enqueue("similarity.check_application", source.application_id, recheck_sources=False)
    return result


# --- 批量查重: a whole campaign, as a background job with progress --------------------------------


def campaign_check_start(*, campaign: Campaign, by: User, request=None) -> SimilarityRun:
    """Start checking every submitted application of the campaign; a second click while one is queued or running
    gets that one, while a run whose worker died gives way to a new one. Audited."""
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        active = job_active(SimilarityRun, campaign=campaign)
        if active is not None:
            return active
        run = SimilarityRun.objects.create(
            campaign=campaign,
            requested_by=by,
            total=Application.objects.submitted().filter(campaign=campaign).count(),
        )
        audit_record(
            kind=AuditEvent.Kind.OTHER, request=request, user=by, obj=run, detail=f"发起批量查重：{campaign.title}"
        )
        job_queue(run)
    return run


def _candidate_pairs(campaign_id: int, limit: int) -> dict[int, list[int]]:
    """For every indexed application of the campaign, the texts sharing at least MIN_SHARED rare fingerprints with
    it, most shared first. The database hands over only the fingerprints held by 2 to `limit` texts (a small part
    of the index), so the index never has to fit in memory."""
    fp = Fingerprint._meta.db_table
    campaign_texts = set(
        IndexedText.objects.filter(
            application__campaign_id=campaign_id,
            application__status__in=[s for s in Application.Status.values if s not in ("draft", "withdrawn")],
        ).values_list("pk", flat=True)
    )
    shared: dict[int, Counter] = defaultdict(Counter)

    def count(texts: list[int]) -> None:
        for text_id in texts:
            if text_id in campaign_texts:
                shared[text_id].update(texts)

    sql = f"""
        SELECT value, text_id FROM {fp}
        WHERE value IN (SELECT value FROM {fp} GROUP BY value HAVING COUNT(*) BETWEEN 2 AND %s)
        ORDER BY value
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [limit])
        current, texts = None, []
        while rows := cursor.fetchmany(50_000):
            for value, text_id in rows:
                if value != current:
                    count(texts)
                    current, texts = value, []
                texts.append(text_id)
        count(texts)
    return {text_id: _rank(counter, text_id) for text_id, counter in shared.items()}


def campaign_check_run(*, run_id: int, final_attempt: bool = True) -> str:
    """Check every submitted application of the run's campaign: index what changed, load the index once, then
    compare each application with its candidates and store the results, CHUNK applications at a time, with the
    job's progress and heartbeat (notifications.jobs): a rerun or a resumed run does it again from the start."""

    def build(run: SimilarityRun, beat) -> dict:
        app_ids = list(
            Application.objects.submitted().filter(campaign=run.campaign_id).order_by("pk").values_list("pk", flat=True)
        )
        beat(total=len(app_ids), done=0)
        boilerplate = boilerplate_current()
        for start in range(0, len(app_ids), CHUNK):
            chunk = Application.objects.filter(pk__in=app_ids[start : start + CHUNK]).select_related("campaign")
            texts_index([("application", a.pk, application_body(a)) for a in chunk], boilerplate=boilerplate)
        candidate_map = _candidate_pairs(run.campaign_id, _common_limit())
        text_of = dict(IndexedText.objects.filter(application_id__in=app_ids).values_list("application_id", "pk"))
        for start in range(0, len(app_ids), CHUNK):
            ids = app_ids[start : start + CHUNK]
            candidates = {a: candidate_map.get(text_of[a], []) for a in ids}
            needed = {t for ts in candidates.values() for t in ts}
            sources = _sources(list(needed))
            bodies = {}
            compared = Application.objects.filter(pk__in=[a for a, c in candidates.items() if c])
            for application in compared.select_related("campaign"):
                bodies[application.pk] = application_body(application)
            cache: dict = {}
            results = []
            digests = dict(IndexedText.objects.filter(application_id__in=ids).values_list("application_id", "digest"))
            for application_id in ids:
                own = [sources[t] for t in candidates[application_id] if t in sources and t != text_of[application_id]]
                if own and application_id in bodies:
                    analysed = cache.get(text_of[application_id]) or engine.analyse(bodies[application_id], boilerplate)
                    cache[text_of[application_id]] = analysed
                    score, pairs = _compare_all(analysed, own, cache, boilerplate)
                else:
                    score, pairs = 0.0, []
                results.append(_result_objects(application_id, digests[application_id], score, pairs))
            _results_save(results)
            beat(done=start + len(ids))
        return {"done": len(app_ids)}

    return job_run(SimilarityRun, run_id, build, final_attempt=final_attempt)


# --- 参考案例集 ---------------------------------------------------------------------------------------

REFERENCE_MAX_BYTES = 50 * 1024 * 1024
REFERENCE_MIN_CHARS = 50


def _docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def _txt_text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("无法识别文本文件的编码，请另存为 UTF-8 后上传。")


def reference_text_extract(data: bytes, filename: str) -> str:
    """The text of a .docx, a .pdf with a text layer, or a .txt (UTF-8 or GB18030)."""
    suffix = PurePath(filename).suffix.lower()
    readers = {".docx": _docx_text, ".pdf": _pdf_text, ".txt": _txt_text}
    if suffix not in readers:
        raise ValidationError("只接受 .docx、.pdf（含文字层）或 .txt 文件。")
    try:
        text = readers[suffix](data)
    except ValidationError:
        raise
    except Exception as exc:
        raise ValidationError(f"无法读取该文件（{type(exc).__name__}），请确认文件完好。") from exc
    text = strip_control_characters(text)
    if len(text.strip()) < REFERENCE_MIN_CHARS:
        raise ValidationError("未能从文件中提取到文字：扫描版 PDF 没有文字层，请上传 Word 或文字版 PDF。")
    return text


def reference_document_add(*, title: str, uploaded_file, by: User, request=None) -> ReferenceDocument:
    """Add a published case collection to the reference corpus: extract its text, store the file under a random
    name, index it. Audited."""
    if uploaded_file.size > REFERENCE_MAX_BYTES:
        raise ValidationError("文件不能超过 50 MB。")
    data = uploaded_file.read()
    text = reference_text_extract(data, uploaded_file.name)
    title = (title or "").strip() or PurePath(uploaded_file.name).stem
    with transaction.atomic():
        document = ReferenceDocument(
            title=title[:200], original_name=PurePath(uploaded_file.name).name[:200], text=text, uploaded_by=by
        )
        uploaded_file.seek(0)
        document.file.save(uploaded_file.name, uploaded_file, save=False)
        document.save()
        texts_index([("document", document.pk, text)])
        audit_record(
            kind=AuditEvent.Kind.OTHER, request=request, user=by, obj=document, detail=f"上传参考案例集：{title}"
        )
    return document
