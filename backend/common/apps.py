from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "backend.common"
    label = "common"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import answer_cache

        # Every write bumps the answer cache's version (backend/common/answer_cache.py).
        connection_created.connect(answer_cache.watch_connection, dispatch_uid="answer-cache")
        answer_cache.watch_open_connections()
