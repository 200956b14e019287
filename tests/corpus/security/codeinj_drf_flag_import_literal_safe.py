# expect: none
import ast

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

ALLOWED_TYPES = (bool, int, float, str, list, tuple)


class FeatureFlagImportView(APIView):
    """Accepts flags exported from the old admin tool, e.g. {"beta": "True"}."""

    def parse_value(self, raw):
        try:
            value = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            return raw
        return value if isinstance(value, ALLOWED_TYPES) else raw

    def post(self, request):
        raw_flags = request.data.get("flags")
        if not isinstance(raw_flags, dict):
            return Response({"error": "flags must be an object"}, status=status.HTTP_400_BAD_REQUEST)
        parsed = {str(name): self.parse_value(str(value)) for name, value in raw_flags.items()}
        self.store(request.user, parsed)
        return Response({"imported": sorted(parsed)}, status=status.HTTP_201_CREATED)

    def store(self, user, flags):
        from flags.models import FeatureFlag

        for name, value in flags.items():
            FeatureFlag.objects.update_or_create(owner=user, name=name, defaults={"value": value})
