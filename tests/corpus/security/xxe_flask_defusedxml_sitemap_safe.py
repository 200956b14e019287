# expect: none
from defusedxml.ElementTree import ParseError, fromstring
from defusedxml import DefusedXmlException
from flask import Flask, jsonify, request

app = Flask(__name__)
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def extract_urls(xml_bytes):
    root = fromstring(xml_bytes)
    urls = []
    for node in root.findall("sm:url", NS):
        loc = node.findtext("sm:loc", default="", namespaces=NS).strip()
        if loc:
            urls.append({"loc": loc, "lastmod": node.findtext("sm:lastmod", namespaces=NS)})
    return urls


@app.route("/seo/sitemap/validate", methods=["POST"])
def validate_sitemap():
    upload = request.files.get("sitemap")
    data = upload.read() if upload else request.get_data()
    try:
        urls = extract_urls(data)
    except (ParseError, DefusedXmlException) as exc:
        return jsonify(valid=False, error=str(exc)), 400
    return jsonify(valid=True, count=len(urls), sample=urls[:10])
