"""/people/: register pages, imports, data quality. Each area keeps its own patterns."""

from renkou.people import card_views, export_views, import_views, quality_views, views

app_name = "people"
urlpatterns = [
    *views.urlpatterns,
    *card_views.urlpatterns,
    *import_views.urlpatterns,
    *quality_views.urlpatterns,
    *export_views.urlpatterns,
]
