"""The rubric page's tree: parts, 选择上级指标 as an indented tree, moving a criterion (up, down, to another
parent), and rubric_copy for the campaign copier."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEvent
from reviews import services
from reviews.models import Criterion, RubricPart
from reviews.selectors import criterion_parent_choices, rubric_tree, rubric_trees
from reviews.tests.factories import ReviewFactory, ScoreFactory, review_window_campaign

pytestmark = pytest.mark.django_db
S = "\u3000"  # a full-width space


@pytest.fixture
def rubric():
    """区县部分: 政策支持 > 政策文件 > (出台方案 5, 列入预算 5); 站点部分: 服务开展 > (个案服务 10, 小组服务 10)."""
    campaign = review_window_campaign()
    county = services.rubric_part_add(campaign=campaign, name="区县部分", scored_once_per_group=True)
    station = services.rubric_part_add(campaign=campaign, name="站点部分")
    add = services.criterion_add
    policy = add(campaign=campaign, name="政策支持", max_points=Decimal("0"), part=county)
    files = add(campaign=campaign, name="政策文件", max_points=Decimal("0"), parent=policy)
    add(campaign=campaign, name="出台方案", max_points=Decimal("5"), parent=files)
    add(campaign=campaign, name="列入预算", max_points=Decimal("5"), parent=files)
    service = add(campaign=campaign, name="服务开展", max_points=Decimal("0"), part=station)
    add(campaign=campaign, name="个案服务", max_points=Decimal("10"), parent=service)
    add(campaign=campaign, name="小组服务", max_points=Decimal("10"), parent=service)
    return campaign, {c.name: c for c in Criterion.objects.filter(campaign=campaign)}, county, station


def _names(campaign):
    return [c.name for c in rubric_tree(campaign)]


def test_children_take_their_top_level_criterion_s_part(rubric):
    campaign, c, county, station = rubric
    assert c["出台方案"].part == county and c["个案服务"].part == station
    assert {n.name: n.rubric_part for n in rubric_tree(campaign)}["列入预算"] == county


def test_the_parent_list_is_an_indented_tree(rubric, client, cast):
    campaign, c, _county, _station = rubric
    labels = [label for _pk, label in criterion_parent_choices(rubric_trees(campaign))]
    assert labels == [
        "政策支持",
        f"{S}政策文件",
        f"{S}{S}出台方案",
        f"{S}{S}列入预算",
        "服务开展",
        f"{S}个案服务",
        f"{S}小组服务",
    ]
    client.force_login(cast.staff)
    page = client.get(reverse("reviews:rubric", kwargs={"slug": campaign.slug})).content.decode()
    assert "选择上级指标" in page and f">{S}{S}出台方案</option>" in page
    assert "区县部分 10 分（按县区整体评价）；站点部分 20 分" in page


def test_a_criterion_cannot_be_offered_as_its_own_parent_or_under_its_own_children(rubric):
    campaign, c, _county, _station = rubric
    labels = [label.strip(S) for _pk, label in criterion_parent_choices(rubric_trees(campaign), exclude=c["政策支持"])]
    assert labels == ["服务开展", "个案服务", "小组服务"]


def test_moving_up_and_down_swaps_with_the_neighbour_and_is_audited(rubric, client, cast):
    campaign, c, _county, _station = rubric
    client.force_login(cast.staff)
    url = reverse("reviews:criterion_move", kwargs={"pk": c["小组服务"].pk})
    assert client.post(url, {"direction": "up"}).status_code == 302
    assert _names(campaign)[-2:] == ["小组服务", "个案服务"]
    assert AuditEvent.objects.filter(detail="上移评分指标", object_id=str(c["小组服务"].pk)).exists()
    client.post(url, {"direction": "down"})
    assert _names(campaign)[-2:] == ["个案服务", "小组服务"]
    response = client.post(url, {"direction": "down"}, follow=True)
    assert "已在最后。" in response.content.decode()
    assert _names(campaign)[-2:] == ["个案服务", "小组服务"]


def test_a_top_level_criterion_moves_within_its_part(rubric):
    campaign, c, _county, station = rubric
    outcome = services.criterion_add(campaign=campaign, name="服务成效", max_points=Decimal("20"), part=station)
    services.criterion_move(criterion=outcome, direction="up", by=None)
    assert [n.name for n in rubric_tree(campaign) if n.depth == 0] == ["政策支持", "服务成效", "服务开展"]
    with pytest.raises(ValidationError, match="已在最前"):
        services.criterion_move(criterion=outcome, direction="up", by=None)


def test_moving_to_another_parent_takes_the_subtree_and_the_new_part(rubric, client, cast):
    campaign, c, county, station = rubric
    client.force_login(cast.staff)
    files = c["政策文件"]
    response = client.post(
        reverse("reviews:criterion_edit", kwargs={"pk": files.pk}),
        {"parent": c["服务开展"].pk, "name": "政策文件", "description": "", "max_points": "0", "weight": "1"},
    )
    assert response.status_code == 302
    tree = rubric_tree(campaign)
    assert [(n.depth, n.name) for n in tree] == [
        (0, "政策支持"),
        (0, "服务开展"),
        (1, "个案服务"),
        (1, "小组服务"),
        (1, "政策文件"),
        (2, "出台方案"),
        (2, "列入预算"),
    ]
    assert set(
        Criterion.objects.filter(name__in=["政策文件", "出台方案", "列入预算"]).values_list("part", flat=True)
    ) == {station.pk}
    assert AuditEvent.objects.filter(detail="修改评分指标；移动评分指标至“服务开展”之下").exists()


def test_moving_under_its_own_child_is_refused_beside_the_field(rubric, client, cast):
    campaign, c, _county, _station = rubric
    client.force_login(cast.staff)
    response = client.post(
        reverse("reviews:criterion_edit", kwargs={"pk": c["政策支持"].pk}),
        {"parent": c["出台方案"].pk, "name": "政策支持", "description": "", "max_points": "0", "weight": "1"},
    )
    assert response.status_code == 200
    assert "不能移到该指标自身或其下级指标之下。" in response.content.decode()
    assert Criterion.objects.get(pk=c["政策支持"].pk).parent_id is None


def test_a_top_level_criterion_changes_part_with_its_subtree(rubric):
    campaign, c, county, station = rubric
    services.criterion_update(
        criterion=c["服务开展"],
        name="服务开展",
        description="",
        max_points=Decimal("0"),
        weight=Decimal("1"),
        part=county,
        by=None,
    )
    assert set(Criterion.objects.filter(name__in=["服务开展", "个案服务"]).values_list("part", flat=True)) == {
        county.pk
    }


def test_nothing_moves_once_a_score_exists(rubric):
    campaign, c, _county, _station = rubric
    ScoreFactory(review=ReviewFactory(assignment__application__campaign=campaign), criterion=c["个案服务"])
    with pytest.raises(ValidationError, match="已有专家评分"):
        services.criterion_move(criterion=c["小组服务"], direction="up", by=None)


def test_a_part_is_deleted_and_its_criteria_stay_without_one(rubric, client, cast):
    campaign, c, county, _station = rubric
    client.force_login(cast.staff)
    client.post(reverse("reviews:rubric_part_delete", kwargs={"pk": county.pk}))
    assert not RubricPart.objects.filter(pk=county.pk).exists()
    assert Criterion.objects.get(pk=c["政策支持"].pk).part is None


def test_adding_a_part_with_a_name_in_use_is_refused_beside_the_field(rubric, client, cast):
    campaign, *_ = rubric
    client.force_login(cast.staff)
    response = client.post(
        reverse("reviews:rubric", kwargs={"slug": campaign.slug}), {"action": "part", "name": "站点部分"}
    )
    assert response.status_code == 200 and "已有名为“站点部分”的部分。" in response.content.decode()


def test_rubric_copy_gives_new_ids_with_parents_and_parts_mapped(rubric):
    source, c, _county, _station = rubric
    services.criterion_add(campaign=source, name="小组目标", max_points=Decimal("30"), category="group")
    target = review_window_campaign()
    services.rubric_ensure(campaign=target)  # what the copier's new campaign may already hold: replaced
    assert services.rubric_copy(source=source, target=target) == 8

    def shape(campaign, category=""):
        return [
            (
                n.depth,
                n.name,
                n.max_points,
                n.rubric_part.name if n.rubric_part else "",
                n.rubric_part and n.rubric_part.scored_once_per_group,
            )
            for n in rubric_tree(campaign, category)
        ]

    assert shape(target) == shape(source)
    assert shape(target, "group") == shape(source, "group")
    copied = Criterion.objects.filter(campaign=target)
    assert not set(copied.values_list("pk", flat=True)) & set(
        Criterion.objects.filter(campaign=source).values_list("pk", flat=True)
    )
    assert all(x.parent is None or x.parent.campaign_id == target.pk for x in copied.select_related("parent"))
    assert all(x.part is None or x.part.campaign_id == target.pk for x in copied.select_related("part"))
    assert RubricPart.objects.filter(campaign=target).count() == 2


def test_a_part_is_renamed_and_marked_once_per_group_even_after_scores(rubric, client, cast):
    campaign, c, _county, station = rubric
    ScoreFactory(review=ReviewFactory(assignment__application__campaign=campaign), criterion=c["个案服务"])
    client.force_login(cast.staff)
    url = reverse("reviews:rubric_part_edit", kwargs={"pk": station.pk})
    client.post(url, {"name": "社工站部分", "scored_once_per_group": "on"})
    station.refresh_from_db()
    assert (station.name, station.scored_once_per_group) == ("社工站部分", True)
    assert AuditEvent.objects.filter(detail="修改评分部分：社工站部分（按县区整体评价）").exists()
    response = client.post(url, {"name": "区县部分"}, follow=True)
    assert "已有名为“区县部分”的部分。" in response.content.decode()
    station.refresh_from_db()
    assert station.name == "社工站部分"
