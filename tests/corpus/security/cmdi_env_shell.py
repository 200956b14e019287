# expect: PS302@8
import os


def thumbnail():
    # A shell parses the environment's value: `IMAGE='x; rm -rf ~'` runs a second command.
    image = os.environ["IMAGE"]
    os.system("convert " + image + " -resize 64x64 thumb.png")
