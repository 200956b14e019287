# expect: PS307@18
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

NOTICE_LEVELS = {"info", "success", "warning"}


class NoticeMixin:
    notice_markup = '<div class="notice notice-{level}" role="status">{text}</div>'

    def build_notice(self):
        text = self.request.GET.get("notice")
        if not text:
            return ""
        level = self.request.GET.get("level", "info")
        if level not in NOTICE_LEVELS:
            level = "info"
        return mark_safe(self.notice_markup.format(level=level, text=text))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["notice"] = self.build_notice()
        return context


class AccountOverviewView(NoticeMixin, TemplateView):
    template_name = "accounts/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["plan"] = getattr(self.request.user, "plan", "free")
        return context
