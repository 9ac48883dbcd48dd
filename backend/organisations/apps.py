from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "backend.organisations"
    label = "organisations"
    verbose_name = "Organisations"
