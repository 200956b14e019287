# expect: PS304@10
import yaml
from fastapi import FastAPI, File, HTTPException, UploadFile

app = FastAPI()
REQUIRED_KEYS = {"name", "schedule", "task"}


def iter_job_documents(text):
    for doc in yaml.load_all(text, Loader=yaml.UnsafeLoader):
        if doc:
            yield doc


def validate_jobs(docs):
    jobs = []
    for doc in docs:
        if not isinstance(doc, dict):
            raise HTTPException(status_code=422, detail="each document must be a mapping")
        missing = REQUIRED_KEYS - set(doc)
        if missing:
            raise HTTPException(status_code=422, detail=f"missing keys: {sorted(missing)}")
        jobs.append({k: doc[k] for k in REQUIRED_KEYS})
    return jobs


@app.post("/jobs/import")
async def import_jobs(manifest: UploadFile = File(...)):
    raw = await manifest.read()
    text = raw.decode("utf-8", errors="replace")
    jobs = validate_jobs(iter_job_documents(text))
    return {"imported": len(jobs), "jobs": [j["name"] for j in jobs]}
