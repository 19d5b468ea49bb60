"""Every HTML page carries a content security policy: scripts from the site's own files only
(the admin may run its inline ones), nothing framed, forms posted here only. The API's
documentation pages keep their own policy."""

import pytest
from django.urls import reverse

from config.middleware import ADMIN_POLICY, SITE_POLICY
from tests import factories

pytestmark = pytest.mark.django_db


def _directives(policy: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


def test_the_policy_runs_no_inline_script_on_the_sites_pages_and_keeps_them_unframed():
    site, admin = _directives(SITE_POLICY), _directives(ADMIN_POLICY)
    assert site["script-src"] == "'self'"
    assert admin["script-src"] == "'self' 'unsafe-inline'"
    for directives in (site, admin):
        assert directives["object-src"] == "'none'"
        assert directives["base-uri"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"
        assert directives["form-action"] == "'self'"


@pytest.mark.parametrize("name", ["login", "signup", "password_reset"])
def test_pages_for_anyone_carry_the_sites_policy(client, name):
    assert client.get(reverse(name))["Content-Security-Policy"] == SITE_POLICY


def test_signed_in_pages_and_error_pages_carry_the_sites_policy(client):
    client.force_login(factories.ManagerFactory())
    for url in (reverse("manager-home"), reverse("manager-board"), "/no-such-page/"):
        assert client.get(url)["Content-Security-Policy"] == SITE_POLICY, url


def test_the_admin_may_run_its_inline_scripts(admin_client):
    assert admin_client.get(reverse("admin:index"))["Content-Security-Policy"] == ADMIN_POLICY


def test_the_api_documentation_keeps_its_own_policy_and_json_gets_none(client):
    from incubator.api.docs import POLICY

    client.force_login(factories.ManagerFactory())
    assert client.get(reverse("api:redoc"))["Content-Security-Policy"] == POLICY
    assert "Content-Security-Policy" not in client.get("/api/v1/me/")
