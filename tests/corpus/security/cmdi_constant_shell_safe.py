# expect: none
import subprocess


def disk_usage():
    return subprocess.check_output("df -h /", shell=True).decode()


def uptime():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout
