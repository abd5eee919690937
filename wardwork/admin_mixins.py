"""Admin building blocks shared by every app: ward scoping and accent-insensitive search.

A staff account that is not a superuser only ever sees and picks rows of its own ward in
the admin, exactly as in the pages; a superuser sees every ward.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q

from wardwork.text import fold


def _ward_id(request):
    user = request.user
    return None if user.is_superuser else user.ward_id


class WardScopedAdminMixin:
    """Limit changelists, change pages and foreign-key choices to the user's ward.

    ``ward_field`` is the lookup from the model to its ward ("ward", "task__ward", ...).
    """

    ward_field = "ward"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        ward_id = _ward_id(request)
        if ward_id is None and request.user.is_superuser:
            return qs
        return qs.filter(**{self.ward_field: ward_id}) if ward_id else qs.none()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._limit_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._limit_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _limit_choices(self, db_field, request, kwargs):
        ward_id = _ward_id(request)
        if ward_id is None:
            return
        related = db_field.related_model
        if related._meta.label == "wardwork.Ward":
            kwargs["queryset"] = related.objects.filter(pk=ward_id)
        elif any(f.name == "ward" for f in related._meta.get_fields()):
            condition = Q(ward_id=ward_id)
            if related._meta.label == "wardwork.Organization":
                # Bodies above the ward (Quận ủy) may be chosen as issuers or parents.
                condition |= Q(ward__isnull=True)
            kwargs["queryset"] = related._default_manager.filter(condition)

    def save_model(self, request, obj, form, change):
        ward_id = _ward_id(request)
        if ward_id is not None and self.ward_field == "ward" and not getattr(obj, "ward_id", None):
            obj.ward_id = ward_id
        super().save_model(request, obj, form, change)


class FoldedSearchAdminMixin:
    """Admin search through the folded ``search_key``: "phuc dong" finds "Phúc Đồng"."""

    search_fields = ["search_key"]  # makes the admin show its search box

    def get_search_results(self, request, queryset, search_term):
        if not search_term:
            return queryset, False
        for word in fold(search_term).split():
            queryset = queryset.filter(search_key__contains=word)
        return queryset, False


class ReadOnlyInlineMixin:
    extra = 0
    can_delete = False


admin.site.empty_value_display = "–"
