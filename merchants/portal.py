"""Merchant self-service portal: sign in, sign up, and the home page with each merchant's standing."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from core.access import is_platform_staff
from merchants import selectors, services
from merchants.forms import RegisterForm

app_name = "portal"


class LoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    redirect_authenticated_user = True


def register(request):
    if request.user.is_authenticated:
        return redirect("portal:home")
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.merchant_user_register(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                email=form.cleaned_data["email"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else "password1" if field == "password" else None, errors)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to MerchantOps. Your account is ready."))
            return redirect("portal:home")
    return render(request, "portal/register.html", {"form": form})


@login_required
def home(request):
    if is_platform_staff(request.user):
        return redirect("admin:index")
    from core.notifications import notifications_unread
    from onboarding.selectors import applications_of_user

    memberships = selectors.memberships_of(request.user)
    context = {
        "memberships": memberships,
        "applications": applications_of_user(user=request.user),
        "notifications": notifications_unread(user=request.user)[:10],
    }
    return render(request, "portal/home.html", context)


urlpatterns = [
    path("", home, name="home"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", register, name="register"),
]
