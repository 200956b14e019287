# expect: none
import yaml
from flask import Flask, request

app = Flask(__name__)


@app.route("/config", methods=["POST"])
def config():
    document = request.get_data(as_text=True)
    settings = yaml.safe_load(document)
    return {"n": len(settings)}
