"""syncd's configuration: one strict TOML file (CONTRACT.md section 3).

    config = load_config(resolve_path(option))   # raises ConfigError
    config, files = read_config(path)             # and the permission bits it read
    warnings = weak_settings(config, files)       # [(key path, message)]

``Config`` and its sections are frozen pydantic models with every default of the
contract; secrets (``api_key``, ``token``, ``alerts.smtp.password``) are read-only
properties and never appear in ``repr``, ``str`` or dumps, nor does the password of
``database.url`` (shown as ``***``).
"""

from syncd.config.durations import format_duration, parse_duration
from syncd.config.errors import ConfigError
from syncd.config.load import DEFAULT_PATH, load_config, read_config, resolve_path
from syncd.config.model import (
    AgencyConfig,
    AlertsConfig,
    CalendarConfig,
    ClockConfig,
    ClocksConfig,
    CompletionClockConfig,
    ComplianceConfig,
    Config,
    DatabaseConfig,
    MetricsConfig,
    ReporterReplyClockConfig,
    RouteConfig,
    SmtpConfig,
)
from syncd.config.secrets import FileRead, FilesRead
from syncd.config.sources import SourceConfig, SourceKind
from syncd.config.weak import weak_settings

__all__ = [
    "DEFAULT_PATH",
    "AgencyConfig",
    "AlertsConfig",
    "CalendarConfig",
    "ClockConfig",
    "ClocksConfig",
    "CompletionClockConfig",
    "ComplianceConfig",
    "Config",
    "ConfigError",
    "DatabaseConfig",
    "FileRead",
    "FilesRead",
    "MetricsConfig",
    "ReporterReplyClockConfig",
    "RouteConfig",
    "SmtpConfig",
    "SourceConfig",
    "SourceKind",
    "format_duration",
    "load_config",
    "parse_duration",
    "read_config",
    "resolve_path",
    "weak_settings",
]
