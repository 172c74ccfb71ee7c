"""A mistyped or stale link under /h5/ or /console/ gets a page in Chinese, not JSON."""
import pytest


@pytest.mark.parametrize("path, text", [("/h5/nope.html", "打开我的"), ("/console/nope.html", "返回诉求收件箱"),
                                        ("/h5/deep/er/page", "页面不存在")])
def test_unknown_pages_are_pages(client, path, text):
    response = client.get(path)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert text in response.get_data(as_text=True)


def test_the_api_still_answers_json(client):
    response = client.get("/api/nope")
    assert response.status_code == 404 and response.is_json
