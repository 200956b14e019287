"""Reads service settings sent on standard input (a fixture with an unsafe YAML load)."""

import sys

import yaml


def load_settings():
    text = sys.stdin.read()
    return yaml.load(text)
