from tests.permission_table import staff_only


def build(world):
    """Nothing of its own: the statistics read what the other tables built."""


ROWS = {
    "insights:statistics": staff_only(),
    "insights:statistics_xlsx": staff_only(),
}
