"""The lifter's account pages, under /accounts/ (which the service worker never keeps)."""

from django.urls import path

from .views import account

urlpatterns = [
    path("settings/", account.settings_page, name="account_settings"),
    path("settings/unit/", account.choose_unit, name="choose_unit"),
    path("settings/plates/", account.choose_plates, name="choose_plates"),
    path("settings/warm-ups/", account.choose_warmup_ramp, name="choose_warmup_ramp"),
    path("settings/theme/", account.choose_theme, name="choose_theme"),
    path("settings/time-zone/", account.choose_time_zone, name="choose_time_zone"),
    path("settings/time-zone/browser/", account.browser_time_zone, name="browser_time_zone"),
    path("settings/tokens/", account.create_token, name="create_token"),
    path("settings/tokens/<int:token_id>/revoke/", account.revoke_token, name="revoke_token"),
    path("password/", account.password_change, name="password_change"),
    path("logout-everywhere/", account.logout_everywhere, name="logout_everywhere"),
]
