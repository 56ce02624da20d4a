"""Staff pages of the credit app, one module per area; each module adds its own routes here."""

app_name = "credit-staff"

urlpatterns: list = []

from credit.staff import violations  # noqa: E402

urlpatterns += violations.urlpatterns
from credit.staff import consequences, records  # noqa: E402

urlpatterns += consequences.urlpatterns + records.urlpatterns
