"""Where the migrations and the bundled seeds are: inside an installed wheel
(`timeline/_migrations`, `timeline/_seeds`) or at the top of a source checkout."""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled_dir(name: str) -> Path:
    """`migrations` or `seeds`, wherever this copy of timeline keeps them."""
    installed = _PACKAGE / f"_{name}"
    return installed if installed.is_dir() else _PACKAGE.parent / name
