from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "backend.access"
    label = "access"
    verbose_name = "Protected spaces"
