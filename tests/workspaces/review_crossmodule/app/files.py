import os

REPORTS = "/srv/reports"


def read_report(name):
    with open(os.path.join(REPORTS, name)) as handle:
        return handle.read()
