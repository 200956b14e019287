from flask import request

from repo import lookup


def search():
    return lookup(request.args.get("q"))
