"""Cluster managers with admin access keep the reference data there (organisations, fields,
calls, reviewer profiles, people's roles, schedules) and may look at the rest; they never reach
another person's sign-in or admin rights."""

import re

import pytest
from django.urls import reverse

from incubator.models import Call, Organisation, User
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_manager(client):
    manager = factories.ManagerFactory(is_staff=True)
    client.force_login(manager)
    return manager


def test_the_admin_index_lists_what_managers_keep(client, staff_manager):
    page = client.get(reverse("admin:index")).content.decode()

    assert "You don’t have permission" not in page
    for name in ("Organisations", "Calls", "Users", "Startups", "Periodic tasks"):
        assert name in page, name
    # Schedules are looked at, not changed (one switched off would stop all e-mail).
    assert not staff_manager.has_perm("django_celery_beat.change_periodictask")
    assert "API tokens" not in page


def _management_forms(page: str) -> dict[str, str]:
    """The inline formsets' management fields of an admin form, empty."""
    data = {}
    for prefix in re.findall(r'name="([\w-]+)-TOTAL_FORMS"', page):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def test_a_manager_creates_a_call_and_an_organisation_in_the_admin(client, staff_manager):
    response = client.post(
        reverse("admin:incubator_organisation_add"),
        {
            "name": "Skoltech",
            "short_name": "Skoltech",
            "kind": "university",
            "city": "Moscow",
            "is_member": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Organisation.objects.filter(name="Skoltech").exists()

    url = reverse("admin:incubator_call_add")
    page = client.get(url).content.decode()
    # The rubric is kept on the call's rubric page, which locks it once reviews exist.
    assert 'name="criteria-0-weight"' not in page
    call_form = {
        "title": "Cohort 2027",
        "slug": "cohort-2027",
        "created_at_0": "2026-11-27",
        "created_at_1": "12:00",
        "opens_at_0": "2027-01-10",
        "opens_at_1": "10:00",
        "closes_at_0": "2027-02-10",
        "closes_at_1": "18:00",
        "review_deadline_0": "2027-03-01",
        "review_deadline_1": "18:00",
        "capacity": "12",
        "min_reviews": "2",
        "reviewers_per_application": "3",
        "stall_limit_days": "180",
        "disagreement_threshold": "2.5",
        "funding_per_startup": "3000000",
        "managers": [staff_manager.pk],
        **_management_forms(page),
    }
    # Settings that cannot work are refused, each at its field.
    response = client.post(
        url,
        {
            **call_form,
            "min_reviews": "5",
            "reviewers_per_application": "2",
            "disagreement_threshold": "-1",
            "stall_limit_days": "0",
            "funding_per_startup": "-100",
            "capacity": "0",
        },
    )
    assert response.status_code == 200
    refused = {name for name, errors in response.context["adminform"].form.errors.items() if errors}
    assert refused == {
        "min_reviews",
        "disagreement_threshold",
        "stall_limit_days",
        "funding_per_startup",
        "capacity",
    }
    assert "it could never have more completed reviews" in response.content.decode()
    assert not Call.objects.filter(slug="cohort-2027").exists()

    response = client.post(url, call_form)
    errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S)
    assert response.status_code == 302, errors
    call = Call.objects.get(slug="cohort-2027")
    assert list(call.managers.all()) == [staff_manager]


def test_a_manager_looks_at_startups_but_changes_them_only_through_the_pages(client, staff_manager):
    startup = factories.StartupFactory(name="NeuroRegen")
    url = reverse("admin:incubator_startup_change", args=[startup.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "Renamed"}).status_code == 403
    assert client.get(reverse("admin:incubator_startup_delete", args=[startup.pk])).status_code == 403


def test_a_manager_changes_roles_but_not_sign_in_or_admin_rights(client, staff_manager):
    person = factories.FounderFactory(full_name="Olga Founder", email="olga@example.org")
    url = reverse("admin:incubator_user_change", args=[person.pk])
    page = client.get(url).content.decode()
    assert 'name="is_mentor"' in page
    for field in ("is_staff", "is_superuser", "user_permissions", "groups"):
        assert f'name="{field}"' not in page, field
    assert 'name="email"' not in page  # shown, not editable

    response = client.post(
        url,
        {
            "full_name": "Olga Founder",
            "position": "CEO",
            "language": "",
            "is_founder": "on",
            "is_mentor": "on",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "email": "mine@example.org",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.is_mentor
    assert (person.is_staff, person.is_superuser, person.email) == (False, False, "olga@example.org")
    # The manager role opens every founder's data: only superusers grant it.
    assert 'name="is_manager"' not in page
    client.post(url, {"full_name": "Olga Founder", "language": "", "is_founder": "on", "is_manager": "on"})
    person.refresh_from_db()
    assert not person.is_manager
    assert client.get(reverse("admin:auth_user_password_change", args=[person.pk])).status_code == 403


@pytest.mark.parametrize(("staff", "superuser"), [(True, True), (True, False), (False, True)])
def test_accounts_with_admin_access_are_left_to_superusers(client, staff_manager, staff, superuser):
    admin = factories.ManagerFactory(is_staff=staff, is_superuser=superuser, full_name="Root")
    url = reverse("admin:incubator_user_change", args=[admin.pk])
    assert client.get(url).status_code == 200  # view only
    assert client.post(url, {"full_name": "Hijacked", "is_active": ""}).status_code == 403
    admin.refresh_from_db()
    assert (admin.full_name, admin.is_active) == ("Root", True)
    assert client.get(reverse("admin:auth_user_password_change", args=[admin.pk])).status_code == 403


def test_managers_without_staff_access_and_other_people_stay_out(client):
    for person in (factories.ManagerFactory(is_staff=False), factories.MentorFactory(is_staff=True)):
        client.force_login(person)
        response = client.get(reverse("admin:incubator_call_changelist"))
        assert response.status_code in (302, 403)
    assert not User.objects.get(pk=person.pk).has_perm("incubator.view_call")
