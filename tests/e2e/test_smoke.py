import pytest


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_home_page_renders_in_chromium(page, live_server, screenshot_dir):
    page.goto(live_server.url + "/")
    assert "昆山社工案例评选门户" in page.title()
    page.screenshot(path=f"{screenshot_dir}/smoke-home.png")
