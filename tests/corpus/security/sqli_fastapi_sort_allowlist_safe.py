# expect: none
from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel
from sqlalchemy import create_engine, text

engine = create_engine("postgresql+psycopg2://crm_app@localhost/crm")
app = FastAPI()

SORT_COLUMNS = {"name": "full_name", "created": "created_at", "score": "lead_score"}


class LeadQuery(BaseModel):
    owner: str
    sort: str = "created"
    limit: int = 50


def get_conn():
    with engine.connect() as conn:
        yield conn


def build_statement(sort_key):
    column = SORT_COLUMNS.get(sort_key)
    if column is None:
        return None
    return text(
        f"SELECT id, full_name, email FROM leads WHERE owner = :owner "
        f"ORDER BY {column} DESC LIMIT :limit"
    )


@app.post("/leads/search")
def search_leads(q: LeadQuery, conn=Depends(get_conn)):
    stmt = build_statement(q.sort)
    if stmt is None:
        raise HTTPException(status_code=400, detail="unsupported sort key")
    limit = max(1, min(q.limit, 200))
    rows = conn.execute(stmt, {"owner": q.owner, "limit": limit}).fetchall()
    return [dict(r._mapping) for r in rows]
