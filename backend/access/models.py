"""Space, its guardian permission tables, access requests and the audit log."""

from django.conf import settings
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from backend.common.models import TimestampedModel, UUIDModel
from backend.organisations.models import Organisation

ACCESS = "access_space"
COORDINATE = "coordinate_space"


class Space(TimestampedModel):
    """A protected space. Its activities exist only for people granted ACCESS."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="spaces")
    name = models.CharField(max_length=200)
    public_description = models.TextField(
        blank=True,
        help_text="Shown to everyone when the space is listed, so people can ask to join. "
        "Never mention times or places here.",
    )
    is_listed = models.BooleanField(
        default=True,
        help_text="Listed spaces show their name and public description so people can ask "
        "to join; their activities and sessions stay hidden either way.",
    )

    class Meta:
        ordering = ["name"]
        permissions = [
            (ACCESS, "Take part in the space"),
            (COORDINATE, "Coordinate the space and its grants"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="space_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class SpaceUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Space, on_delete=models.CASCADE)


class SpaceGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Space, on_delete=models.CASCADE)


class AccessRequest(TimestampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="requests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_requests"
    )
    message = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["space", "user"],
                condition=models.Q(status="pending"),
                name="one_pending_request_per_space",
            )
        ]


class AuditEntry(UUIDModel):
    """Append-only record of who did what to access (and other sensitive changes)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=60)
    space = models.ForeignKey(Space, on_delete=models.CASCADE, null=True, related_name="audit")
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name_plural = "audit entries"
