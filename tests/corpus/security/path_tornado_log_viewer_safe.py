# expect: none
import os

import tornado.web

LOG_DIR = os.path.realpath("/var/log/myapp")


class LogViewerHandler(tornado.web.RequestHandler):
    def prepare(self):
        self.log_name = os.path.basename(self.get_argument("name"))

    def _resolve(self):
        full = os.path.realpath(os.path.join(LOG_DIR, self.log_name))
        if os.path.commonpath([full, LOG_DIR]) != LOG_DIR or full == LOG_DIR:
            raise tornado.web.HTTPError(403)
        return full

    def get(self):
        path = self._resolve()
        try:
            count = int(self.get_argument("lines", "200"))
        except ValueError:
            count = 200
        count = max(1, min(count, 5000))
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                tail = fh.readlines()[-count:]
        except FileNotFoundError:
            raise tornado.web.HTTPError(404)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.write("".join(tail))


def make_app():
    return tornado.web.Application([(r"/admin/logs", LogViewerHandler)])
