# expect: PS310@13
import xml.etree.ElementTree as ET

from flask import Flask, request

app = Flask(__name__)


@app.route("/find")
def find():
    root = ET.parse("users.xml").getroot()
    query = "./user[@name='" + request.args.get("name", "") + "']"
    found = root.findall(query)
    return {"n": len(found)}
