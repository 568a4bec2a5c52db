import getpass
import io
import re
import zipfile

import docx
import pytest
from django.utils import timezone

from cases.docx_export import (
    TEAM_LABELS,
    application_docx,
    application_docx_filename,
    applications_zip,
    export_queryset,
)
from cases.models import SECTIONS, Application
from cases.tests.factories_checks import (
    ApplicationFactory,
    CasePhotoFactory,
    EndorsementFactory,
    TeamMemberFactory,
)

FORM_LABELS = [
    "案例名称",
    "案例起止时间",
    "申报单位",
    "机构名称",
    "申报社工姓名",
    "联系方式（电话）",
    "电子邮箱",
    "QQ",
    "案例类别",
    "案例领域",
    "实施团队基本情况",
    "真实情况承诺",
    "所在单位推荐意见",
    "专家评审意见",
]


@pytest.fixture
def media(media_storage):
    return media_storage


@pytest.fixture
def application(db, media):
    application = ApplicationFactory(
        reference="KS2026-0007",
        pledge_accepted=True,
        pledge_signature="钱雨桐",
        pledged_at=timezone.now(),
        background="服务对象张某，独居。\n\n子女在外地工作。",
    )
    for name, contact in (("钱雨桐", "13800001111"), ("孔令晨", "13800002222"), ("严书瑶", "13800003333")):
        TeamMemberFactory(application=application, name=name, contact=contact)
    for caption in ("第一次家访", "小组活动", "社区义诊"):
        CasePhotoFactory(application=application, caption=caption)
    EndorsementFactory(application=application, decided_by__name="韦振邦")
    return application


def cell_texts(document) -> list[str]:
    table = document.tables[0]
    return [cell.text for row in table.rows for cell in row.cells]


def xml_parts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name: archive.read(name).decode("utf-8") for name in archive.namelist() if name.endswith((".xml", ".rels"))
        }


def test_the_form_table_holds_every_label_of_the_official_form(application):
    document = docx.Document(io.BytesIO(application_docx(application)))

    texts = cell_texts(document)
    for label in FORM_LABELS + TEAM_LABELS:
        assert label in texts, label
    assert document.paragraphs[0].text == "昆山市优秀社工案例报名表"
    assert application.title in texts
    assert "钱雨桐" in texts and "13962612345" in texts and "qianyutong@example.cn" in texts
    assert any("☑个案" in text and "□小组" in text for text in texts)
    assert any("☑老龄事业" in text and "□禁毒戒毒" in text for text in texts)


def test_the_team_table_has_one_row_per_member_under_the_header(application):
    document = docx.Document(io.BytesIO(application_docx(application)))

    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    header = rows.index(TEAM_LABELS)
    assert [row[0] for row in rows[header + 1 : header + 4]] == ["钱雨桐", "孔令晨", "严书瑶"]
    assert rows[header + 2][7] == "13800002222"
    assert rows[header + 1][6] == "社会工作师"


def test_the_pledge_recommendation_and_expert_box_follow_the_team(application):
    document = docx.Document(io.BytesIO(application_docx(application)))

    texts = cell_texts(document)
    pledge = next(t for t in texts if t.startswith("所选送案例"))
    assert "签名：钱雨桐" in pledge and "年" in pledge
    recommendation = texts[texts.index("所在单位推荐意见") + 1]
    assert "同意推荐" in recommendation and "推荐人：韦振邦" in recommendation and "单位（盖章）" in recommendation
    assert texts[texts.index("专家评审意见") + 1].strip().endswith("年   月   日")


def test_the_body_follows_under_the_six_headings_in_order(application):
    document = docx.Document(io.BytesIO(application_docx(application)))

    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[:6] == [heading for _, heading in SECTIONS]
    texts = [p.text for p in document.paragraphs]
    assert texts.index("服务对象张某，独居。") == texts.index("一、背景介绍") + 1
    assert texts.index("子女在外地工作。") == texts.index("一、背景介绍") + 2


def test_the_photos_are_embedded_with_their_captions(application):
    document = docx.Document(io.BytesIO(application_docx(application)))

    assert len(document.inline_shapes) == 3
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert captions == ["图1　第一次家访", "图2　小组活动", "图3　社区义诊"]


def test_chinese_fonts_are_set_as_east_asian_fonts_on_styles_and_runs(application):
    parts = xml_parts(application_docx(application))

    assert re.search(r'w:eastAsia="仿宋"', parts["word/styles.xml"])
    assert re.search(r'w:eastAsia="黑体"', parts["word/styles.xml"])
    assert 'w:eastAsia="宋体"' in parts["word/document.xml"]
    assert 'w:eastAsia="黑体"' in parts["word/document.xml"]


