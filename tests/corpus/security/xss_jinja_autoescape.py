# expect: PS307@4
import jinja2

env = jinja2.Environment(loader=jinja2.FileSystemLoader("templates"), autoescape=False)
