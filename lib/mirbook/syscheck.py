"""Check the system libraries the reports need and tell the user how to get them (Spanish)."""

from __future__ import annotations

import ctypes.util
import sys


def missing_system_libraries() -> list[str]:
    """System libraries WeasyPrint needs that cannot be found."""
    return [name for name in ("pango-1.0", "pangoft2-1.0") if ctypes.util.find_library(name) is None]


def main() -> int:
    """Print advice when Pango is missing; never fails the set-up."""
    missing = missing_system_libraries()
    if missing:
        print(
            "Aviso: falta la biblioteca del sistema Pango (" + ", ".join(missing) + "), necesaria para los PDF.\n"
            "  En Debian/Ubuntu:  sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core\n"
            "  En Fedora:         sudo dnf install pango\n"
            "  En macOS:          brew install pango\n"
            "Sin ella, los reportes HTML se generan pero los PDF no.",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