def test_core_properties_never_carry_the_server_user_name(application):
    document = docx.Document(io.BytesIO(application_docx(application)))

    properties = document.core_properties
    assert properties.author == properties.last_modified_by == "昆山社工案例评选门户"
    assert properties.comments == ""
    core = xml_parts(application_docx(application))["docProps/core.xml"]
    assert "python-docx" not in core
    assert f">{getpass.getuser()}<" not in core


def test_blind_export_contains_none_of_the_applicants_identifying_strings(application):
    application.applicant.name = "卫国栋"
    application.applicant.save()
    identifying = [
        application.applicant_name,
        application.applicant.name,
        application.organisation_name,
        application.organisation.name,
        application.declaring_unit,
        application.phone,
        application.email,
        application.qq,
        "韦振邦",
        "孔令晨",
        "严书瑶",
        "13800001111",
        "13800002222",
        "阳光社会工作服务中心 项目主管",
    ]

    application.title = f"{application.organisation.name}陪伴独居老人"
    application.background = f"钱雨桐在{application.organisation_name}工作，联系电话13962612345。"
    application.save()
    photo = application.photos.first()
    photo.caption = "孔令晨带领小组活动"
    photo.save()

    data = application_docx(application, blind=True)

    for name, xml in xml_parts(data).items():
        for secret in identifying:
            assert secret not in xml, f"{secret} in {name}"
    document = docx.Document(io.BytesIO(data))
    texts = cell_texts(document)
    assert "***陪伴独居老人" in texts
    assert "同意推荐" in " ".join(texts)
    assert "***在***工作，联系电话***。" in [p.text for p in document.paragraphs]
    assert len(document.inline_shapes) == 3


def test_the_file_is_named_title_organisation_and_person_as_the_notice_asks(application):
    assert application_docx_filename(application) == (
        f"{application.title}+{application.organisation_name}+钱雨桐.docx"
    )
    assert application_docx_filename(application, blind=True) == "KS2026-0007.docx"


def test_the_file_name_is_safe_for_every_file_system(db, media):
    application = ApplicationFactory(organisation_name="阳光", applicant_name="钱雨桐")
    application.title = '关爱/老人\\的:服务*?"<>|\x07案例' + "很长" * 45  # 100 characters, 300 bytes

    name = application_docx_filename(application)

    assert not re.search(r'[/\\:*?"<>|\x00-\x1f]', name)
    assert name.startswith("关爱老人的服务案例很长") and name.endswith(".docx")
    assert len(name.encode("utf-8")) <= 255


def test_the_zip_holds_one_docx_per_application_under_unique_names(application):
    twin = ApplicationFactory(
        title=application.title,
        organisation=application.organisation,
        organisation_name=application.organisation_name,
        applicant_name=application.applicant_name,
    )

    data = applications_zip(Application.objects.filter(pk__in=[application.pk, twin.pk]).order_by("pk"))

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert len(names) == 2 and len(set(names)) == 2
        assert names[1].endswith("（2）.docx")
        assert docx.Document(io.BytesIO(archive.read(names[0]))).tables


def test_the_blind_zip_is_named_by_reference(application):
    with zipfile.ZipFile(io.BytesIO(applications_zip([application], blind=True))) as archive:
        assert archive.namelist() == ["KS2026-0007.docx"]


def test_exporting_many_applications_costs_the_same_queries_as_one(application, django_assert_num_queries):
    with django_assert_num_queries(5):
        applications_zip(export_queryset(Application.objects.filter(pk=application.pk)))
    for _ in range(2):
        other = ApplicationFactory()
        TeamMemberFactory(application=other)
        EndorsementFactory(application=other)
    with django_assert_num_queries(5):
        applications_zip(export_queryset(Application.objects.all()))


def test_an_empty_draft_still_exports(db, media):
    draft = ApplicationFactory(title="", background="", category="", domain="")
    document = docx.Document(io.BytesIO(application_docx(draft)))
    assert "案例名称" in cell_texts(document)
    assert application_docx_filename(draft).startswith("未命名案例+")


def test_large_photos_are_embedded_at_print_resolution_and_fit_the_page(db, media):
    from django.core.files.base import ContentFile
    from PIL import Image

    from cases.tests.factories_checks import jpeg_bytes

    application = ApplicationFactory()
    CasePhotoFactory(application=application, image=ContentFile(jpeg_bytes(4000, 3000), name="wide.jpg"))
    CasePhotoFactory(application=application, image=ContentFile(jpeg_bytes(1000, 3000), name="tall.jpg"))

    data = application_docx(application)

    document = docx.Document(io.BytesIO(data))
    wide, tall = document.inline_shapes
    assert round(wide.width.cm) == 14 and wide.height.cm < 20
    assert round(tall.height.cm) == 20 and tall.width.cm < 14
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        media_sizes = [Image.open(io.BytesIO(archive.read(n))).size for n in archive.namelist() if "media/" in n]
    assert sorted(media_sizes) == [(787, 2362), (2362, 1772)]
