"""Backups of the whole database: `pg_dump -Fc`/`pg_restore` on PostgreSQL, SQLite's online backup
for the embedded database."""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections


class BackupError(Exception):
    pass


def _pg_env_and_args(alias: str) -> tuple[dict[str, str], list[str]]:
    settings = connections[alias].settings_dict
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    args = []
    if settings.get("HOST"):
        args += ["--host", settings["HOST"]]
    if settings.get("PORT"):
        args += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        args += ["--username", settings["USER"]]
    return env, args


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"`{command[0]}` is not installed (it comes with the PostgreSQL client).")
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(result.stderr.strip() or f"{command[0]} failed with exit code {result.returncode}")


def backup(path: Path, *, alias: str = "default") -> Path:
    connection = connections[alias]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "postgresql":
        env, args = _pg_env_and_args(alias)
        _run(
            ["pg_dump", "--format=custom", "--no-owner", *args, "--file", str(path), connection.settings_dict["NAME"]],
            env,
        )
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)
    else:
        raise BackupError(f"Backups of {connection.vendor} databases are not supported.")
    return path


def restore(path: Path, *, alias: str = "default", database: str | None = None) -> None:
    """Put a backup back into the database of `alias`, or (PostgreSQL) into another `database` on its server."""
    connection = connections[alias]
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No backup at {path}.")
    if connection.vendor == "postgresql":
        env, args = _pg_env_and_args(alias)
        if database is None:
            connection.close()
        command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *args]
        _run([*command, "--dbname", database or connection.settings_dict["NAME"], str(path)], env)
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(path) as source:
            source.backup(connection.connection)
    else:
        raise BackupError(f"Restoring {connection.vendor} databases is not supported.")
