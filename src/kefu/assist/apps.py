from django.apps import AppConfig


class AssistConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kefu.assist"
    verbose_name = "Agent assist"
