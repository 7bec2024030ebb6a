from django.urls import path

from xinfang.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.item_list, name="list"),
    path("<int:item_id>/", views.item_detail, name="detail"),
    path("<int:item_id>/progress/", views.progress, name="progress"),
    path("<int:item_id>/accept/", views.accept, name="accept"),
    path("<int:item_id>/return/", views.send_back, name="return"),
    path("<int:item_id>/files/<int:attachment_id>/", views.attachment, name="file"),
]
