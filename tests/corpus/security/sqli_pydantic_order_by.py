# expect: PS301@34
from fastapi import Depends, FastAPI
from pydantic import BaseModel
from sqlalchemy import create_engine, text

app = FastAPI()
engine = create_engine("postgresql://app@localhost/reports")

QUERY_TEMPLATE = (
    "SELECT id, title, created_at FROM reports "
    "WHERE owner_id = :owner ORDER BY {sort_field} {direction} LIMIT {limit}"
)


class ReportQuery(BaseModel):
    sort_field: str = "created_at"
    direction: str = "desc"
    limit: int = 50


def current_user_id() -> int:
    # the real app resolves this from the bearer token
    return 1


def build_sql(query: ReportQuery) -> str:
    return QUERY_TEMPLATE.format(**query.dict())


@app.post("/reports/search")
async def search_reports(query: ReportQuery, user_id: int = Depends(current_user_id)):
    sql = build_sql(query)
    with engine.connect() as conn:
        rows = conn.execute(text(sql), {"owner": user_id}).fetchall()
    return [dict(r._mapping) for r in rows]
