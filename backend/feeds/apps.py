from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "backend.feeds"
    label = "feeds"
    verbose_name = "Calendar feeds"
