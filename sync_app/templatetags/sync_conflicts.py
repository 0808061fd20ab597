from django import template

from sync_app.conflicts import conflicts_for_workout

register = template.Library()


@register.inclusion_tag("sync_app/conflicts_panel.html", takes_context=True)
def sheet_conflicts_panel(context, workout):
    """The conflicts panel of a workout, for pages whose view does not fill it."""
    return {
        "sheet_conflicts": conflicts_for_workout(workout),
        "csrf_token": context.get("csrf_token"),
    }
