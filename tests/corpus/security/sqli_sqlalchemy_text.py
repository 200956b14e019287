# expect: PS301@12
from fastapi import FastAPI
from sqlalchemy import create_engine, text

app = FastAPI()
engine = create_engine("sqlite://")


@app.get("/users")
def users(role: str):
    with engine.connect() as conn:
        result = conn.execute(text("SELECT name FROM users WHERE role = '" + role + "'"))
        return [row[0] for row in result]
