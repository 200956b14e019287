# expect: none
import ldap
from ldap.filter import filter_format
from pyramid.httpexceptions import HTTPBadRequest
from pyramid.view import view_config

MAIL_BASE = "ou=mailroutes,dc=example,dc=net"


def open_connection(settings):
    conn = ldap.initialize(settings["ldap.uri"])
    conn.simple_bind_s(settings["ldap.bind_dn"], settings["ldap.bind_password"])
    return conn


def lookup_route(conn, address):
    flt = filter_format("(&(objectClass=mailRecipient)(mail=%s))", [address])
    results = conn.search_s(MAIL_BASE, ldap.SCOPE_ONELEVEL, flt, ["mailHost", "mailRoutingAddress"])
    return [
        {k: [v.decode() for v in vals] for k, vals in attrs.items()} for _dn, attrs in results
    ]


@view_config(route_name="mail_route", renderer="json")
def mail_route(request):
    address = request.params.get("address", "").strip()
    if "@" not in address:
        raise HTTPBadRequest(json_body={"error": "address must be an email"})
    conn = open_connection(request.registry.settings)
    try:
        routes = lookup_route(conn, address)
    finally:
        conn.unbind_s()
    return {"address": address, "routes": routes}
