"""/events/: change events, their review, the monthly report, imports."""

from renkou.events import import_views, views

app_name = "events"
urlpatterns = [*views.urlpatterns, *import_views.urlpatterns]
