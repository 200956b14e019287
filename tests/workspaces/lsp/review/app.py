"""A small web handler with the kind of mistakes the static review must flag."""

import subprocess

import yaml


def run(cmd):
    return subprocess.call(cmd, shell=True)


def load_config(request):
    return yaml.load(request.data)


def add(a, b):
    return a + b
