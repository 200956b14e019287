# expect: none
import json
import pickle
from pathlib import Path

from fastapi import FastAPI, Header
from pydantic import BaseModel

MODEL_PATH = Path(__file__).resolve().parent / "artifacts" / "churn_model.pkl"

# trained offline and shipped with the deployment
with MODEL_PATH.open("rb") as fh:
    MODEL = pickle.load(fh)


class Features(BaseModel):
    tenure_months: int
    monthly_spend: float
    support_tickets: int


app = FastAPI()


@app.post("/predict")
async def predict(features: Features, x_client_context: str = Header(default="{}")):
    try:
        context = json.loads(x_client_context)
    except json.JSONDecodeError:
        context = {}
    if not isinstance(context, dict):
        context = {}
    row = [[features.tenure_months, features.monthly_spend, features.support_tickets]]
    score = float(MODEL.predict_proba(row)[0][1])
    return {"churn_probability": round(score, 4), "client": context.get("app", "unknown")}
