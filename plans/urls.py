from django.urls import path

from plans import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("new/", views.plan_create, name="plan_create"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/edit/", views.plan_update, name="plan_update"),
    path("<int:pk>/archive/", views.plan_archive, name="plan_archive"),
    path("<int:pk>/export.xlsx", views.plan_export, name="plan_export"),
    path("<int:pk>/attachment/", views.plan_attachment, name="plan_attachment"),
    path("reports/<int:pk>/evidence/", views.report_evidence, name="report_evidence"),
    path("<int:plan_pk>/tasks/new/", views.task_create, name="task_create"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/edit/", views.task_update, name="task_update"),
    path("tasks/<int:pk>/report/", views.report_submit, name="report_submit"),
    path("my-tasks/", views.my_tasks, name="my_tasks"),
    path("progress/", views.progress_matrix, name="progress_matrix"),
]
