# expect: none
from flask import Flask, jsonify, request
from lxml import etree

app = Flask(__name__)
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
STAFF = etree.parse("/srv/app/data/staff.xml", PARSER)


class Lookup:
    def __init__(self, value):
        self._value = value

    def normalized(self):
        return self._value.strip()


@app.route("/staff/phone", methods=["POST"])
def staff_phone():
    param = request.get_json()["name"]

    bar = Lookup(param).normalized()

    phones = STAFF.xpath("//employee[name=$name]/phone/text()", name=bar)
    return jsonify({"name": bar, "phones": [str(p) for p in phones]})
