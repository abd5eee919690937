from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class WardworkModelBackend(ModelBackend):
    """Django's backend, loading the account with its person and ward in the same query.

    Every page shows the user's name and ward; without the join each request would pay
    two extra queries for them.
    """

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("person", "ward").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
