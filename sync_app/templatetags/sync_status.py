from django import template

from sync_app.status import current_status

register = template.Library()


@register.inclusion_tag("sync_app/status_panel.html")
def sync_status_panel():
    return {"status": current_status()}
