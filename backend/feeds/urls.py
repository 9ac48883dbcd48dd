from django.urls import path

from . import views

urlpatterns = [
    path(
        "organisations/<str:organisation_id>.ics", views.organisation_feed, name="feed-organisation"
    ),
    path("activities/<str:activity_id>.ics", views.activity_feed, name="feed-activity"),
    path("mine.ics", views.my_feed, name="feed-mine"),
    path("mine.json", views.my_feed_events, name="feed-mine-events"),
    path("personal/<str:token>.ics", views.personal_feed, name="feed-personal"),
    path("sessions/<str:session_id>.ics", views.session_download, name="feed-session"),
]
