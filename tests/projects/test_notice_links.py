"""The notices of the workflow (returned, published) link to SITE_URL, whatever host the decision was made under
(core.mail.site_link): like the reset and invitation mails (tests/stakeholders/test_password_reset.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from monitoring import update_services as services
from tests.conftest import draft
from tests.outbox import deliver

pytestmark = pytest.mark.django_db

SITE_URL = "https://portal.example.org"
OTHER_HOST = "mirror.example.net"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE_URL
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, OTHER_HOST]


def test_a_return_and_an_approval_decided_under_another_host_link_to_site_url(client, world):
    update = services.submit_update(update=draft(world), user=world.author)
    deliver()  # the reviewers' notice of the submission
    client.force_login(world.secretariat)
    returned = client.post(
        reverse("updates:update-return", args=[update.pk]),
        {"reason": "Add figures.", "version": update.version},
        HTTP_HOST=OTHER_HOST,
    )
    assert returned.status_code == 302
    update = services.submit_update(update=update, user=world.author, expected_version=update.version + 1)
    approved = client.post(
        reverse("updates:update-approve", args=[update.pk]), {"version": update.version}, HTTP_HOST=OTHER_HOST
    )
    assert approved.status_code == 302
    to_author = [message for message in deliver() if message.to == [world.author.email]]
    assert len(to_author) == 2
    for message in to_author:
        assert SITE_URL + "/" in message.body and OTHER_HOST not in message.body
