import subprocess


def run_tool(arguments):
    return subprocess.check_output("tool " + arguments, shell=True, text=True)
