"""评选活动工作台: staff only, every page and every form post (a post refused to others before it is read)."""

from tests.permission_table import staff_only


def build(world):
    """A campaign of its own, so the workspace's saves touch nothing other tables use."""
    from cases.tests.factories import CampaignFactory

    world.workspace_campaign = CampaignFactory(slug="2026-workspace")


def _slug(world):
    return {"slug": world.workspace_campaign.slug}


ROWS = {
    "workspace:campaign_list": staff_only(),
    "workspace:campaign_new": staff_only(),
    # An empty post: staff get the form back with the messages beside the fields, others are refused.
    "workspace:campaign_new#post": staff_only(method="post"),
    "workspace:campaign": staff_only(kwargs=_slug),
    "workspace:campaign#post": staff_only(kwargs=_slug, method="post"),
    "workspace:publish": staff_only(kwargs=_slug),
    # An empty post (no action): staff are sent back to the page (302), others are refused; nothing changes.
    "workspace:publish#post": staff_only(kwargs=_slug, method="post", ok=302),
    "workspace:timeline": staff_only(kwargs=_slug),
    "workspace:timeline#post": staff_only(kwargs=_slug, method="post"),
    "workspace:rules": staff_only(kwargs=_slug),
    "workspace:rules#post": staff_only(kwargs=_slug, method="post"),
    "workspace:review": staff_only(kwargs=_slug),
    "workspace:awards": staff_only(kwargs=_slug),
    "workspace:reminders": staff_only(kwargs=_slug),
}
