from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "kefu.calendars"
    label = "calendars"
    verbose_name = "working calendars"
