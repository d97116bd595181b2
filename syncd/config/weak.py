"""Weak settings: what a valid configuration says that it had better not, each as a
(key path, message) warning.

    config, files = read_config(path)
    for key, message in weak_settings(config, files): ...

``syncd check-config`` prints them (and still exits 0); ``syncd run`` logs them at
start. Pure: it reads no file itself, ``read_config`` tells the permission bits of the
files it read. What is too weak to run with at all, an SMTP login in clear text to a
host beyond loopback, is no warning: the model refuses it (``alerts.smtp.security``,
exit 78).
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

from syncd.config.errors import Problem
from syncd.config.model import Config
from syncd.config.secrets import FileRead, FilesRead
from syncd.config.values import hide_password, is_loopback

_VERIFIED_SSLMODES = ("verify-ca", "verify-full")


def weak_settings(config: Config, files: FilesRead | None = None) -> list[Problem]:
    """Every weak setting of ``config`` (and of the ``files`` it was read from)."""
    files = files or FilesRead()
    return [
        *_database(config),
        *_sources(config),
        *_smtp(config),
        *_mail_link(config),
        *_metrics(config),
        *_readable_secrets(config, files),
    ]


def _database(config: Config) -> Iterator[Problem]:
    try:
        parts = urlsplit(config.database.url)
        query = parse_qs(parts.query)
        host = (query.get("host") or [parts.hostname or ""])[-1]
    except ValueError:
        return  # not a URL urllib can split; the engine will say so at start
    if not parts.scheme.startswith("postgresql"):
        return
    if not host or host.startswith("/") or is_loopback(host):
        return  # a Unix socket or loopback: nothing crosses the network
    sslmode = (query.get("sslmode") or ["prefer"])[-1]
    if sslmode not in _VERIFIED_SSLMODES:
        yield (
            "database.url",
            f"PostgreSQL on {host}, which is not loopback, with sslmode={sslmode}: the "
            "mirror (confidential complaints too) may cross the network in clear text, "
            "or to a server posing as yours; add ?sslmode=verify-full (and "
            "sslrootcert=PATH for an internal CA)",
        )


def _sources(config: Config) -> Iterator[Problem]:
    for index, source in enumerate(config.sources):
        if source.kind != "sp4n-lapor":
            continue  # the in-process simulator speaks no HTTP
        parts = urlsplit(source.base_url or "")
        host = parts.hostname or ""
        if parts.scheme == "http" and not is_loopback(host):
            yield (
                f"sources[{index}].base_url",
                f"http:// to {host}, which is not loopback: the API key and token cross "
                "the network in clear text; use https://",
            )
        if not source.verify_tls:
            yield (
                f"sources[{index}].verify_tls",
                "false: the gateway's TLS certificate is not verified, so anyone on the "
                "way can pose as the gateway, read the API key and token, and feed the "
                "mirror; remove the key (true is the default)",
            )


def _smtp(config: Config) -> Iterator[Problem]:
    smtp = config.alerts.smtp
    # With a username or password, the model has refused it already.
    if smtp.security == "none" and not is_loopback(smtp.host):
        yield (
            "alerts.smtp.security",
            f'"none" to {smtp.host}, which is not loopback: alert mail crosses the '
            "network in clear text, to a server that is not verified; use "
            '"starttls" or "tls"',
        )


def _mail_link(config: Config) -> Iterator[Problem]:
    alerts = config.alerts
    if alerts.enabled and alerts.routes and not alerts.complaint_url_template:
        yield (
            "alerts.complaint_url_template",
            "empty: alert mails carry no link to the complaint, so officials must look "
            'it up by hand; set it to the page of a complaint, e.g. "https://…/{tracking_id}"',
        )


def _metrics(config: Config) -> Iterator[Problem]:
    host = config.metrics.host
    if not is_loopback(host):
        yield (
            "metrics.listen",
            f"{host} is not loopback: /metrics, /healthz and /readyz answer whoever "
            "reaches the port, with no authentication (agency names, counts, the "
            "mirror's health); keep 127.0.0.1 and scrape through a proxy or a tunnel, "
            "or firewall the port (under the unit, IPAddressAllow= lets the scraper in)",
        )


def _readable_secrets(config: Config, files: FilesRead) -> Iterator[Problem]:
    for file in files.secret_files:
        if _others_read(file):
            yield (
                file.key,
                f"{file.path} is readable by {_who(file)} (mode {file.mode:04o}): "
                f"chmod 600 it, or hand it over with LoadCredential= (docs/OPERATIONS.md)",
            )
    config_file = files.config_file
    if config_file is None or not _others_read(config_file):
        return
    where = (
        f"{config_file.path}, which is readable by {_who(config_file)} "
        f"(mode {config_file.mode:04o})"
    )
    for key in files.inline_secrets:
        secret = key.rpartition(".")[2]
        yield key, f"written in {where}: give {secret}_file instead (a systemd credential)"
    if hide_password(config.database.url) != config.database.url:
        yield (
            "database.url",
            f"carries a password, written in {where}: hand it over as a password "
            "file instead (PGPASSFILE, a systemd credential; docs/OPERATIONS.md)",
        )


def _others_read(file: FileRead) -> bool:
    return bool(file.mode & (stat.S_IRGRP | stat.S_IROTH))


def _who(file: FileRead) -> str:
    group, others = file.mode & stat.S_IRGRP, file.mode & stat.S_IROTH
    return "group and others" if group and others else "its group" if group else "others"
