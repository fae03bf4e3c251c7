from django.apps import AppConfig


class StandardConfig(AppConfig):
    name = "kefu.standard"
    label = "standard"
    verbose_name = "service standard"
