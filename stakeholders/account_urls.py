from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import account_views

app_name = "accounts"
reset_complete = reverse_lazy("accounts:password-reset-complete")

urlpatterns = [
    path("login/", account_views.SignInView.as_view(), name="login"),
    path("login/code/", account_views.SignInCodeView.as_view(), name="login-code"),
    path("two-factor/", account_views.TwoFactorView.as_view(), name="two-factor"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", account_views.ProfileView.as_view(), name="profile"),
    path("profile/api-token/", account_views.APITokenView.as_view(), name="api-token"),
    path("invite/", account_views.InviteView.as_view(), name="invite"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("accounts:profile")),
        name="password-change",
    ),
    path(
        "password/reset/",
        account_views.PasswordResetView.as_view(),
        name="password-reset",
    ),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password-reset-done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url=reset_complete),
        name="password-reset-confirm",
    ),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password-reset-complete"),
    path(
        "invitation/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="registration/invitation_accept.html", success_url=reset_complete
        ),
        name="invitation-accept",
    ),
]
