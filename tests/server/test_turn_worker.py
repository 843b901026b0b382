"""The turn process's loop over its pipe: every request answered once, in order, whatever the
reads cut it into."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from typing import Any, cast

from server.turn_service import TurnService
from server.turn_worker import READ_SIZE, serve


class EchoService:
    """Answers each request with its own text, in batches of at most three."""

    def __init__(self) -> None:
        self.batches: list[int] = []

    def run_all(
        self, requests: list[dict[str, Any]]
    ) -> Iterator[list[tuple[dict[str, Any], tuple[bool, Any]]]]:
        for start in range(0, len(requests), 3):
            batch = requests[start : start + 3]
            self.batches.append(len(batch))
            yield [(request, (True, [json.dumps(request["text"])])) for request in batch]

    def between_batches(self, requests_waiting: Callable[[], bool]) -> None:
        requests_waiting()  # the probe must work on the real pipe


def _read_all(source: int) -> bytes:
    chunks = []
    while chunk := os.read(source, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def test_requests_cut_across_reads_are_each_answered_once_in_order() -> None:
    # Much more than one read: lines are cut at READ_SIZE and at the pipe's own buffer size.
    texts = [f"reply {number} " + "x" * (number % 700) for number in range(1, 801)]
    lines = b"".join(
        json.dumps({"n": number, "op": "reply", "text": text}).encode() + b"\n"
        for number, text in enumerate(texts, start=1)
    )
    assert len(lines) > 3 * READ_SIZE
    requests_in, requests_out = os.pipe()
    answers_in, answers_out = os.pipe()
    service = EchoService()

    def feed() -> None:
        view = memoryview(lines)
        while view:
            view = view[os.write(requests_out, view[:5_000]) :]  # a few requests at a time
        os.close(requests_out)

    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(_read_all(answers_in)))
    feeder = threading.Thread(target=feed)
    reader.start()
    feeder.start()
    serve(cast(TurnService, service), requests_in, answers_out)  # returns when the pipe closes
    os.close(answers_out)
    feeder.join(10)
    reader.join(10)
    answers = received[0].decode().splitlines()
    assert [answer.split("\t") for answer in answers] == [
        [str(number), "ok", json.dumps(text)] for number, text in enumerate(texts, start=1)
    ]
    assert sum(service.batches) == len(texts)
    os.close(requests_in)
    os.close(answers_in)
