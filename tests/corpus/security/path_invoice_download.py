# expect: PS305@23
import os
from flask import Flask, request, send_file, abort
from flask_login import login_required, current_user

app = Flask(__name__)
INVOICE_ROOT = "/srv/billing/invoices"


def invoice_path(customer_id, filename):
    return os.path.join(INVOICE_ROOT, str(customer_id), filename)


@app.route("/billing/invoices/download")
@login_required
def download_invoice():
    filename = request.args.get("file")
    if not filename or not filename.endswith(".pdf"):
        abort(400)
    path = invoice_path(current_user.id, filename)
    if not os.path.exists(path):
        abort(404)
    return send_file(path, mimetype="application/pdf", as_attachment=True)
