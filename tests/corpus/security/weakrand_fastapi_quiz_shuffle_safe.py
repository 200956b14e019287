# expect: none
import random

from fastapi import FastAPI, HTTPException

from app.quiz import load_questions

app = FastAPI()


@app.get("/quizzes/{quiz_id}/practice")
def practice_round(quiz_id: int, count: int = 10):
    questions = load_questions(quiz_id)
    if not questions:
        raise HTTPException(status_code=404, detail="quiz not found")

    count = max(1, min(count, len(questions)))
    selected = random.sample(questions, count)
    for question in selected:
        random.shuffle(question["choices"])
    return {"quiz_id": quiz_id, "practice": True, "questions": selected}
