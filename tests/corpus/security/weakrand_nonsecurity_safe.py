# expect: none
import random


def shuffle_deck(cards):
    deck = list(cards)
    random.shuffle(deck)
    return deck


def jitter(delay):
    return delay * (1 + random.random() / 10)
