"""/tipoffs/: tip-offs (举报). ``public/…`` are the pages outside the staff sign-in."""

from django.urls import path

from renkou.tipoffs import public_views, views

app_name = "tipoffs"
urlpatterns = [
    path("", views.tipoff_list, name="list"),
    path("export/", views.tipoff_export, name="export"),
    path("new/", views.tipoff_create, name="create"),
    path("stats/", views.tipoff_stats, name="stats"),
    path("rewards/", views.reward_list, name="reward_list"),
    path("<int:pk>/", views.tipoff_detail, name="detail"),
    path("<int:pk>/assign/", views.tipoff_assign, name="assign"),
    path("<int:pk>/steps/", views.step_add, name="step_add"),
    path("<int:pk>/conclude/", views.tipoff_conclude, name="conclude"),
    path("<int:pk>/reward/", views.reward_decide, name="reward_decide"),
    path("<int:pk>/pay/", views.reward_pay, name="reward_pay"),
    path("public/", public_views.public_new, name="public_new"),
    path("public/status/", public_views.public_status, name="public_status"),
]
