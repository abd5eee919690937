from django.urls import path

from models_registry import review_views, spreadsheet_views, views

app_name = "models_registry"

urlpatterns = [
    path("", views.registry_list, name="list"),
    path("export.xlsx", spreadsheet_views.registry_export, name="export"),
    path("exemplary/", views.exemplary, name="exemplary"),
    path("mine/", views.unit_list, name="unit_list"),
    path("review/", review_views.review_queue, name="review_queue"),
    path("new/", views.create, name="create"),
    path("import/", spreadsheet_views.import_registrations, name="import"),
    path("import/template.xlsx", spreadsheet_views.import_template, name="import_template"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/approve/", review_views.approve, name="approve"),
    path("<int:pk>/return/", review_views.return_for_changes, name="return"),
    path("<int:pk>/recognise/", review_views.recognize, name="recognize"),
    path("<int:pk>/not-achieved/", review_views.not_achieved, name="not_achieved"),
    path("<int:pk>/adjust/", review_views.adjust, name="adjust"),
    path("<int:pk>/update/", views.update, name="update"),
    path("updates/<int:pk>/evidence/", views.update_evidence, name="update_evidence"),
]
