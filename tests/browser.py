"""A real headless Chromium, driven over the DevTools protocol through a pipe.

Used by the tests that look at the HTML report the way a person would: they open the
page, wait for its script, read what the console said and which requests the page
made, and take a screenshot. Chromium comes from the system's packages (`.ci/run`
installs Debian's ``chromium``); no driver or Python package is needed.
"""

import base64
import fcntl
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time

_NAMES = ("chromium", "chromium-browser", "google-chrome")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--remote-debugging-pipe", "--hide-scrollbars", "--mute-audio")


def find_chromium():
    """The path of the system's Chromium, or None."""
    for name in _NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _high(fd):
    """A duplicate of `fd` numbered 10 or more (so the child's 3 and 4 are free)."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return high


class Browser:
    """A headless Chromium with a fresh profile; a context manager.

    Parameters
    ----------
    executable : str
    timeout : float
        Seconds to wait for any answer of the browser.
    """

    def __init__(self, executable, timeout=60):
        self.timeout = timeout
        self.events = []
        self._answers = queue.Queue()
        self._next_id = 0
        self._profile = tempfile.TemporaryDirectory(prefix="scorecast-chromium-")
        to_child_r, to_child_w = (_high(fd) for fd in os.pipe())
        from_child_r, from_child_w = (_high(fd) for fd in os.pipe())

        def plumbing():  # in the child: the protocol reads fd 3 and writes fd 4
            os.dup2(to_child_r, 3)
            os.dup2(from_child_w, 4)

        self.process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={self._profile.name}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            pass_fds=(3, 4, to_child_r, from_child_w), preexec_fn=plumbing)
        os.close(to_child_r)
        os.close(from_child_w)
        self._out = os.fdopen(to_child_w, "wb", buffering=0)
        self._reader = threading.Thread(target=self._read, args=(from_child_r,), daemon=True)
        self._reader.start()
        self._stderr = []
        threading.Thread(target=lambda: self._stderr.extend(self.process.stderr),
                         daemon=True).start()

    def _read(self, fd):
        buffer = b""
        with os.fdopen(fd, "rb", buffering=0) as pipe:
            while True:
                chunk = pipe.read(1 << 16)
                if not chunk:
                    self._answers.put(None)
                    return
                buffer += chunk
                *messages, buffer = buffer.split(b"\0")
                for raw in messages:
                    message = json.loads(raw)
                    if "id" in message:
                        self._answers.put(message)
                    else:
                        self.events.append(message)

    def send(self, method, params=None, session=None):
        """Send one command and return its result (raises on a protocol error)."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._out.write(json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            answer = self._answers.get(timeout=max(0.1, deadline - time.monotonic()))
            if answer is None:
                raise RuntimeError("Chromium closed the pipe: "
                                   + b"".join(self._stderr).decode(errors="replace")[-2000:])
            if answer["id"] == self._next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})

    def open(self, url, width=1280, height=900):
        """Open `url` in a new page and wait for its load event; return the session id."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target,
                                                      "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=session)
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1,
                   "mobile": False}, session=session)
        start = len(self.events)
        self.send("Page.navigate", {"url": url}, session=session)
        self.wait_for(lambda e: e.get("method") == "Page.loadEventFired"
                      and e.get("sessionId") == session, start)
        return session

    def wait_for(self, condition, start=0):
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if any(condition(e) for e in self.events[start:]):
                return
            time.sleep(0.05)
        raise TimeoutError("Chromium did not send the awaited event")

    def evaluate(self, session, expression):
        """The value of a JavaScript expression in the page."""
        result = self.send("Runtime.evaluate", {"expression": expression,
                                                "returnByValue": True,
                                                "awaitPromise": True}, session=session)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, session, path, full_page=False):
        """Write a PNG of the page (the viewport, or the whole page) to `path`."""
        params = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
        data = self.send("Page.captureScreenshot", params, session=session)["data"]
        path.write_bytes(base64.b64decode(data))

    def console_errors(self):
        """Console errors, uncaught exceptions and browser log errors (CSP included)."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(params["exceptionDetails"].get("text", "exception"))
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error",
                                                                                 "assert"):
                found.append(" ".join(str(a.get("value", a.get("description")))
                                      for a in params.get("args", [])))
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(params["entry"]["text"])
        return found

    def requests(self):
        """The URLs of every request the pages made."""
        return [e["params"]["request"]["url"] for e in self.events
                if e.get("method") == "Network.requestWillBeSent"]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        try:
            self.send("Browser.close")
        except (RuntimeError, queue.Empty, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._out.close()
        self._profile.cleanup()
