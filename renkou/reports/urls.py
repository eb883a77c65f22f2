"""/reports/: indicators and targets, statutory tables, the dashboard."""

from renkou.reports import dashboard_views, indicator_views, table_views

app_name = "reports"
urlpatterns = [
    *indicator_views.urlpatterns,
    *table_views.urlpatterns,
    *dashboard_views.urlpatterns,
]
