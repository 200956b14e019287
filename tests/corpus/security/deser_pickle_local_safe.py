# expect: none
import pickle
from pathlib import Path

CACHE = Path(__file__).with_name("model.pkl")


def load_model():
    with open(CACHE, "rb") as handle:
        return pickle.load(handle)
