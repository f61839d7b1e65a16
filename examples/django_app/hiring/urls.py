"""The hiring app's pages: book, list every interview's notifications, one interview."""
from django.urls import path

from . import views

app_name = "hiring"
urlpatterns = [
    path("", views.interview_list, name="list"),
    path("book/", views.book, name="book"),
    path("interviews/<int:interview_id>/", views.interview_detail, name="detail"),
]
