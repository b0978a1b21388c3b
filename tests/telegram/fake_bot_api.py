"""A small local stand-in for Telegram's Bot API, for python-telegram-bot to talk to.

It answers the methods Heard uses over real HTTP on 127.0.0.1, records every
request (method, parameters, uploaded file names), serves queued updates to
getUpdates, and can be told to fail the next calls of a method.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

TOKEN = "123456:TEST-token"
BOT = {"id": 123456, "is_bot": True, "first_name": "Heard", "username": "HeardTestBot"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, str] = field(default_factory=dict)  # field name -> uploaded file name
    status: int = 200  # what the fake answered

    @property
    def chat_id(self) -> str | None:
        return str(self.params["chat_id"]) if "chat_id" in self.params else None

    @property
    def words(self) -> str | None:
        return self.params.get("text") or self.params.get("caption")

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        return self.params.get("reply_markup")


def _value(raw: str) -> Any:
    # python-telegram-bot sends objects (reply_markup, lists) JSON-encoded inside form fields.
    try:
        return json.loads(raw)
    except ValueError:
        return raw


class FakeBotApi:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self._failures: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self._message_id = 0
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, Request.application(self._app), threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/bot"

    def start(self) -> FakeBotApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    # -- what tests use ----------------------------------------------------------

    def fail_next(
        self, method: str, times: int = 1, status: int = 502, description: str = "Bad Gateway"
    ) -> None:
        self._failures[method].extend([(status, description)] * times)

    def sent(self, chat_id: str | int | None = None) -> list[Call]:
        """Messages the fake accepted (text, photo or voice), optionally to one chat."""
        sends = ("sendMessage", "sendPhoto", "sendVoice", "sendDocument")
        return [
            c
            for c in self.calls
            if c.method in sends and c.status == 200 and (chat_id is None or c.chat_id == str(chat_id))
        ]

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    # -- the server --------------------------------------------------------------

    def _app(self, request: Request) -> Response:
        _, _, method = request.path.rpartition("/")
        token = request.path.split("/")[1][len("bot") :]
        params = {k: _value(v) for k, v in request.form.items()}
        if request.is_json:
            params.update(request.get_json())
        files = {name: storage.filename or "" for name, storage in request.files.items()}
        with self._lock:
            call = Call(method, params, files)
            self.calls.append(call)
            failure = self._failures[method].pop(0) if self._failures[method] else None
        if failure is not None:
            call.status = failure[0]
        if token != TOKEN:
            return _json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        if failure is not None:
            status, description = failure
            return _json(status, {"ok": False, "error_code": status, "description": description})
        handler = getattr(self, f"_{method}", None)
        if handler is None:
            return _json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        return _json(200, {"ok": True, "result": handler(params)})

    def _message(self, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        with self._lock:
            self._message_id += 1
            message_id = self._message_id
        chat = {"id": int(params["chat_id"]), "type": "private"}
        return {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": BOT, **extra}

    def _getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return BOT

    def _sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._message(params, text=params.get("text", ""))

    def _sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        photo = [{"file_id": "photo-1", "file_unique_id": "p1", "width": 512, "height": 512}]
        return self._message(params, photo=photo, caption=params.get("caption"))

    def _sendVoice(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._message(params, voice={"file_id": "voice-1", "file_unique_id": "v1", "duration": 3})

    def _setWebhook(self, params: dict[str, Any]) -> bool:
        return True

    def _deleteWebhook(self, params: dict[str, Any]) -> bool:
        return True

    def _answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        return True

    def _getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        with self._lock:
            # Like Telegram: asking from an offset confirms (forgets) everything before it.
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            return list(self.updates)


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


# -- updates as Telegram sends them ---------------------------------------------

_next_update_id = 1000


def text_update(
    chat_id: int, text: str, update_id: int | None = None, chat_type: str = "private"
) -> dict[str, Any]:
    global _next_update_id
    if update_id is None:
        _next_update_id += 1
        update_id = _next_update_id
    user = {"id": chat_id, "is_bot": False, "first_name": "Sam"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": chat_type, "first_name": "Sam"},
            "from": user,
            "text": text,
        },
    }


def callback_update(chat_id: int, data: str, update_id: int) -> dict[str, Any]:
    user = {"id": chat_id, "is_bot": False, "first_name": "Sam"}
    message = {"message_id": 1, "date": int(time.time()), "chat": {"id": chat_id, "type": "private"}}
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cb-{update_id}",
            "from": user,
            "chat_instance": "ci",
            "data": data,
            "message": message,
        },
    }
