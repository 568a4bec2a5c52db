import pytest

from cases.tests.factories import CampaignFactory
from workspace.services import campaign_short_from_title, campaign_slug_make

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "title,short",
    [
        ("2026年昆山市优秀社工案例评选", "kssyxsgalpx"),
        ("昆山市第三届社工节优秀案例评选", "ksssgjyxalpx"),
        ("2026", "campaign"),
        ("2026年度", "campaign"),
        ("第3届 2026", "campaign"),
        ("Kunshan 案例 2027年度", "kunshanal"),
    ],
)
def test_a_title_gives_its_key_words_initials_never_a_number(title, short):
    assert campaign_short_from_title(title) == short


def test_the_slug_is_year_and_pinyin_initials_of_a_chinese_title():
    assert campaign_slug_make(title="2026年昆山市优秀社工案例评选", year=2026) == "2026-kssyxsgalpx"


def test_a_typed_short_name_wins_over_the_title():
    assert campaign_slug_make(title="2026年昆山市优秀社工案例评选", short="ksal", year=2026) == "2026-ksal"


def test_a_short_name_of_digits_only_falls_back_to_the_title():
    assert campaign_slug_make(title="优秀案例", short="2026", year=2026) == "2026-yxal"


def test_a_title_of_digits_only_never_collapses_to_the_year():
    slug = campaign_slug_make(title="2026", year=2026)
    assert slug == "2026-campaign" and not slug.replace("-", "").isdigit()


def test_a_taken_slug_gets_the_next_free_suffix():
    CampaignFactory(slug="2026-ksal")
    CampaignFactory(slug="2026-ksal-2")
    assert campaign_slug_make(title="x", short="ksal", year=2026) == "2026-ksal-3"
    CampaignFactory(slug="2026-ksalx")  # a longer slug with the same start is not a clash
    assert campaign_slug_make(title="x", short="ksa", year=2026) == "2026-ksa"
