"""The admin answers every viewer as if what he may not see did not exist
(issue 12 items 5-7): validation errors, history, recent actions, and the
accounts of the women a space protects."""

from __future__ import annotations

from datetime import time

import pytest
from django.test import Client

from backend.organisations.models import Room
from tests.access.admin_forms import add_inline_row, form_data
from tests.factories import RoomFactory, make_activity


def admin_client(user) -> Client:
    user.is_staff = True
    user.save()
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def hidden_room(world):
    """A room at the public class's venue kept for the women's group (`Room.space`)."""
    room = RoomFactory(venue=world.room.venue, name="Rose room", capacity=12, space=world.space)
    make_activity(
        actor=world.space_coordinator, organisation=world.org, room=room, space=world.space,
        title="Sewing circle", start_time=time(13, 17), end_time=time(14, 43),
    )  # fmt: skip
    return room


def _add_room(world, name):
    client = admin_client(world.superuser)
    url = f"/admin/organisations/venue/{world.room.venue_id}/change/"
    page = client.get(url)
    assert page.status_code == 200
    data = add_inline_row(form_data(page), "rooms", name=name, capacity="10", accessibility="")
    return client.post(url, data)


@pytest.mark.parametrize("hidden", [False, True])
def test_a_room_named_like_a_hidden_room_is_simply_added(world, request, hidden):
    if hidden:
        request.getfixturevalue("hidden_room")
    response = _add_room(world, "Rose room")
    assert response.status_code == 302, response.content[:500]
    assert Room.objects.filter(venue=world.room.venue, name="Rose room").count() == 1 + hidden


@pytest.mark.parametrize("hidden", [False, True])
def test_a_room_named_like_a_visible_room_is_refused_the_same_way(world, request, hidden):
    if hidden:
        request.getfixturevalue("hidden_room")
    response = _add_room(world, world.room.name)
    assert response.status_code == 200
    errors = [form.errors for form in response.context["inline_admin_formsets"][0].formset]
    assert {"name": ["Another room at this venue has this name."]} in errors
    assert "Rose" not in response.content.decode()


def test_a_venue_history_keeps_a_shared_room_a_space_starts_using(world):
    """The superuser adds a room; a women's group then books it too. A room's
    visibility is fixed when it is made (`Room.space`), so the room does not
    vanish from the venue's history: that would date the group's first use."""
    assert _add_room(world, "Rose room").status_code == 302
    client = admin_client(world.superuser)
    history = f"/admin/organisations/venue/{world.room.venue_id}/history/"
    before = client.get(history).content.decode()
    assert "Rose room" in before  # the probe reaches it
    make_activity(
        actor=world.space_coordinator, organisation=world.org, space=world.space,
        room=Room.objects.get(name="Rose room"), title="Sewing circle", capacity=8,
    )  # fmt: skip
    page = client.get(history)
    assert page.status_code == 200
    assert "Rose room" in page.content.decode()
    assert "Sewing" not in page.content.decode()


def test_recent_actions_forget_what_she_may_no_longer_see(world):
    from backend.access import services as access_services

    coordinator = world.space_coordinator
    client = admin_client(coordinator)
    url = f"/admin/timetable/activity/{world.protected_activity.pk}/change/"
    data = form_data(client.get(url))
    data["description"] = "Bring a notebook"
    assert client.post(url, data).status_code == 302
    assert "Women&#x27;s English" in client.get("/admin/").content.decode()
    # Appointed by the operator, she is stood down the same way: now she may not see it.
    access_services.space_revoke(
        actor=access_services_actor(world), space=world.space, user=coordinator
    )
    index = client.get("/admin/")
    assert "Women" not in index.content.decode()


def access_services_actor(world):
    from backend.access import services as access_services
    from tests.factories import UserFactory

    other = UserFactory(username="coord-space-2")
    access_services.space_coordinator_appoint(space=world.space, user=other)
    return other


# Item 7: web superuser and staff status are not a way in.


def _password_form(client, account):
    return f"/admin/accounts/user/{account.pk}/password/"


@pytest.mark.parametrize("who", ["learner_with_grant", "learner"])
def test_the_superuser_cannot_set_anyones_password_in_the_admin(world, who):
    """For her, whom a space looks after, and (so the refusal says nothing) for anyone."""
    account = getattr(world, who)
    client = admin_client(world.superuser)
    url = _password_form(client, account)
    assert client.get(url).status_code == 403
    posted = client.post(url, {"password1": "taken-over-1234", "password2": "taken-over-1234"})
    assert posted.status_code == 403
    account.refresh_from_db()
    assert account.check_password("pw-for-tests")


