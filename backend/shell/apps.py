from django.apps import AppConfig


class ShellConfig(AppConfig):
    """The browser app's shell page at `/` and its first screen: the top layer,
    which may read any domain and which nothing but the URLconf imports."""

    name = "backend.shell"
    label = "shell"
