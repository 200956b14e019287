# expect: none
from flask import Flask
from lxml import etree

app = Flask(__name__)
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
ROUTES = etree.parse("data/routes.xml", PARSER)


@app.route("/routes/<region>")
def routes_for(region):
    params = {}
    params["requested"] = region
    params["fallback"] = "north"
    chosen = params.get("fallback")
    expr = "//route[@region='{}']/@name".format(chosen)
    names = ROUTES.xpath(expr)
    return {"region": chosen, "routes": [str(n) for n in names]}
