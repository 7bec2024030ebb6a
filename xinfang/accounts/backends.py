"""The login backend: Django's, reading the signed-in user with their county in one query (every page
names the county and keys the county's cached directory on its revision; a unit user's scope depends
on their unit's kind)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from xinfang.accounts.models import User


class UserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        try:  # get(), not first(): no ORDER BY to compile on every request
            user = User.objects.select_related("county", "unit").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
