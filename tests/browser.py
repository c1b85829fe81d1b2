"""A page opened in headless Chromium, as a reader would: what it requests, how wide it is, how it prints.

Talks to Chromium over the DevTools protocol (a websocket; tornado's client, already installed
with Jupyter), so the tests need no browser driver package. ``chromium()`` finds Debian's
``chromium`` (or Chrome); the tests skip with an install hint where there is none, and CI runs
them (``.ci/run`` installs it when it runs as root).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

INSTALL_HINT = "headless Chromium is needed: `sudo apt-get install chromium` (Debian/Ubuntu) or install Google Chrome"
A4 = (8.27, 11.69)  # inches


def chromium() -> str | None:
    """The Chromium (or Chrome) executable, or None."""
    for name in (os.environ.get("HIPLBP_CHROMIUM", ""), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


@dataclass
class PageReport:
    """What the browser saw."""

    requests: list[str] = field(default_factory=list)
    scroll_width: int = 0
    window_width: int = 0
    images_without_alt: int = 0
    images: int = 0
    title: str = ""
    pdf: bytes = b""
    #: the document's width with print styles on a page as wide as A4's text (nothing clipped if <=)
    print_scroll_width: int = 0
    print_width: int = 0
    #: messages of alert/confirm/prompt calls: any is script that ran from the page's content
    alerts: list[str] = field(default_factory=list)
    #: elements with an inline event handler attribute (onerror=, onclick=, ...)
    event_handlers: int = 0
    #: the page's visible text
    text: str = ""

    @property
    def pdf_pages(self) -> int:
        """Pages of the printed PDF (its page tree's /Count)."""
        counts = [int(c) for c in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", self.pdf)]
        counts += [int(c) for c in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", self.pdf)]
        return max(counts) if counts else 0


class _DevTools:
    def __init__(self, ws) -> None:
        self.ws, self.next_id, self.events = ws, 0, []

    async def call(self, method: str, **params) -> dict:
        self.next_id += 1
        mine = self.next_id
        await self.ws.write_message(json.dumps({"id": mine, "method": method, "params": params}))
        while True:
            msg = json.loads(await self.ws.read_message())
            if msg.get("id") == mine:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    async def wait_for(self, event: str, timeout: float = 60) -> None:
        if any(e.get("method") == event for e in self.events):
            return
        while True:
            msg = json.loads(await asyncio.wait_for(self.ws.read_message(), timeout))
            self.events.append(msg)
            if msg.get("method") == event:
                return


async def _inspect(ws_url: str, url: str, width: int) -> PageReport:
    from tornado.websocket import websocket_connect

    ws = await websocket_connect(ws_url, max_message_size=512 * 1024 * 1024)
    dt = _DevTools(ws)
    await dt.call("Network.enable")
    await dt.call("Page.enable")
    # a script that runs from the page's content shows itself: alert() and its kin are recorded
    await dt.call(
        "Page.addScriptToEvaluateOnNewDocument",
        source="window.__alerts = []; for (const f of ['alert', 'confirm', 'prompt']) "
        "window[f] = (m) => { window.__alerts.push(String(m)); };",
    )
    await dt.call("Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1, mobile=False)
    await dt.call("Page.navigate", url=url)
    await dt.wait_for("Page.loadEventFired")

    async def js(expr: str):
        return (await dt.call("Runtime.evaluate", expression=expr, returnByValue=True))["result"]["value"]

    # what is one click away counts too: every <details> opened
    await js("document.querySelectorAll('details').forEach(d => d.open = true), 0")
    report = PageReport(
        scroll_width=await js("document.documentElement.scrollWidth"),
        window_width=await js("window.innerWidth"),
        images=await js("document.images.length"),
        images_without_alt=await js("[...document.images].filter(i => !(i.getAttribute('alt') || '').trim()).length"),
        title=await js("document.title"),
        text=await js("document.body.innerText"),
        event_handlers=await js(
            "[...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => /^on/i.test(a.name))).length"
        ),
    )
    await asyncio.sleep(0.5)  # let an image's onerror run, if there is one
    report.alerts = await js("window.__alerts")
    # printed as a reader prints it: the collapsed parts stay collapsed
    await js("document.querySelectorAll('details').forEach(d => d.open = false), 0")
    pdf = await dt.call(
        "Page.printToPDF", paperWidth=A4[0], paperHeight=A4[1], preferCSSPageSize=True, printBackground=False
    )
    report.pdf = base64.b64decode(pdf["data"])
    # A4's text width at 96 px per inch (210 mm less 12 mm margins each side), with the print styles
    report.print_width = round((210 - 24) / 25.4 * 96)
    await dt.call("Emulation.setEmulatedMedia", media="print")
    await dt.call(
        "Emulation.setDeviceMetricsOverride", width=report.print_width, height=1000, deviceScaleFactor=1, mobile=False
    )
    report.print_scroll_width = await js("document.documentElement.scrollWidth")
    report.requests = [
        e["params"]["request"]["url"]
        for e in dt.events
        if e.get("method") == "Network.requestWillBeSent"
        # a file URL with a host (what "//host/x" and "\\\\host\\x" become in a file page) is not local
        and not e["params"]["request"]["url"].startswith(("file:///", "data:", "about:"))
    ]
    ws.close()
    return report


def inspect(page: Path, width: int = 1280) -> PageReport:
    """Open ``page`` in headless Chromium at ``width`` px; record requests, layout, images and the A4 PDF."""
    exe = chromium()
    if exe is None:
        raise FileNotFoundError(INSTALL_HINT)
    # Chromium's helper processes may still write to the profile for a moment after it exits
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        proc = subprocess.Popen(
            [
                exe,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
            text=True,
        )
        try:
            port = None
            assert proc.stderr is not None
            for line in proc.stderr:
                m = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line)
                if m:
                    port = m.group(1)
                    break
            if port is None:
                raise RuntimeError("Chromium did not open its DevTools port")
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as fh:
                targets = json.load(fh)
            ws_url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
            return asyncio.run(_inspect(ws_url, page.resolve().as_uri(), width))
        finally:
            os.killpg(proc.pid, signal.SIGTERM)  # Chromium and its helper processes
            proc.wait(timeout=30)
