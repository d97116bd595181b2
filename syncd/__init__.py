"""syncd: mirrors SP4N-LAPOR! complaints and keeps their legal response clocks."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("syncd")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"
