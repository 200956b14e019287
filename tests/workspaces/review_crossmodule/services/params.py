from flask import request


def search_term():
    return request.args.get("q", "")


def page_size():
    return int(request.args.get("n", "10"))
