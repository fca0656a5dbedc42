"""``{% per_language %}``: the chrome is rendered once per language, and nothing personal is in it."""

import pytest
from django.template import TemplateSyntaxError, engines
from django.utils import translation

from tests.factories import UserFactory


def test_rendered_once_per_language():
    template = engines["django"].from_string("{% load fragments %}{% per_language %}{{ value }}{% endper_language %}")
    with translation.override("en"):
        assert template.render({"value": "first"}) == "first"
        assert template.render({"value": "second"}) == "first"  # the markup rendered first, as intended
    with translation.override("fr"):
        assert template.render({"value": "third"}) == "third"


def test_takes_no_arguments():
    with pytest.raises(TemplateSyntaxError):
        engines["django"].from_string("{% load fragments %}{% per_language x %}{% endper_language %}")


def test_the_header_still_depends_on_who_is_signed_in(client, db):
    assert "Log in" in client.get("/").content.decode()  # the chrome is now rendered in this process
    client.force_login(UserFactory())
    page = client.get("/").content.decode()
    assert "Log out" in page and "My initiatives" in page and "Log in" not in page
    assert 'href="/initiatives/"' in page and "site-footer" in page
    client.logout()
    page = client.get("/").content.decode()
    assert "Log in" in page and "Log out" not in page
