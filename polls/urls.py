from django.urls import path

from . import views

urlpatterns = [
    path("o/<slug:org>/polls/", views.poll_list, name="polls"),
    path("o/<slug:org>/c/<slug:circle>/polls/new/", views.poll_new, name="poll-new"),
    path("o/<slug:org>/polls/<int:pk>/", views.poll_detail, name="poll"),
    path("o/<slug:org>/polls/<int:pk>/answer/", views.poll_answer, name="poll-answer"),
    path("o/<slug:org>/polls/<int:pk>/close/", views.poll_close, name="poll-close"),
    path("o/<slug:org>/polls/<int:pk>/pick/", views.time_poll_pick, name="poll-pick"),
]
