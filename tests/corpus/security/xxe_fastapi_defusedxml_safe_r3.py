# expect: none
from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from fastapi import FastAPI, HTTPException, Request

app = FastAPI()
UBL_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"


@app.post("/invoices/ubl")
async def ingest_invoice(request: Request):
    body = await request.body()
    try:
        root = SafeET.fromstring(
            body, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except (DefusedXmlException, SafeET.ParseError):
        raise HTTPException(status_code=400, detail="rejected XML document")
    ns = {"cbc": UBL_CBC}
    return {
        "invoice_id": root.findtext("cbc:ID", default="", namespaces=ns),
        "issue_date": root.findtext("cbc:IssueDate", default="", namespaces=ns),
    }
