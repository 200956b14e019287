# expect: none
from fastapi import FastAPI, HTTPException
from lxml import etree

app = FastAPI()
PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
STAFF = etree.parse("data/staff.xml", PARSER)
BY_DEPARTMENT = etree.XPath("//employee[@department = $dept]")


def _serialize(node):
    return {
        "id": node.get("id"),
        "name": node.findtext("name"),
        "title": node.findtext("title"),
    }


@app.get("/staff/{department}")
async def staff_by_department(department: str, name: str = ""):
    if name:
        nodes = STAFF.xpath(
            "//employee[@department = $dept and contains(name, $needle)]",
            dept=department,
            needle=name,
        )
    else:
        nodes = BY_DEPARTMENT(STAFF, dept=department)
    if not nodes:
        raise HTTPException(status_code=404, detail="no staff found")
    return {"department": department, "staff": [_serialize(n) for n in nodes]}
