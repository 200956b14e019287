# expect: none
"""Nightly sync: lock contractor accounts listed in the file a partner agency uploads.

Usage: python offboard.py /srv/sftp/partner/offboarding.txt
"""
import os
import sys

import ldap
from ldap.filter import filter_format

BASE_DN = "ou=contractors,dc=corp,dc=example"


def main(path):
    conn = ldap.initialize("ldaps://ldap.corp.example")
    conn.simple_bind_s(os.environ["LDAP_ADMIN_DN"], os.environ["LDAP_ADMIN_PW"])
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            employee_id = line.strip()
            if not employee_id:
                continue
            flt = filter_format("(&(objectClass=inetOrgPerson)(employeeNumber=%s))", [employee_id])
            for dn, _attrs in conn.search_s(BASE_DN, ldap.SCOPE_SUBTREE, flt, ["uid"]):
                conn.modify_s(dn, [(ldap.MOD_REPLACE, "nsAccountLock", [b"TRUE"])])
                print("locked", dn)
    conn.unbind_s()


if __name__ == "__main__":
    main(sys.argv[1])
