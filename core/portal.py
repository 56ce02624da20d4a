"""The portal's notifications: the list, and marking them read."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.notifications import notification_mark_read, notifications_recent

app_name = "notifications"


@login_required
def notification_list(request):
    return render(request, "portal/notifications.html", {"notifications": notifications_recent(user=request.user)})


@login_required
@require_POST
def mark_read(request, pk=None):
    notification_mark_read(user=request.user, notification_id=pk)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "notifications:list"
    return redirect(target)


urlpatterns = [
    path("", notification_list, name="list"),
    path("read/", mark_read, name="read-all"),
    path("<int:pk>/read/", mark_read, name="read"),
]
