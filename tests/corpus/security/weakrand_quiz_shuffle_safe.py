# expect: none
import random

from flask import Flask, request

app = Flask(__name__)

QUESTIONS = [
    "What does HTTP stand for?",
    "Name a stateless protocol.",
    "What port does HTTPS use by default?",
    "What is a CDN?",
    "What does DNS resolve?",
    "What is a race condition?",
]


@app.route("/practice/<int:deck_id>")
def practice_deck(deck_id):
    # ungraded practice mode: order is only shuffled to keep it interesting
    count = min(max(request.args.get("count", 5, type=int), 1), len(QUESTIONS))
    rng = random.Random()
    picked = rng.sample(QUESTIONS, count)
    return {"deck": deck_id, "questions": picked}
