"""Huge text costs nothing: a hard maximum per section, a capped request, and saves that never wait for the
privacy check (issue 15 item 4)."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import services
from cases.models import Application
from cases.privacy import _cache_key, application_findings, findings_cached
from cases.tests.test_views import form_data

pytestmark = pytest.mark.django_db

ID_SENTENCE = "服务对象身份证号 320583199001011232。"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def _too_long(settings):
    return "服" * (settings.CASE_SECTION_MAX_CHARS - 1) + "务尾"  # one character over the limit


def test_an_autosaved_section_over_the_maximum_is_refused_beside_it_and_the_rest_is_saved(client_a, draft, settings):
    settings.CASE_SECTION_MAX_CHARS = 2_000
    before = draft.background
    response = client_a.post(
        reverse("cases:application_autosave", args=[draft.pk]),
        form_data(draft, title="新的案例名称", background=_too_long(settings)),
    )
    body = response.json()
    assert response.status_code == 200 and body["ok"]
    assert body["unsaved"] == ["background"]  # the editor keeps its local copy
    assert any("超过每节 2000 字的上限" in m for m in body["problems"]["background"])
    draft.refresh_from_db()
    assert draft.background == before and draft.title == "新的案例名称"


def test_the_editor_shows_an_over_long_section_again_with_the_message(client_a, draft, settings):
    settings.CASE_SECTION_MAX_CHARS = 2_000
    text = _too_long(settings)
    response = client_a.post(reverse("cases:application_edit", args=[draft.pk]), form_data(draft, background=text))
    page = response.content.decode()
    assert response.status_code == 200
    assert "超过每节 2000 字的上限" in page and text in page  # nothing typed is lost
    draft.refresh_from_db()
    assert draft.background != text


def test_the_service_refuses_an_over_long_section(draft, settings):
    settings.CASE_SECTION_MAX_CHARS = 100
    with pytest.raises(ValidationError) as refused:
        services.application_save_draft(application=draft, expected_version=draft.version, fields={"plan": "计" * 101})
    assert "plan" in refused.value.error_dict
    draft.refresh_from_db()
    assert draft.plan != "计" * 101


def test_the_default_maximum_is_well_above_the_advised_length_and_fits_in_one_request(settings):
    assert settings.CASE_SECTION_MAX_CHARS >= 30_000
    # Six full sections of Chinese text, percent-encoded, fit in the form-data cap.
    assert 6 * settings.CASE_SECTION_MAX_CHARS * 9 < settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 4 * 1024 * 1024


def test_a_five_megabyte_section_is_refused_before_the_form_is_read(client_a, draft):
    response = client_a.post(
        reverse("cases:application_autosave", args=[draft.pk]), form_data(draft, background="字" * 5 * 1024 * 1024)
    )
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.version == 1


def test_a_request_above_the_total_size_limit_is_refused_with_413(client_a, draft, settings):
    settings.UPLOAD_MAX_REQUEST_BYTES = 10_000
    response = client_a.post(
        reverse("cases:application_edit", args=[draft.pk]), form_data(draft, background="长" * 10_000)
    )
    assert response.status_code == 413 and "提交的内容太大" in response.content.decode()


def test_an_autosave_answers_before_the_privacy_check_which_runs_after_it(
    client_a, draft, django_capture_on_commit_callbacks
):
    text = draft.background + ID_SENTENCE
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_a.post(
            reverse("cases:application_autosave", args=[draft.pk]), form_data(draft, background=text)
        )
    body = response.json()
    assert response.status_code == 200 and body["ok"] and body["findings_pending"]
    assert findings_cached(text) is None  # the save did not run the check
    draft.refresh_from_db()
    assert draft.findings_count == 0
    for callback in callbacks:
        callback()  # the queued background check
    draft.refresh_from_db()
    assert draft.findings_count >= 1
    assert [f.kind for f in findings_cached(text)] == ["id_number"]
    findings = client_a.get(reverse("cases:application_findings", args=[draft.pk])).json()["findings"]
    assert [f["kind"] for f in findings["background"]] == ["id_number"]


def test_only_sections_that_changed_are_checked_again(draft):
    planted = {"kind": "term", "start": 0, "end": 2, "text": "案主", "suggestion": "服务对象"}
    # A result remembered for the unchanged reflection text is used as it is, never recomputed.
    cache.set(_cache_key(draft.reflection), [planted])
    draft.background = draft.background + ID_SENTENCE
    found = application_findings(draft)
    assert [f.as_dict() for f in found["reflection"]] == [planted]
    assert [f.kind for f in found["background"]] == ["id_number"]


def test_submit_finds_what_the_background_check_has_not_looked_at_yet(draft, django_capture_on_commit_callbacks):
    draft = services.application_save_draft(application=draft, expected_version=draft.version, fields={})
    with django_capture_on_commit_callbacks(execute=False):
        services.application_save_draft(
            application=draft, expected_version=draft.version, fields={"background": draft.background + ID_SENTENCE}
        )
    draft.refresh_from_db()
    assert draft.findings_count == 0  # the background check has not run
    with pytest.raises(ValidationError) as refused:
        services.application_submit(application_id=draft.pk, by=draft.applicant)
    assert refused.value.code == "findings"
    draft.refresh_from_db()
    assert draft.status == Application.Status.DRAFT and draft.findings_count == 1


@pytest.mark.parametrize(
    "form_path, field, data",
    [
        ("cases.forms.DecisionForm", "opinion", {"decision": "recommended"}),
        ("reviews.forms.ScoreForm", "opinion", {}),
        ("awards.forms.NoteForm", "text", {}),
        ("awards.forms.DecideForm", "reply", {"decision": "dismissed"}),
    ],
)
def test_every_other_long_text_field_has_a_maximum_with_a_chinese_message(form_path, field, data, settings):
    from django.utils.module_loading import import_string

    form_class = import_string(form_path)
    kwargs = {"leaves": []} if form_path.endswith("ScoreForm") else {}
    form = form_class(data={**data, field: "长" * (settings.LONG_TEXT_MAX_CHARS + 1)}, **kwargs)
    assert not form.is_valid()
    assert "最多 10000 字" in form.errors[field][0]
    ok = form_class(data={**data, field: "长" * settings.LONG_TEXT_MAX_CHARS}, **kwargs)
    ok.is_valid()
    assert field not in ok.errors


def _queued_tasks(callbacks) -> list[str]:
    """The names of the tasks the on-commit callbacks would queue (enqueue(name, ...) wraps publish)."""
    names = []
    for callback in callbacks:
        for value in [
            *getattr(callback, "args", ()),
            *(c.cell_contents for c in (getattr(callback, "__closure__", None) or ())),
        ]:
            names.append(value if isinstance(value, str) else getattr(value, "name", value))
    return names


def test_the_editors_submit_runs_the_check_once_and_queues_no_second_one(
    client_a, draft, django_capture_on_commit_callbacks
):
    refresh_findings = "cases.refresh_findings"
    url = reverse("cases:application_edit", args=[draft.pk])
    with django_capture_on_commit_callbacks(execute=False) as autosave_callbacks:
        client_a.post(
            reverse("cases:application_autosave", args=[draft.pk]), form_data(draft, background="改过的背景介绍。")
        )
    assert refresh_findings in _queued_tasks(autosave_callbacks)  # an autosave defers its check
    draft.refresh_from_db()
    data = form_data(draft, background="再次改过的背景介绍。" + ID_SENTENCE, action="submit")
    with django_capture_on_commit_callbacks(execute=False) as submit_callbacks:
        response = client_a.post(url, data)
    assert refresh_findings not in _queued_tasks(submit_callbacks)
    assert "确认无误后再次提交" in response.content.decode()
    draft.refresh_from_db()
    assert draft.findings_count == 1


def test_a_submit_refused_for_missing_fields_still_stores_the_findings_count(draft):
    Application.objects.filter(pk=draft.pk).update(title="", background=draft.background + ID_SENTENCE)
    with pytest.raises(ValidationError) as refused:
        services.application_submit(application_id=draft.pk, by=draft.applicant)
    assert "title" in refused.value.error_dict
    draft.refresh_from_db()
    assert draft.findings_count == 1 and draft.status == Application.Status.DRAFT


def test_a_text_checked_paragraph_by_paragraph_has_the_findings_of_the_whole_text():
    from cases.privacy import find_findings, find_findings_remembered
    from cases.tests.test_privacy import DEIDENTIFIED_CASE

    text = DEIDENTIFIED_CASE.replace("服务对象张某，女", "案主李秀英，女").replace(
        "投入经费3000元。", "投入经费3000元，联系电话 0512-57533024。\n\n服务对象住在人民路88号3栋2单元301室。"
    )
    whole = find_findings(text)
    assert {f.kind for f in whole} >= {"term", "person_name", "phone", "address"}
    assert find_findings_remembered(text) == whole
    assert find_findings_remembered(text) == whole  # now from the cache


def test_an_edit_to_one_paragraph_checks_that_paragraph_only():
    from cases.privacy import find_findings_remembered

    first, second = "社会工作者走访服务对象。", "服务对象身份证号 320583199001011232。"
    planted = {"kind": "term", "start": 0, "end": 5, "text": "社会工作者", "suggestion": "planted"}
    cache.set(_cache_key(first), [planted])  # the first paragraph was checked before
    found = find_findings_remembered(first + "\n" + second)
    assert found[0].suggestion == "planted"  # read, not checked again
    assert found[1].kind == "id_number" and found[1].start == len(first) + 1 + len("服务对象身份证号 ")
