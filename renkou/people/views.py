"""views: filled in by its area."""

urlpatterns: list = []
