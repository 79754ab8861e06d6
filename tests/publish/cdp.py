"""A few calls of the Chrome DevTools protocol over a websocket: enough to load a page in
headless Chromium, read it, and take a screenshot (no browser-automation framework)."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import websockets

CHROMIUM_NAMES = ("chromium", "chromium-browser")


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None


class Browser:
    """Headless Chromium with one page."""

    def __init__(self, executable: str, profile: Path) -> None:
        self.executable = executable
        self.profile = profile
        self.process: subprocess.Popen | None = None
        self._ids = itertools.count(1)

    async def __aenter__(self) -> Browser:
        self.process = subprocess.Popen(
            [self.executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--no-default-browser-check", "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
             f"--user-data-dir={self.profile}", "--window-size=1280,900", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        browser_url = await asyncio.to_thread(self._devtools_url)
        port = re.search(r":(\d+)/", browser_url).group(1)
        async with websockets.connect(browser_url, max_size=None) as browser:
            target = await self._call(browser, "Target.createTarget", url="about:blank")
        self.page = await websockets.connect(
            f"ws://127.0.0.1:{port}/devtools/page/{target['targetId']}", max_size=None)
        await self.send("Page.enable")
        return self

    def _devtools_url(self) -> str:
        for line in self.process.stderr:
            match = re.search(r"DevTools listening on (ws://\S+)", line)
            if match:
                return match.group(1)
        raise RuntimeError("Chromium did not start its DevTools endpoint")

    async def __aexit__(self, *exc) -> None:
        try:
            await self.page.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    async def _call(self, socket, method: str, **params):
        number = next(self._ids)
        await socket.send(json.dumps({"id": number, "method": method, "params": params}))
        while True:
            message = json.loads(await socket.recv())
            if message.get("id") == number:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    async def send(self, method: str, **params):
        return await self._call(self.page, method, **params)

    async def evaluate(self, expression: str):
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def open(self, url: str, *, timeout: float = 20) -> None:
        await self.send("Page.navigate", url=url)
        await self.wait_for("document.readyState === 'complete' && location.href !== 'about:blank'",
                            timeout=timeout)

    async def wait_for(self, expression: str, *, timeout: float = 10, step: float = 0.05) -> None:
        """Until the expression is true in the page (a poll of the page, not a sleep in the test)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not await self.evaluate(expression):
            if loop.time() > deadline:
                raise AssertionError(f"not true within {timeout}s: {expression}")
            await asyncio.sleep(step)

    async def screenshot(self, path: Path) -> None:
        shot = await self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        path.write_bytes(base64.b64decode(shot["data"]))
