# expect: none
from flask import Flask, request
from lxml import etree

app = Flask(__name__)
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
STAFF = etree.parse("data/staff.xml", PARSER)
FIND_EXTENSION = etree.XPath("//employee[name=$name]/ext/text()")


@app.route("/staff/extension", methods=["POST"])
def extension():
    name = request.form.get("name", "")
    # user input is bound as an XPath variable, never spliced into the expression
    matches = FIND_EXTENSION(STAFF, name=name)
    return {"name": name, "extensions": [str(m) for m in matches]}