def test_her_change_form_looks_like_anyone_elses_and_ignores_her_email(world):
    client = admin_client(world.superuser)

    def page(account):
        return client.get(f"/admin/accounts/user/{account.pk}/change/")

    fields = {who: set(page(getattr(world, who)).context["adminform"].form.fields)
              for who in ("learner_with_grant", "learner")}  # fmt: skip
    assert fields["learner_with_grant"] == fields["learner"]
    # (`password` is the form's read-only hash, not in any fieldset, not shown.)
    assert not fields["learner"] & {"email", "is_active", "is_superuser", "groups"}
    assert "password/" not in page(world.learner_with_grant).content.decode()
    her = world.learner_with_grant
    url = f"/admin/accounts/user/{her.pk}/change/"
    data = form_data(page(her))
    data.update(email="taken@example.org", is_active="")
    assert client.post(url, data).status_code == 302
    her.refresh_from_db()
    assert (her.email, her.is_active) == ("", True)
    assert "last_login" not in page(her).content.decode()


def test_her_space_coordinator_sets_her_password_audited_in_the_space(world):
    from django.contrib.admin.models import LogEntry
    from django.contrib.auth.models import Permission

    from backend.access.models import AuditEntry

    coordinator = world.space_coordinator
    coordinator.user_permissions.add(
        *Permission.objects.filter(codename__in=("view_user", "change_user"))
    )
    client = admin_client(coordinator)
    url = _password_form(client, world.learner_with_grant)
    assert client.get(url).status_code == 200
    posted = client.post(url, {"password1": "a-new-one-5678", "password2": "a-new-one-5678"})
    assert posted.status_code == 302
    world.learner_with_grant.refresh_from_db()
    assert world.learner_with_grant.check_password("a-new-one-5678")
    entry = AuditEntry.objects.get(action="account_changed")
    assert (entry.space, entry.subject, entry.actor) == (
        world.space,
        world.learner_with_grant,
        coordinator,
    )
    assert not LogEntry.objects.filter(object_id=str(world.learner_with_grant.pk)).exists()
    # Someone outside every space: not even she changes it here.
    assert client.get(_password_form(client, world.learner)).status_code == 403


def test_a_group_carrying_a_grant_is_not_in_the_superusers_admin(world):
    from django.contrib.auth.models import Group
    from guardian.shortcuts import assign_perm

    group = Group.objects.create(name="Upbeat Women volunteers")
    assign_perm("access.access_space", group, world.space)
    Group.objects.create(name="Front desk")
    client = admin_client(world.superuser)
    page = client.get("/admin/auth/group/").content.decode()
    assert "Front desk" in page and "Upbeat Women" not in page
    hidden = client.get(f"/admin/auth/group/{group.pk}/change/")
    assert hidden.status_code == 302  # like a group that does not exist
    users = client.get("/admin/accounts/user/").content.decode()
    assert "Upbeat Women" not in users


def test_sign_in_records_of_the_women_are_not_in_the_superusers_admin(world):
    from axes.models import AccessLog

    for account in (world.learner_with_grant, world.learner):
        AccessLog.objects.create(username=account.username, ip_address="198.51.100.7",
                                 user_agent="phone", path_info="/api/v1/auth/sign-in/")  # fmt: skip
    client = admin_client(world.superuser)
    page = client.get("/admin/axes/accesslog/").content.decode()
    assert world.learner.username in page
    assert world.learner_with_grant.username not in page


def test_a_login_a_space_made_is_not_in_the_superusers_user_list(world):
    """The login exists only because the space registered her: to the
    superuser (no grant) the user list and her change page are as if it never
    existed; her space's coordinator, given the admin, finds her."""
    from django.contrib.auth.models import Permission

    from backend.people import services as people_services

    mina = people_services.learner_account_create(
        actor=world.space_coordinator, known_as="Mina Rahimi", space=world.space
    ).user
    client = admin_client(world.superuser)
    users = client.get("/admin/accounts/user/").content.decode()
    assert world.learner.username in users
    assert mina.username not in users and "Mina Rahimi" not in users
    searched = client.get("/admin/accounts/user/", {"q": "Mina"}).content.decode()
    assert "Mina Rahimi" not in searched and "0 users" in searched
    hidden = client.get(f"/admin/accounts/user/{mina.pk}/change/")
    assert hidden.status_code == 302  # like an id that does not exist
    coordinator = world.space_coordinator
    coordinator.is_staff = True
    coordinator.save()
    coordinator.user_permissions.add(*Permission.objects.filter(codename="view_user"))
    assert "Mina Rahimi" in admin_client(coordinator).get("/admin/accounts/user/").content.decode()
