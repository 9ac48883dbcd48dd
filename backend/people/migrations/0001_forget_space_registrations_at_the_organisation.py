"""Until now a registration at a women-only space's register (a walk-in, a mark
for someone known, a login the space made) also linked her to the space's
organisation, and that link let every member of its staff find her. From now on
only registrations in a public context are recorded there; this removes the
links that came from a space, so that the change covers the people already
recorded, not only new ones.

A link stays when there is public evidence for it: a booking or attendance at a
public session of that organisation, or a learner login that organisation made
(registered nowhere else). It goes when the only evidence is the space: she was
registered at one of its spaces, or came to one of its spaces' sessions. Links
with no evidence either way stay. Not reversible in content (the removed links
carried nothing the policy may use); reversing does nothing.

Lives in `people` (which owns this behaviour, and has no other migrations) so
that it cannot collide with schema migrations in accounts."""

from django.db import migrations
from django.db.models import Exists, F, OuterRef, Q


def forget_space_registrations(apps, schema_editor):
    Participant = apps.get_model("accounts", "Participant")
    Link = Participant.organisations.through
    Booking = apps.get_model("bookings", "Booking")
    Attendance = apps.get_model("registers", "Attendance")
    ParticipantEvent = apps.get_model("registers", "ParticipantEvent")

    def at(model, *, public: bool):
        return model.objects.filter(
            participant=OuterRef("participant_id"),
            session__activity__organisation=OuterRef("organisation_id"),
            session__activity__space__isnull=public,
        )

    made_here = ParticipantEvent.objects.filter(
        participant=OuterRef("participant_id"), action="account_created"
    )
    doomed = (
        Link.objects.filter(~Exists(at(Booking, public=True)), ~Exists(at(Attendance, public=True)))
        .exclude(Exists(made_here), participant__registered_in_space__isnull=True)
        .filter(
            Exists(at(Attendance, public=False))
            | Exists(at(Booking, public=False))
            | Q(participant__registered_in_space__organisation=F("organisation_id"))
        )
    )
    Link.objects.filter(pk__in=list(doomed.values_list("pk", flat=True))).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_sign_in_codes_and_language_choices"),
        ("bookings", "0001_bookings_queues_events"),
        ("registers", "0001_attendance_and_reopenings"),
    ]

    operations = [migrations.RunPython(forget_space_registrations, migrations.RunPython.noop)]
