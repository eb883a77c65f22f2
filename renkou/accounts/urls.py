from django.urls import path

from renkou.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("mfa/", views.mfa_view, name="mfa"),
    path("password/", views.password_view, name="password"),
    path("activate/", views.activate_start, name="activate"),
    path("activate/set/", views.activate_set, name="activate_set"),
]
