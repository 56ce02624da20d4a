"""Staff pages of the credit app, one module per area; each module adds its own routes here."""

app_name = "credit-staff"

urlpatterns: list = []

# Fake-order detection (flags queue and review) and credit insights (distribution, peer comparison).
from credit.staff import detection, insights  # noqa: E402

urlpatterns += detection.urlpatterns + insights.urlpatterns
