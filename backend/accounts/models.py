"""The custom user. Email is optional: many learners have none."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    known_as = models.CharField(
        max_length=100, blank=True, help_text="The name the person wants to be called."
    )
    preferred_language = models.CharField(max_length=10, choices=settings.LANGUAGES, default="en")

    def __str__(self) -> str:
        return self.known_as or self.get_full_name() or self.username
