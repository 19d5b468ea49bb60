from django.http import HttpRequest


def roles(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    authenticated = bool(user and user.is_authenticated)
    return {
        "is_manager": authenticated and user.is_manager,
        "is_mentor": authenticated and user.is_mentor,
        "is_founder": authenticated and user.is_founder,
    }
