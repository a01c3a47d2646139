"""Trainees without browsers: the quiz driven over Jupyter's kernel websocket protocol, as the
widgets' front end drives it, so that a class's answers can be timed at the server alone.

The capacity bench's browser contexts run on the server's own two cores, so their rendering
(~50 ms of Chromium a answer) is billed to the server there; in a classroom each trainee's own
computer does that part. Here each trainee is a websocket client: it fetches the quiz page (Voilà
hands it a kept kernel), asks the kernel for its widgets' states (the ``jupyter.widget.control``
comm, as ipywidgets' front end does), types a name and picks an outcome (widget ``update``
messages), and at the common start clicks 提交答案 (the button's ``custom`` click event). The
time is from sending the click to receiving the feedback widget's update that carries the scored
answer — what the server and the trainee's kernel take, nothing drawn.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.parse
import urllib.request
import uuid

#: ipywidgets' control comm and the protocol version its kernel side expects (ipywidgets 8).
CONTROL_TARGET, CONTROL_VERSION = "jupyter.widget.control", "1.0.0"


#: The websocket subprotocol Voilà's page asks for (jupyter_server's "v1" framing: the server
#: relays the kernel's frames as they are instead of parsing and re-encoding each message as JSON).
#: The trainees here ask for it too, so the server does for them what it does for a browser.
WS_PROTOCOL = "v1.kernel.websocket.jupyter.org"


def _message(session: str, msg_type: str, content: dict, metadata: dict | None = None) -> bytes:
    """A shell message in the v1 framing: the count of offsets, the offsets (8 bytes each, little
    endian), then the channel and the JSON parts header, parent header, metadata, content."""
    header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": session, "username": "", "date": "",
              "version": "5.3"}
    parts = [b"shell", *(json.dumps(p).encode() for p in (header, {}, metadata or {}, content))]
    offsets = [8 * (len(parts) + 2)]
    for part in parts:
        offsets.append(offsets[-1] + len(part))
    return b"".join([len(offsets).to_bytes(8, "little"), *(o.to_bytes(8, "little") for o in offsets), *parts])


def _parse(frame: bytes) -> dict:
    """A v1 frame from the server as a message dict (header, parent_header, metadata, content)."""
    count = int.from_bytes(frame[:8], "little")
    offsets = [int.from_bytes(frame[8 * (i + 1):8 * (i + 2)], "little") for i in range(count)]
    parts = [frame[offsets[i]:offsets[i + 1]] for i in range(count - 1)]
    keys = ("header", "parent_header", "metadata", "content")
    msg = {k: json.loads(p) for k, p in zip(keys, parts[1:5])}
    msg["channel"] = parts[0].decode()
    return msg


class Trainee:
    """One trainee's page and kernel, over the protocol."""

    def __init__(self, base: str, name: str) -> None:
        self.base, self.name = base, name
        self.session = uuid.uuid4().hex
        self.ws = None
        self.kernel, self.cookies = "", ""
        self.models: dict[str, dict] = {}

    async def open(self) -> None:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        def fetch() -> tuple[str, str]:
            with urllib.request.urlopen(self.base, timeout=120) as r:
                cookies = "; ".join(c.split(";")[0] for c in r.headers.get_all("Set-Cookie") or [])
                return r.read().decode("utf-8"), cookies

        html, cookies = await asyncio.to_thread(fetch)
        self.kernel, self.cookies = re.search(r'"kernelId": "([^"]+)"', html).group(1), cookies
        url = self.base.replace("http", "ws", 1) + f"api/kernels/{self.kernel}/channels?session_id={self.session}"
        self.ws = await websocket_connect(HTTPRequest(url, headers={"Cookie": cookies}), max_message_size=2**26,
                                          subprotocols=[WS_PROTOCOL])
        if self.ws.selected_subprotocol != WS_PROTOCOL:
            raise ConnectionError(f"the server did not take the {WS_PROTOCOL} framing")
        control = uuid.uuid4().hex
        self._send("comm_open", {"comm_id": control, "target_name": CONTROL_TARGET, "data": {}},
                   {"version": CONTROL_VERSION})
        self._send("comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
        while True:
            data = (await self._next())["content"].get("data", {})
            if data.get("method") == "update_states":
                self.models = data["states"]
                return

    def _send(self, msg_type: str, content: dict, metadata: dict | None = None) -> None:
        self.ws.write_message(_message(self.session, msg_type, content, metadata), binary=True)

    async def _next(self) -> dict:
        while True:
            raw = await self.ws.read_message()
            if raw is None:
                raise ConnectionError("the server closed the kernel's websocket")
            return _parse(raw)

    def _model(self, name: str, description: str | None = None, dom_class: str | None = None) -> str:
        for mid, m in self.models.items():
            state = m["state"]
            if m["model_name"] != name:
                continue
            if description is not None and state.get("description") != description:
                continue
            if dom_class is not None and dom_class not in state.get("_dom_classes", []):
                continue
            return mid
        raise LookupError(f"no {name} {description or dom_class or ''} on the page")

    def _update(self, model: str, state: dict) -> None:
        self._send("comm_msg", {"comm_id": model, "data": {"method": "update", "state": state, "buffer_paths": []}})

    def prepare(self, name_label: str, outcome_label: str, pick: str) -> None:
        """Type the name and pick the outcome whose label is ``pick``."""
        self._update(self._model("TextModel", name_label), {"value": self.name})
        radio = self._model("RadioButtonsModel", outcome_label)
        self._update(radio, {"index": self.models[radio]["state"]["_options_labels"].index(pick)})

    async def submit(self, button_label: str, answer_class: str) -> float:
        """Click the button; seconds until the feedback carrying ``answer_class`` comes back."""
        feedback = self._model("HTMLModel", dom_class="ftlib-quiz-feedback")
        button = self._model("ButtonModel", button_label)
        t0 = time.perf_counter()
        self._send("comm_msg", {"comm_id": button, "data": {"method": "custom", "content": {"event": "click"}}})
        while True:
            msg = await self._next()
            content = msg["content"]
            if (msg["header"]["msg_type"] == "comm_msg" and content.get("comm_id") == feedback
                    and answer_class in str(content.get("data", {}).get("state", {}).get("value", ""))):
                return time.perf_counter() - t0

    def close(self) -> None:
        """Leave as a tab does: the shutdown beacon Voilà's page sends on ``beforeunload`` (with the
        ``_xsrf`` cookie's value as a form field), then the websocket closed."""
        if self.ws is not None:
            self.ws.close()
        if not self.kernel:
            return
        xsrf = re.search(r"\b_xsrf=([^;]*)", self.cookies)
        body = urllib.parse.urlencode({"_xsrf": xsrf.group(1) if xsrf else ""}).encode()
        req = urllib.request.Request(f"{self.base}voila/api/shutdown/{self.kernel}", data=body,
                                     headers={"Cookie": self.cookies})
        try:
            urllib.request.urlopen(req, timeout=30).close()
        except OSError:             # a beacon is fire-and-forget in the browser too
            pass


async def _submit_after(trainee: Trainee, delay: float, labels: dict[str, str]) -> float:
    await asyncio.sleep(delay)
    return await trainee.submit(labels["submit"], labels["answer_class"])


async def class_answers(base: str, names: list[str], labels: dict[str, str], timeout_s: float = 120,
                        spread_s: float = 0.0) -> dict:
    """``names`` trainees open the quiz, prepare, and submit — at the same moment, or evenly over
    ``spread_s`` seconds as a class that reads at its own pace: seconds for each answer that came
    back (``answers``) and how many failed (``failed``)."""
    trainees = [Trainee(base, n) for n in names]
    try:
        opened = await asyncio.wait_for(asyncio.gather(*(t.open() for t in trainees), return_exceptions=True),
                                        timeout_s)
        ready = [t for t, r in zip(trainees, opened) if not isinstance(r, BaseException)]
        for t in ready:
            t.prepare(labels["name"], labels["outcome"], labels["pick"])
        await asyncio.sleep(2)      # the name and the pick reach every kernel before the clicks
        done = await asyncio.wait_for(asyncio.gather(*(_submit_after(t, i * spread_s / max(1, len(ready)), labels)
                                                       for i, t in enumerate(ready)), return_exceptions=True),
                                      timeout_s + spread_s)
        times = [d for d in done if not isinstance(d, BaseException)]
        return {"answers": times, "failed": len(names) - len(times)}
    finally:
        for t in trainees:
            t.close()
