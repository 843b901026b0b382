"""Server settings: defaults, then REHEARSE_* environment variables, then command-line flags."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DB = "sqlite:///rehearse.sqlite3"  # a file in the working directory
MAX_FRAME_BYTES = 64 * 1024


class Settings(BaseSettings):
    """Everything `rehearse serve` can be told; each field also reads REHEARSE_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="REHEARSE_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    db: str = DEFAULT_DB
    workers: int = Field(default=1, ge=1, le=64)
    secret_key: str | None = None
    # REHEARSE_SCENARIOS is read by the scenario loader itself (os.pathsep-separated).
    scenario_dirs: list[str] = Field(default_factory=list)
    replies_per_second: int = 5
    # One line per request and per websocket; off by default (a proxy in front usually logs
    # them, and under load they cost about 3% of the server's CPU).
    access_log: bool = False


def database_url(raw: str) -> str:
    """Accept 'postgresql://' and 'postgres://' as the psycopg driver, as people write them."""
    for prefix in ("postgresql://", "postgres://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw
