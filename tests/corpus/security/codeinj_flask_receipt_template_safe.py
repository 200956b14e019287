# expect: none
from flask import Flask, request
from jinja2 import Environment

app = Flask(__name__)
env = Environment(autoescape=True)

RECEIPT_SOURCE = """
<html><body>
  <h1>Thanks, {{ name }}!</h1>
  <ul>
  {% for item in items %}<li>{{ item }}</li>{% endfor %}
  </ul>
  <p>{{ note }}</p>
</body></html>
"""

RECEIPT_TEMPLATE = env.from_string(RECEIPT_SOURCE)


def render_receipt(name, items, note):
    return RECEIPT_TEMPLATE.render(name=name, items=items, note=note)


@app.route("/receipt")
def receipt():
    name = request.args.get("name", "customer")
    items = request.args.getlist("item")
    note = request.args.get("note", "{{ 7 * 7 }} is not evaluated here")
    return render_receipt(name, items, note)
