# expect: PS303@5
def repl():
    while True:
        line = input(">>> ")
        exec(line)
