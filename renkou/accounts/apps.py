from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "renkou.accounts"
    label = "accounts"
    verbose_name = "用户与权限"
