"""Staff pages of the credit app, one module per area; each module adds its own routes here."""

app_name = "credit-staff"

urlpatterns: list = []

from credit.staff import violations  # noqa: E402

urlpatterns += violations.urlpatterns
from credit.staff import consequences, records  # noqa: E402

urlpatterns += consequences.urlpatterns + records.urlpatterns
# Fake-order detection (flags queue and review) and credit insights (distribution, peer comparison).
from credit.staff import detection, insights  # noqa: E402

urlpatterns += detection.urlpatterns + insights.urlpatterns
