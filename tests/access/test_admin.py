"""The Django admin honours the policy: superuser or staff status never shows a
protected space, and a hidden object's page behaves like a deleted one's."""

import uuid

import pytest
from django.test import Client
from django.utils.html import escape


def admin_client(user):
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def change_url(model, pk):
    return f"/admin/timetable/{model}/{pk}/change/"


@pytest.mark.parametrize("role", ["superuser", "coordinator"])
def test_admin_lists_never_show_the_protected_class(world, role):
    client = admin_client(getattr(world, role))
    for url in ("/admin/timetable/activity/", "/admin/timetable/session/", "/admin/"):
        body = client.get(url).content.decode()
        assert "Women" not in body and str(world.protected_activity.pk) not in body
    page = client.get("/admin/timetable/activity/").content.decode()
    if role == "coordinator":
        assert world.public_activity.title in page


@pytest.mark.parametrize("role", ["superuser", "coordinator"])
def test_admin_object_page_of_a_hidden_activity_is_like_a_missing_one(world, role):
    client = admin_client(getattr(world, role))
    hidden = client.get(change_url("activity", world.protected_activity.pk), follow=True)
    missing = client.get(change_url("activity", uuid.uuid4()), follow=True)
    assert hidden.status_code == missing.status_code
    assert hidden.redirect_chain == missing.redirect_chain
    assert "Women" not in hidden.content.decode()
    assert client.get("/admin/access/space/").status_code == 403
    assert client.get("/admin/access/auditentry/").status_code == 403


def test_space_coordinator_sees_her_space_in_the_admin(world):
    client = admin_client(world.space_coordinator)
    page = client.get("/admin/timetable/activity/").content.decode()
    assert escape(world.protected_activity.title) in page
    assert "Upbeat Women" in client.get("/admin/access/space/").content.decode()
    audit = client.get("/admin/access/auditentry/").content.decode()
    assert "access_granted" in audit


def test_coordinator_edits_plain_fields_through_the_service(world):
    client = admin_client(world.coordinator)
    url = change_url("activity", world.public_activity.pk)
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields}
    data = {name: "" if value is None else value for name, value in data.items()}
    data.update(title="English: Entry 2 (new room)", description="Moved upstairs")
    data["booking_required"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    world.public_activity.refresh_from_db()
    assert world.public_activity.title == "English: Entry 2 (new room)"


@pytest.mark.parametrize(
    ("role", "url", "screen"),
    [
        ("coordinator", "/admin/timetable/activity/", "/#/activities"),
        ("coordinator", "/admin/timetable/session/", "/#/coordinate"),
        ("superuser", "/admin/organisations/venue/", "/#/venues"),
    ],
)
def test_admin_pages_say_what_they_are_for_and_link_to_the_app(world, role, url, screen):
    client = admin_client(getattr(world, role))
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "For the team that runs the server" in body and f'href="{screen}"' in body
    if role == "coordinator" and "activity" in url:
        page = client.get(change_url("activity", world.public_activity.pk)).content.decode()
        assert 'href="/#/activities"' in page


def test_admin_venue_pages_never_show_a_protected_room(world):
    world.superuser.is_staff = True
    world.superuser.save()
    client = Client()
    client.force_login(world.superuser)
    venue = world.protected_activity.room.venue
    assert client.get(f"/admin/organisations/venue/{venue.pk}/change/").status_code == 302
    assert "Quiet room" not in client.get("/admin/organisations/venue/").content.decode()
    assert (
        client.get(f"/admin/accounts/user/{world.learner_with_grant.pk}/delete/").status_code == 403
    )
