"""/todo/: to-do lists of services due (服务信息引导), generated daily from reminder rules."""

from django.urls import path

from renkou.todo import views

app_name = "todo"
urlpatterns = [
    path("", views.item_list, name="item_list"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
]
