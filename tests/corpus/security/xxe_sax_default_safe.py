# expect: none
import xml.dom.minidom
import xml.sax

from flask import Flask, request

app = Flask(__name__)


@app.route("/xml", methods=["POST"])
def parse_xml():
    data = request.get_data(as_text=True)
    parser = xml.sax.make_parser()
    doc = xml.dom.minidom.parseString(data, parser)
    return {"tag": doc.documentElement.tagName}
