from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "backend.bookings"
    label = "bookings"
    verbose_name = "Bookings"
