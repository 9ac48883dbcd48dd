from django.apps import AppConfig


class TimetableConfig(AppConfig):
    name = "backend.timetable"
    label = "timetable"
    verbose_name = "Timetable"
