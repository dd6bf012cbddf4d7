"""Whether the fonts the PDFs need are installed: a missing font is reported, not printed as
empty boxes. Checked with fontconfig, which is also what WeasyPrint uses to find fonts."""

from __future__ import annotations

import shutil
import subprocess

# (fontconfig language, what it is called, the Debian package that provides a font for it)
NEEDED_FONTS = (
    ("km", "Khmer", "fonts-noto-core"),
    ("ja", "Japanese", "fonts-noto-cjk"),
)


def missing_fonts() -> list[str]:
    """One warning per script that no installed font can draw; empty when all is well."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return [
            "The fonts for Khmer and Japanese text could not be checked: fontconfig's fc-list "
            "is not installed (Debian package fontconfig)."
        ]
    warnings = []
    for language, name, package in NEEDED_FONTS:
        try:
            found = subprocess.run(  # noqa: S603 (a fixed program and arguments)
                [fc_list, f":lang={language}", "family"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            ).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            found = ""
        if not found:
            warnings.append(
                f"No font for {name} is installed: {name} text would print as empty boxes. "
                f"Install the Debian package {package}."
            )
    return warnings
