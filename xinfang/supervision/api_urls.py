from django.urls import path

from xinfang.supervision import apis

app_name = "supervision_api"
urlpatterns = [
    path("supervision/", apis.ItemListApi.as_view(), name="items"),
    path("supervision/<int:item_id>/", apis.ItemDetailApi.as_view(), name="item"),
    path("supervision/<int:item_id>/progress/", apis.ItemProgressApi.as_view(), name="progress"),
    path("supervision/<int:item_id>/accept/", apis.ItemAcceptApi.as_view(), name="accept"),
    path("supervision/<int:item_id>/return/", apis.ItemReturnApi.as_view(), name="return"),
]
