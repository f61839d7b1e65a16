"""URLs of the hiring example: everything is in the hiring app."""
from django.urls import include, path

urlpatterns = [path("", include("hiring.urls"))]
