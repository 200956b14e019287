# expect: none
import os

import anyio
from starlette.responses import FileResponse, PlainTextResponse


class AssetFiles:
    """Serves files below the configured folders; the lookup runs in a worker thread."""

    def __init__(self, folders):
        self.folders = folders

    async def __call__(self, scope, receive, send):
        wanted = os.path.normpath(scope["path"].lstrip("/"))
        found = await anyio.to_thread.run_sync(self.find, wanted)
        if not found:
            await PlainTextResponse("not found", status_code=404)(scope, receive, send)
            return
        await FileResponse(found)(scope, receive, send)

    def find(self, wanted):
        for folder in self.folders:
            folder = os.path.realpath(folder)
            candidate = os.path.realpath(os.path.join(folder, wanted))
            if os.path.commonpath([candidate, folder]) != folder:
                continue
            if os.path.isfile(candidate):
                return candidate
        return ""
