# expect: PS313@33
from django.contrib.auth import authenticate
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView


class CookieTokenLoginView(APIView):
    authentication_classes = []
    permission_classes = []
    cookie_name = "auth_token"

    def post(self, request):
        user = authenticate(
            request,
            username=request.data.get("username"),
            password=request.data.get("password"),
        )
        if user is None:
            return Response({"detail": "invalid credentials"}, status=status.HTTP_401_UNAUTHORIZED)
        token, _ = Token.objects.get_or_create(user=user)
        response = Response({"user": user.get_username()})
        self.attach_token(response, token.key)
        return response

    def attach_token(self, response, key):
        response.set_cookie(
            self.cookie_name,
            key,
            max_age=7 * 24 * 3600,
            samesite="Lax",
            secure=False,
            httponly=False,
        )
