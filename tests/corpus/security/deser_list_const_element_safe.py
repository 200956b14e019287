# expect: none
import pickle

from flask import Flask, request

app = Flask(__name__)

DEFAULT_STATE = pickle.dumps({"step": 1, "items": []})


@app.route("/wizard/restore", methods=["POST"])
def wizard_restore():
    param = request.data

    values = []
    values.append(DEFAULT_STATE)
    values.append(param)
    values.append(b"unused")
    bar = values[0]

    state = pickle.loads(bar)
    return {"step": state["step"], "items": state["items"]}
