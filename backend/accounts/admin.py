"""The user admin. Web superuser and staff status are not a way into a
protected space (issue 12 item 7): the password, email, active flag, staff
flags, groups and permissions of an account a space looks after are changed
here only by coordinators of every space that looks after her, and each change
is audited in those spaces' logs (not in the admin history, which others read).
So that the form does not tell anyone which accounts those are, no other
account's credentials or access are changed here either: the server's
operator does that (`manage.py changepassword`), coordinators give learners
sign-in codes in the app, and anyone changes her own password at
/admin/password_change/."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied

from backend.access import admin_scoping, policy
from backend.access.models import AuditEntry

from .models import User

SENSITIVE = ("password", "email", "is_active", "is_staff", "is_superuser", "groups",
             "user_permissions")  # fmt: skip


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Harbour", {"fields": ("known_as", "preferred_language")}),
    )
    list_display = ("username", "known_as", "email", "is_staff")
    # No filter by group: a group's name may name a space.
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("username", "known_as", "email")

    def get_queryset(self, request):
        # A login a space made is, to anyone without its grant, no login at all.
        return (
            super()
            .get_queryset(request)
            .filter(pk__in=policy.visible_accounts(request.user).values("pk"))
        )

    def _manages(self, request, obj) -> bool:
        return obj is not None and admin_scoping.may_manage_account(request.user, obj)

    def get_fieldsets(self, request, obj=None):
        if obj is None or self._manages(request, obj):
            return super().get_fieldsets(request, obj)
        # Sign-in times are not shown either (a space's women's comings and goings).
        return (
            (None, {"fields": ("username",)}),
            (
                "Personal info",
                {"fields": ("first_name", "last_name", "known_as", "preferred_language")},
            ),
            ("Important dates", {"fields": ("date_joined",)}),
        )

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = db_field.remote_field.model.objects.exclude(
                pk__in=admin_scoping.hidden_groups(request.user).values("pk")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            changed = [f for f in form.changed_data if f in SENSITIVE]
            if changed and not self._manages(request, obj):
                raise PermissionDenied
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        kept = []
        if change:
            # Groups the viewer may not see are not in the form: keep them.
            kept = list(form.instance.groups.filter(
                pk__in=admin_scoping.hidden_groups(request.user).values("pk")
            ))  # fmt: skip
        super().save_related(request, form, formsets, change)
        if kept:
            form.instance.groups.add(*kept)

    def construct_change_message(self, request, form, formsets, add=False):
        # On the request, not the admin (one instance serves every request).
        changed = [f for f in form.changed_data if f in SENSITIVE]
        if "password1" in form.fields:  # the password form
            changed = ["password"]
        request.harbour_sensitive_changes = changed
        return super().construct_change_message(request, form, formsets, add)

    def log_change(self, request, obj, message):
        changed = getattr(request, "harbour_sensitive_changes", [])
        if changed and self._manages(request, obj):
            # Audited where only the space's coordinators read it; the admin
            # history (which a superuser reads) would show a space at work.
            _audit(request.user, obj, "account_changed", "changed: " + ", ".join(changed))
            return None
        return super().log_change(request, obj, message)

    def user_change_password(self, request, id, form_url=""):
        obj = self.get_object(request, id)
        if not self._manages(request, obj):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def has_delete_permission(self, request, obj=None):
        # The deletion summary would list her grants (and so her spaces). People
        # are deactivated here, or erased through the participant service.
        return False


def _audit(actor, account, action: str, note: str) -> None:
    for space in admin_scoping.account_spaces(account):
        AuditEntry.objects.create(actor=actor, action=action, space=space, subject=account,
                                  note=note[:500])  # fmt: skip
