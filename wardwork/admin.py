from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from wardwork.admin_mixins import (
    FoldedSearchAdminMixin,
    SuperuserDeletionMixin,
    WardScopedAdminMixin,
)
from wardwork.models import MESSAGE_CHOOSE_WARD, Organization, Person, Position, User, Ward
from wardwork.text import fold


def _superuser_deletion_only() -> None:
    """Other apps' admins delete for superusers only too: groups, and Axes' records
    (deleting an access attempt unlocks an account). Their apps come before this one in
    ``INSTALLED_APPS``, so their admins are registered already."""
    from django.apps import apps

    models = [Group]
    if apps.is_installed("axes"):
        import axes.admin  # noqa: F401 - registers them when the admin of Axes is enabled
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        models += [AccessAttempt, AccessLog, AccessFailureLog]
    for model in models:
        if not admin.site.is_registered(model):
            continue
        registered = type(admin.site.get_model_admin(model))
        if issubclass(registered, SuperuserDeletionMixin):
            continue
        admin.site.unregister(model)
        wrapped = type(
            registered.__name__, (SuperuserDeletionMixin, registered), {"__module__": __name__}
        )
        admin.site.register(model, wrapped)


_superuser_deletion_only()


class PositionInlineForPerson(SuperuserDeletionMixin, admin.TabularInline):
    model = Position
    fk_name = "person"
    extra = 0
    fields = ["organization", "role", "started_on", "ended_on"]
    autocomplete_fields = ["organization"]


class PositionInlineForOrganization(SuperuserDeletionMixin, admin.TabularInline):
    model = Position
    fk_name = "organization"
    extra = 0
    fields = ["person", "role", "started_on", "ended_on"]
    autocomplete_fields = ["person"]


@admin.register(Ward)
class WardAdmin(FoldedSearchAdminMixin, WardScopedAdminMixin, SimpleHistoryAdmin):
    ward_field = "pk"
    list_display = ["name", "place_name", "parent_name", "updated_at"]
    list_filter = ["parent_name"]


@admin.register(Organization)
class OrganizationAdmin(FoldedSearchAdminMixin, WardScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "short_name", "kind", "ward", "parent", "symbol_code", "is_active"]
    list_filter = ["kind", "is_active", "ward"]
    list_select_related = ["ward", "parent"]
    autocomplete_fields = ["parent"]
    inlines = [PositionInlineForOrganization]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "ward":
            # Every kind belongs to a ward, a higher Party committee too (the ward's copy).
            kwargs["error_messages"] = {"required": MESSAGE_CHOOSE_WARD}
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if request.user.ward_id and not request.user.is_superuser:
            initial.setdefault("ward", request.user.ward_id)
        return initial


@admin.register(Person)
class PersonAdmin(FoldedSearchAdminMixin, WardScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["full_name", "title", "organization", "ward"]
    list_filter = ["ward", "organization__kind"]
    list_select_related = ["ward", "organization"]
    autocomplete_fields = ["organization"]
    inlines = [PositionInlineForPerson]

    def get_ordering(self, request):
        return ["sort_key", "pk"]


@admin.register(Position)
class PositionAdmin(WardScopedAdminMixin, SimpleHistoryAdmin):
    ward_field = "person__ward"
    list_display = ["person", "role", "organization", "started_on", "ended_on"]
    list_filter = ["role", "organization__kind"]
    list_select_related = ["person", "organization"]
    autocomplete_fields = ["person", "organization"]
    search_fields = ["person__search_key", "organization__search_key"]

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, fold(search_term))


@admin.register(User)
class UserAdmin(WardScopedAdminMixin, BaseUserAdmin):
    list_display = [
        "username",
        "person",
        "ward",
        "is_active",
        "is_staff",
        "is_superuser",
        "last_login",
    ]
    list_filter = ["ward", "is_active", "is_staff", "is_superuser"]
    list_select_related = ["person", "ward"]
    search_fields = ["username", "email", "first_name", "last_name", "person__search_key"]
    autocomplete_fields = ["person"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Ward"), {"fields": ("ward", "person")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Ward"), {"fields": ("ward", "person")}),
    )

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, fold(search_term) or search_term)

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser hands out superuser or staff rights, or moves accounts between wards.
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return [
            *super().get_readonly_fields(request, obj),
            "is_superuser",
            "is_staff",
            "user_permissions",
            "groups",
        ]
