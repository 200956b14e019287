# expect: none
import yaml
from pyramid.httpexceptions import HTTPBadRequest
from pyramid.view import view_config, view_defaults

REQUIRED_KEYS = ("name", "retention_days")


class ConfigImporter:
    def __init__(self, raw_text):
        self.raw_text = raw_text

    def load(self):
        data = yaml.load(self.raw_text, Loader=yaml.SafeLoader)
        if not isinstance(data, dict):
            raise ValueError("top-level document must be a mapping")
        missing = [k for k in REQUIRED_KEYS if k not in data]
        if missing:
            raise ValueError("missing keys: " + ", ".join(missing))
        return data


@view_defaults(route_name="project_config", renderer="json")
class ProjectConfigViews:
    def __init__(self, request):
        self.request = request

    @view_config(request_method="PUT")
    def replace(self):
        importer = ConfigImporter(self.request.body.decode("utf-8"))
        try:
            config = importer.load()
        except (yaml.YAMLError, ValueError) as exc:
            raise HTTPBadRequest(json_body={"error": str(exc)})
        project = self.request.matchdict["project"]
        self.request.registry.settings.setdefault("projects", {})[project] = config
        return {"project": project, "keys": sorted(config)}
