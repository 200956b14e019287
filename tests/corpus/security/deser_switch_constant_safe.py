# expect: none
import pickle

from flask import Flask, request

app = Flask(__name__)

DEFAULT_STATE = pickle.dumps({"page": 1, "per_page": 20})


@app.route("/state/restore", methods=["POST"])
def restore_state():
    blob = request.get_data()
    selector = "B"
    if selector == "A":
        chosen = blob
    elif selector == "B":
        chosen = DEFAULT_STATE
    else:
        chosen = blob
    state = pickle.loads(chosen)
    return {"page": state["page"], "per_page": state["per_page"]}
