"""Staff pages of credit insights: the distribution of newest scores by tier and category, and how one
merchant compares with its peers."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import get_language

from core.access import OPS_MANAGER, PLATFORM_ADMIN, RISK_OFFICER, staff_role_required
from credit.selectors import insights as selectors
from merchants.models import Merchant

READERS = (RISK_OFFICER, OPS_MANAGER, PLATFORM_ADMIN)


@staff_role_required(*READERS)
def distribution(request):
    return render(request, "credit/staff/distribution.html", {"report": selectors.score_distribution()})


@staff_role_required(*READERS)
def peers(request, pk):
    merchant = get_object_or_404(Merchant, pk=pk)
    category = request.GET.get("category") or None
    if category is not None and len(category) > 50:
        raise Http404
    report = selectors.peer_comparison(merchant=merchant, category_code=category)
    group = report["group"] if report else {}
    chinese = get_language().startswith("zh")
    group_name = (group.get("name_zh") if chinese else None) or group.get("name")
    return render(
        request, "credit/staff/peers.html", {"merchant": merchant, "report": report, "group_name": group_name}
    )


urlpatterns = [
    path("insights/", distribution, name="distribution"),
    path("merchants/<int:pk>/peers/", peers, name="peers"),
]
