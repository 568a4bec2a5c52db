import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from django.core.management import CommandError, call_command

from cases.models import SECTIONS
from cases.tests.factories_checks import ApplicationFactory, CasePhotoFactory, TeamMemberFactory

ROOT = Path(__file__).resolve().parents[2]
TEXT = "案主张伟，电话139 1234 5678。\n家住人民路88号，邮箱wang.fang@163.com。\n"


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def case_text(tmp_path):
    path = tmp_path / "case.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def test_lint_case_prints_the_documented_json_with_character_offsets(case_text):
    rows = json.loads(run("lint_case", "--file", str(case_text), "--json"))

    assert [row["kind"] for row in rows] == ["term", "person_name", "phone", "address", "email"]
    for row in rows:
        assert set(row) == {"kind", "start", "end", "text", "suggestion"}
        assert TEXT[row["start"] : row["end"]] == row["text"]
    assert rows[2] == {"kind": "phone", "start": 7, "end": 20, "text": "139 1234 5678", "suggestion": "139****5678"}


def test_lint_case_without_json_lists_findings_in_chinese_with_line_and_column(case_text):
    output = run("lint_case", "--file", str(case_text))

    assert "第1行第1列  [用语规范] 案主 → 建议：服务对象" in output
    assert "第2行第3列  [详细地址] 人民路88号" in output
    assert "共发现 5 处" in output


def test_lint_case_on_a_clean_file_says_so(tmp_path):
    path = tmp_path / "clean.txt"
    path.write_text("社会工作者与服务对象张某共同制定了服务计划。", encoding="utf-8")
    assert json.loads(run("lint_case", "--file", str(path), "--json")) == []
    assert "未发现" in run("lint_case", "--file", str(path))


def test_lint_case_checks_a_stored_application_per_section_and_caption(db, media_storage):
    application = ApplicationFactory(reference="KS2026-0001", plan="求助者李秀英希望改善关系。")
    photo = CasePhotoFactory(application=application, caption="电话13912345678")

    rows = json.loads(run("lint_case", "--case", "KS2026-0001", "--json"))

    assert {(row["field"], row["kind"]) for row in rows} == {
        ("plan", "term"),
        ("plan", "person_name"),
        (f"photo:{photo.pk}", "phone"),
    }
    plan = next(row for row in rows if row["field"] == "plan" and row["kind"] == "person_name")
    assert application.plan[plan["start"] : plan["end"]] == "李秀英"
    assert "三、服务计划" in run("lint_case", "--case", "KS2026-0001")


def test_lint_case_refuses_wrong_arguments(db, tmp_path):
    with pytest.raises(CommandError):
        run("lint_case", "--json")
    with pytest.raises(CommandError, match="找不到文件"):
        run("lint_case", "--file", str(tmp_path / "missing.txt"))
    with pytest.raises(CommandError, match="找不到申报编号"):
        run("lint_case", "--case", "KS2026-9999")


def test_lint_case_exits_0_with_findings_and_non_zero_on_wrong_arguments(case_text):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    found = subprocess.run(
        [sys.executable, "manage.py", "lint_case", "--file", str(case_text), "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert found.returncode == 0, found.stderr
    assert len(json.loads(found.stdout)) == 5
    assert found.stderr == ""  # jieba starts quietly

    wrong = subprocess.run(
        [sys.executable, "manage.py", "lint_case"], cwd=ROOT, env=env, capture_output=True, check=False
    )
    assert wrong.returncode != 0


def test_export_case_writes_the_docx_to_a_path_or_into_a_directory(db, media_storage, tmp_path):
    application = ApplicationFactory(reference="KS2026-0002", title="陪伴的力量")
    TeamMemberFactory(application=application, name="孔令晨")

    run("export_case", "KS2026-0002", "--out", str(tmp_path / "out.docx"))
    run("export_case", "KS2026-0002", "--out", str(tmp_path), "--blind")

    document = docx.Document(str(tmp_path / "out.docx"))
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"][:6] == [h for _, h in SECTIONS]
    assert "孔令晨" in [cell.text for row in document.tables[0].rows for cell in row.cells]
    with zipfile.ZipFile(tmp_path / "KS2026-0002.docx") as blind:
        assert "孔令晨" not in blind.read("word/document.xml").decode()


def test_export_case_refuses_an_unknown_reference(db, tmp_path):
    with pytest.raises(CommandError, match="找不到申报编号"):
        run("export_case", "KS2026-9999", "--out", str(tmp_path / "x.docx"))
