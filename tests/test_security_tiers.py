"""Issue 14: nothing true is hidden (the unconfirmed tier), the new sources, sinks and flow
facts, templates, library options, and review of generated tests without noise."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from protosmith.analysis.findings import Category, Finding, Severity, Tier
from protosmith.analysis.python_review import analyze_python
from protosmith.analysis.review import review_source, risk_level
from protosmith.analysis.sarif import to_sarif


def own(text: str, path: str = "app.py", root: Path | None = None) -> list[Finding]:
    findings = analyze_python(path, textwrap.dedent(text), root)
    return [f for f in findings if f.category == Category.SECURITY]


def codes(findings: list[Finding], tier: Tier = Tier.CONFIRMED) -> set[str]:
    return {f"{f.code}@{f.range.start.line + 1}" for f in findings if f.tier == tier and f.active}


def reviewed(tmp_path: Path, text: str, name: str = "app.py") -> list[Finding]:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return review_source(path, path.read_text(encoding="utf-8"), root=tmp_path)


# -- 1. nothing true is hidden -------------------------------------------------------------


def test_bandit_hit_without_a_traced_source_stays_reported_unconfirmed(tmp_path: Path) -> None:
    findings = reviewed(
        tmp_path,
        """
        import yaml

        def load(path):
            with open(path) as handle:
                return yaml.load(handle)
        """,
    )
    (hit,) = [f for f in findings if f.evidence.rule_id == "B506"]
    assert hit.active and hit.dismissed_reason is None
    assert hit.tier == Tier.UNCONFIRMED and hit.severity == Severity.INFO
    assert hit.precision == "low" and hit.confidence <= 0.4
    result = to_sarif([hit])["runs"][0]["results"][0]
    assert result["properties"]["tier"] == "unconfirmed"
    assert result["properties"]["precision"] == "low"
    assert result["rank"] == hit.confidence * 100
    assert "suppressions" not in result
    assert risk_level([hit]) == "MINIMAL"  # a place to look, not a risk
    assert risk_level([hit.model_copy(update={"tier": Tier.CONFIRMED})]) == "LOW"


def test_a_traced_flow_is_confirmed_and_absorbs_bandit(tmp_path: Path) -> None:
    findings = reviewed(
        tmp_path,
        """
        import os
        from flask import Flask, request

        app = Flask(__name__)

        @app.route("/run")
        def run():
            os.system("ls " + request.args["dir"])
        """,
    )
    command = [f for f in findings if f.code == "PS302"]
    assert len(command) == 1 and command[0].tier == Tier.CONFIRMED
    assert command[0].precision == "very-high" and "bandit B605" in command[0].evidence.detail


def test_weak_hashes_are_reported_wherever_they_hash() -> None:
    findings = own(
        """
        import hashlib
        from cryptography.hazmat.primitives import hashes

        def etag(body):
            return hashlib.md5(body).hexdigest()

        def store_password(password):
            return hashlib.sha1(password.encode()).hexdigest()

        def checksum(data):
            return hashlib.md5(data, usedforsecurity=False).hexdigest()

        hashlib.new(name="md5", data=b"x")
        hashlib.new("md5", b"x", False)
        hashes.MD5()
        """
    )
    hashes_found = {f.range.start.line + 1: f for f in findings if f.code == "PS315"}
    assert set(hashes_found) == {6, 9, 14, 16}
    assert hashes_found[6].severity == Severity.MINOR
    assert hashes_found[6].tier == Tier.UNCONFIRMED
    assert hashes_found[9].severity == Severity.MAJOR
    assert hashes_found[9].tier == Tier.CONFIRMED


def test_literal_signing_keys_count_and_names_are_not_secrets() -> None:
    findings = own(
        """
        import jwt
        from flask import Flask

        app = Flask(__name__)
        app.secret_key = "secret"
        app.config["SECRET_KEY"] = "dev"
        SECRET_KEY = "django-insecure-abc"
        token = "csrf_token"
        TOKEN_HEADER = "X-Auth-Token"
        password = "hunter2"

        def sign(payload):
            return jwt.encode(payload, "changeme", algorithm="HS256")
        """
    )
    assert codes(findings) == {"PS317@6", "PS317@7", "PS317@8", "PS317@11", "PS317@14"}


def test_jwt_without_signature_check_is_its_own_rule() -> None:
    findings = own(
        """
        import jwt

        def claims(token, key):
            jwt.decode(token, key, verify=False)
            return jwt.decode(token, options={"verify_signature": False})

        def checked(token, key):
            return jwt.decode(token, key, algorithms=["HS256"])
        """
    )
    assert codes(findings) == {"PS321@5", "PS321@6"}
    assert all(f.cwe == 347 for f in findings if f.code == "PS321")


# -- 2. sources ----------------------------------------------------------------------------


def test_stdlib_http_server_wsgi_asgi_and_cgi_are_sources() -> None:
    findings = own(
        """
        import cgi
        import os
        import yaml
        from http.server import BaseHTTPRequestHandler
        from urllib.parse import parse_qs, urlparse


        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                name = parse_qs(urlparse(self.path).query)["name"][0]
                os.system("echo " + name)

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                yaml.load(body, Loader=yaml.Loader)


        def application(environ, start_response):
            os.system("finger " + environ.get("QUERY_STRING", ""))


        async def app(scope, receive, send):
            message = await receive()
            eval(message["body"])


        def cgi_main():
            form = cgi.FieldStorage()
            os.system("cat " + form.getvalue("f"))
        """
    )
    assert codes(findings) == {"PS302@12", "PS304@16", "PS302@20", "PS303@25", "PS302@30"}


def test_a_request_parameter_of_an_http_client_is_not_a_web_request() -> None:
    findings = own(
        """
        import requests

        class Adapter:
            def send(self, request):
                request.headers["Authorization"] = request.headers.get("X-Auth")
                return requests.get(request.url, timeout=5)
        """
    )
    assert codes(findings) == set()


# -- 3. sinks ------------------------------------------------------------------------------


def test_library_evals_xpath_compilers_and_ldap3_paged_search() -> None:
    findings = own(
        """
        import ldap3
        from flask import request
        from lxml import etree
        from PIL import ImageMath

        def views():
            expr = request.args["e"]
            ImageMath.eval(expr)
            etree.ETXPath(expr)
            conn = ldap3.Connection(ldap3.Server("ldap://x"))
            conn.extend.standard.paged_search(search_base="dc=x", search_filter=expr)
        """
    )
    assert codes(findings) == {"PS303@9", "PS310@10", "PS309@12"}


def test_ldap_and_xpath_sinks_with_built_arguments_are_unconfirmed_not_hidden() -> None:
    findings = own(
        """
        import ldap

        def lookup(conn, user):
            return conn.search_s("dc=x", ldap.SCOPE_SUBTREE, "(uid=%s)" % user)

        def admin(conn):
            return conn.search_s("dc=x", ldap.SCOPE_SUBTREE, "(uid=admin)")

        def find(tree, name):
            return tree.xpath("//u[@n='" + name + "']")
        """
    )
    assert codes(findings) == set()
    assert codes(findings, Tier.UNCONFIRMED) == {"PS309@5", "PS310@11"}
    assert all(f.severity == Severity.INFO for f in findings)


def test_a_constant_xpath_query_with_bound_variables_is_not_built_at_run_time() -> None:
    findings = own(
        """
        def find(tree, badge):
            query = f"/staff/member[@badge=$badge]"
            return tree.xpath(query, badge=badge)

        def built(tree, badge):
            query = f"/staff/member[@badge='{badge}']"
            return tree.xpath(query)
        """
    )
    assert codes(findings, Tier.UNCONFIRMED) == {"PS310@8"}


# -- 4. flow sensitivity -------------------------------------------------------------------


def test_redirect_checks_held_in_variables_and_the_requests_own_url() -> None:
    findings = own(
        """
        from urllib.parse import urlparse
        from django.shortcuts import redirect
        from django.utils.http import url_has_allowed_host_and_scheme

        def login(request):
            target = request.GET.get("next", "")
            ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
            if ok and request.user.is_authenticated:
                return redirect(target)
            return redirect(request.get_full_path())

        def back(request):
            return redirect(request.path)

        def prefixed(request):
            url = "https://example.com/"
            url += request.GET["page"]
            return redirect("https://example.com/{}".format(request.GET["p"]) or url)

        def relative(request):
            target = request.GET["next"].replace("\\\\", "/")
            if not urlparse(target).netloc:
                return redirect(target)

        def relative_unsafe(request):
            target = request.GET["next"]
            if not urlparse(target).netloc:
                return redirect(target)
        """
    )
    assert codes(findings) == {"PS306@29"}


# -- 5. templates --------------------------------------------------------------------------


def test_templates_reached_from_render_calls_are_read(tmp_path: Path) -> None:
    templates = tmp_path / "app" / "templates"
    templates.mkdir(parents=True)
    (templates / "page.html").write_text(
        "<p>{{ name }}</p><div>{{ bio|safe }}</div>"
        "{% autoescape false %}{{ footer }}{% endautoescape %}",
        encoding="utf-8",
    )
    text = """
        from flask import Flask, render_template, request

        app = Flask(__name__)

        @app.route("/p")
        def page():
            name = request.args["name"]
            return render_template("page.html", name=name, bio=request.args["bio"], footer="x")

        @app.route("/q")
        def other():
            return render_template("page.html", footer=request.args["f"], bio="fixed")
    """
    findings = own(text, "app/views.py", root=tmp_path)
    assert codes(findings) == {"PS307@9", "PS307@13"}


def test_jinja_environments_without_autoescape_through_aliases_and_constants() -> None:
    findings = own(
        """
        from jinja2 import Environment, Template, select_autoescape

        OFF = 0
        E = Environment
        E()
        Environment(autoescape=OFF)
        Environment(autoescape=select_autoescape())
        Template("Hello {{ name }}")
        """
    )
    assert codes(findings) == {"PS307@6", "PS307@7"}
    assert codes(findings, Tier.UNCONFIRMED) == {"PS307@9"}


# -- 6. library code -----------------------------------------------------------------------


def test_tls_options_forwarded_from_the_caller_are_not_findings() -> None:
    findings = own(
        """
        import ssl
        import requests

        def context(verify=True):
            ctx = ssl.create_default_context()
            if not verify:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            return ctx

        def fetch(url, verify=True):
            return requests.get(url, verify=verify, timeout=5)

        requests.get("https://x", verify=False, timeout=5)
        """
    )
    assert codes(findings) == {"PS319@15"}


# -- review of generated code --------------------------------------------------------------


def test_tests_get_no_assert_or_performance_findings(tmp_path: Path) -> None:
    text = """
        import sqlite3

        def test_rows():
            db = sqlite3.connect(":memory:")
            for table in ["a", "b"]:
                db.execute("PRAGMA table_info(?)", (table,))
            names = []
            for table in ["a", "b"]:
                names.append(table.upper())
            assert db is not None
    """
    in_tests = reviewed(tmp_path, text, "tests/test_rows.py")
    assert not [f for f in in_tests if f.evidence.rule_id == "B101"]
    assert not [f for f in in_tests if f.category == Category.PERFORMANCE]
    in_app = reviewed(tmp_path, text, "rows.py")
    assert [f for f in in_app if f.evidence.rule_id == "B101"]
    assert {f.code for f in in_app if f.category == Category.PERFORMANCE} >= {"PS403", "PS407"}


def test_no_bandit_plugin_noise_on_stderr() -> None:
    script = (
        "import logging; logging.basicConfig(level=logging.INFO)\n"
        "from protosmith.analysis.static_tools import bandit_source\n"
        "print(len(bandit_source('x.py', 'eval(input())')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "1"
    assert "Could not load" not in done.stderr, done.stderr


def test_bandit_in_process_still_honours_nosec_and_skips_tests_we_decide() -> None:
    from protosmith.analysis.static_tools import bandit_source

    def ids(text: str) -> list[str]:
        return [f.evidence.rule_id for f in bandit_source("m.py", textwrap.dedent(text))]

    assert ids("x = input()\neval(x)\n") == ["B307"]
    assert ids("x = input()\neval(x)  # nosec\n") == []
    assert ids("x = input()\neval(x)  # nosec B102\n") == ["B307"]
    assert ids('"""a docstring\nover lines"""\neval(input())  # nosec: B307\n') == []
    # decided by protosmith's own pattern rules (PS315, PS319, PS307, PS318), not run twice
    covered = (
        "import hashlib, requests\nhashlib.md5(b'x')\nrequests.get('u', verify=False, timeout=5)\n"
    )
    assert ids(covered) == []
    assert ids('label = "\u202e txt"\n') == ["B613"]  # trojan source still read where it can be


def test_sarif_formatter_noise_is_dropped_whatever_stevedore_format_string() -> None:
    script = (
        "import logging; logging.basicConfig(level=logging.INFO)\n"
        "import protosmith.analysis.static_tools\n"
        "log = logging.getLogger('stevedore.extension')\n"
        "log.error(\"Could not load 'sarif': No module named 'sarif_om'\")\n"
        "log.error('Could not load %s: %s', repr('sarif'), 'No module named sarif_om')\n"
        "log.error('Could not load %r: %s', 'csv', 'a real failure')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert "sarif" not in done.stderr, done.stderr
    assert "Could not load 'csv': a real failure" in done.stderr


def test_a_value_equal_to_one_of_several_constants_and_json_responses_are_safe() -> None:
    findings = own(
        """
        import json
        from flask import Flask, make_response, request

        app = Flask(__name__)

        @app.route("/pick")
        def pick():
            name = request.args.get("obj")
            if name == "foo" or name == "bar":
                return str(eval(name))
            if name == "foo" or len(name) > 3:
                return str(eval(name))
            return make_response(json.dumps(request.args), 200, {"Content-Type": "application/json"})
        """
    )
    assert codes(findings) == {"PS303@13"}


def test_django_renders_are_autoescaped_and_queue_payloads_are_sources() -> None:
    findings = own(
        """
        import pickle
        from django.http import HttpResponse
        from django.template import loader
        from django.template.loader import render_to_string

        def page(request):
            template = loader.get_template("polls/index.html")
            return HttpResponse(template.render({"q": request.GET.get("q")}, request))

        def page2(request):
            return HttpResponse(render_to_string("x.html", {"q": request.GET["q"]}))

        def on_message(channel, method, properties, body):
            pickle.loads(body)
        """
    )
    assert codes(findings) == {"PS304@15"}


def test_header_names_and_stdlib_header_writes_are_sinks() -> None:
    findings = own(
        """
        from http.server import BaseHTTPRequestHandler
        from flask import Flask, make_response, request
        from werkzeug.datastructures import Headers

        app = Flask(__name__)

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_header("X-Info", self.path)

        def wsgi(environ, start_response):
            start_response("200 OK", [("X-Name", environ["HTTP_X"])])

        @app.route("/h")
        def view():
            name = request.args["h"]
            headers = Headers()
            headers.add(name, "value")
            safe = make_response("ok", {name.replace("\\n", ""): "v"})
            return make_response("ok", {name: "v"})
        """
    )
    assert codes(findings) == {"PS312@10", "PS312@13", "PS312@19", "PS312@21"}


def test_http_client_libraries_are_not_apps() -> None:
    """An HTTP client's own Request/Response models, its option defaults and grammar
    patterns are not web requests, HTML responses, disabled TLS or secrets."""
    findings = own(
        """
        import ssl
        from .models import Request, Response

        token = r"[-!#$%&'*+.^_`|~0-9a-zA-Z]+"

        class Context:
            def __init__(self):
                self.check_hostname = False

        class Session:
            def send(self, request: Request) -> Response:
                request.headers["Host"] = request.url.host
                return Response(status=200, content=request.content)
        """,
        "client/sessions.py",
        root=Path("/nonexistent"),
    )
    assert codes(findings) == set()


def test_a_file_saved_from_the_request_and_read_back_is_untrusted() -> None:
    findings = own(
        """
        import os
        import yaml
        from flask import Flask, request

        app = Flask(__name__)
        UPLOADS = "/srv/uploads"

        @app.route("/upload", methods=["POST"])
        def upload():
            request.files["config"].save(os.path.join(UPLOADS, "config.yml"))
            return "ok"

        @app.route("/apply")
        def apply():
            with open(os.path.join(UPLOADS, "config.yml")) as handle:
                return str(yaml.load(handle, Loader=yaml.Loader))
        """
    )
    assert codes(findings) == {"PS304@17"}


def test_send_from_directory_folder_chosen_by_the_request() -> None:
    findings = own(
        """
        from flask import Flask, request, send_from_directory

        app = Flask(__name__)

        @app.route("/a")
        def inside():
            return send_from_directory("/srv/static", request.args["name"])

        @app.route("/b")
        def chosen():
            return send_from_directory(request.args["dir"], request.args["name"])
        """
    )
    assert codes(findings) == {"PS305@12"}
