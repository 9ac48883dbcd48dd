"""URLs: the API under /api/v1/, its docs, the admin, and the browser app (its
shell page, translation catalogue and language switch)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from backend.access.api import AccessRequestViewSet, SpaceViewSet
from backend.accounts.api import MeView, SignInCodeView, SignInSecretView, SignInView, SignOutView
from backend.bookings.api import BookingViewSet, QueueEntryViewSet
from backend.bookings.api_courses import ClassListViewSet, EnrolmentViewSet
from backend.bookings.api_queues import QueueDrawViewSet, QueueRulesViewSet
from backend.common.health import healthz, readyz
from backend.common.offline import service_worker
from backend.common.views import PingView
from backend.feeds.api import FeedRotateView, FeedView, FollowViewSet
from backend.notifications.api import ReplyView, short_link
from backend.organisations.api import OrganisationViewSet, VenueViewSet
from backend.people.api import LearnerAccountViewSet, ParticipantViewSet
from backend.people.api_esol import AttendanceCertificateViewSet, EsolLevelViewSet
from backend.registers.api import RegisterViewSet
from backend.registers.api_no_shows import NoShowRecordViewSet, NoShowRuleViewSet
from backend.reports.api import FiguresCsvView, FiguresView
from backend.shell.views import app_shell, javascript_catalogue, json_catalogue, set_language
from backend.timetable.api import ActivityViewSet, LanguageViewSet, SessionViewSet
from backend.timetable.api_closures import ClosureViewSet, TermViewSet
from backend.timetable.rooms_api import RoomAvailabilityView, RoomReservationViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.include_format_suffixes = False
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("venues", VenueViewSet, basename="venue")
router.register("languages", LanguageViewSet, basename="language")
router.register("activities", ActivityViewSet, basename="activity")
router.register("sessions", SessionViewSet, basename="session")
router.register("terms", TermViewSet, basename="term")
router.register("closures", ClosureViewSet, basename="closure")
router.register("spaces", SpaceViewSet, basename="space")
router.register("access-requests", AccessRequestViewSet, basename="access-request")
router.register("bookings", BookingViewSet, basename="booking")
router.register("queue-entries", QueueEntryViewSet, basename="queue-entry")
router.register("queue-rules", QueueRulesViewSet, basename="queue-rule")
router.register("queue-draws", QueueDrawViewSet, basename="queue-draw")
router.register("no-shows", NoShowRecordViewSet, basename="no-show")
router.register("no-show-rules", NoShowRuleViewSet, basename="no-show-rule")
router.register("esol-levels", EsolLevelViewSet, basename="esol-level")
router.register(
    "attendance-certificates", AttendanceCertificateViewSet, basename="attendance-certificate"
)

router.register("enrolments", EnrolmentViewSet, basename="enrolment")
router.register("class-lists", ClassListViewSet, basename="class-list")
router.register("follows", FollowViewSet, basename="follow")
router.register("registers", RegisterViewSet, basename="register")
router.register("participants", ParticipantViewSet, basename="participant")
router.register("room-reservations", RoomReservationViewSet, basename="room-reservation")
router.register("learner-accounts", LearnerAccountViewSet, basename="learner-account")

urlpatterns = [
    path("api/v1/ping/", PingView.as_view(), name="ping"),
    path("api/v1/me/", MeView.as_view(), name="me"),
    path("api/v1/auth/sign-in/", SignInView.as_view(), name="sign-in"),
    path("api/v1/auth/sign-in-code/", SignInCodeView.as_view(), name="sign-in-code"),
    path("api/v1/auth/sign-in-secret/", SignInSecretView.as_view(), name="sign-in-secret"),
    path("api/v1/auth/sign-out/", SignOutView.as_view(), name="sign-out"),
    path("api/v1/reports/figures/", FiguresView.as_view(), name="figures"),
    path("api/v1/reports/figures.csv", FiguresCsvView.as_view(), name="figures-csv"),
    path("api/v1/feed/", FeedView.as_view(), name="feed"),
    path("api/v1/feed/rotate/", FeedRotateView.as_view(), name="feed-rotate"),
    path(
        "api/v1/rooms/<str:pk>/availability/",
        RoomAvailabilityView.as_view(),
        name="room-availability",
    ),
    path("api/v1/replies/<str:token>/", ReplyView.as_view(), name="reply"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its script from our origin: no inline script, so the
    # Content-Security-Policy needs no exception.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("feeds/", include("backend.feeds.urls")),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("jsi18n/", javascript_catalogue, name="javascript-catalog"),
    # At the root, so that the worker's scope covers the whole app (frontend/sw.js).
    path("sw.js", service_worker, name="service-worker"),
    path("jsi18n/<str:language>.json", json_catalogue, name="json-catalogue"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("r/<str:token>", short_link, name="reply-link"),
    path("", app_shell, name="app"),
]
handler404 = "backend.common.views.not_found"
handler400 = "backend.common.api_errors.bad_request"
handler500 = "backend.common.api_errors.server_error"
