"""The container's entry command, run as the container would run it (no Docker engine here)."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from ruamel.yaml import YAML

from tests.live import free_port, wait_healthy
from tests.server.client import Browser

ROOT = Path(__file__).parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def _instruction(name: str) -> str:
    """The last `name` instruction of the final stage, continuation lines joined."""
    joined = DOCKERFILE.replace("\\\n", " ")
    found = re.findall(rf"^{name}\s+(.+)$", joined, re.MULTILINE)
    assert found, f"the Dockerfile has no {name}"
    return str(found[-1])


def _environment() -> dict[str, str]:
    pairs = shlex.split(_instruction("ENV"))
    return dict(pair.split("=", 1) for pair in pairs)


def test_the_image_is_multi_stage_slim_and_not_root() -> None:
    assert DOCKERFILE.count("FROM python:3.11-slim") == 2
    assert re.search(r"^USER rehearse$", DOCKERFILE, re.MULTILINE)
    assert "pip install --no-cache-dir --no-index" in DOCKERFILE


def test_the_entry_command_serves_a_healthy_app(tmp_path: Path) -> None:
    command = json.loads(_instruction("CMD"))
    assert command[:2] == ["rehearse", "serve"]
    port = free_port()
    command[command.index("--port") + 1] = str(port)  # the image's 8000 may be taken here
    env = {**os.environ, **_environment()}
    env["REHEARSE_DB"] = env["REHEARSE_DB"].replace("/data", str(tmp_path))  # the volume
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL)
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_healthy(base_url, process)
        assert Browser(base_url).start("supportive")["id"]
        assert (tmp_path / "rehearse.sqlite3").exists()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_compose_runs_replicas_behind_a_proxy_on_postgres() -> None:
    compose = YAML(typ="safe").load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    app = compose["services"]["app"]
    assert app["build"] == "." and app["deploy"]["replicas"] >= 2
    assert app["environment"]["REHEARSE_DB"].startswith("postgresql+psycopg://")
    proxy_conf = compose["services"]["proxy"]["volumes"][0].split(":")[0]
    conf = (ROOT / proxy_conf).read_text(encoding="utf-8")
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
