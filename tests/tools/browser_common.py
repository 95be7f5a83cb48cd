"""Driving Debian's headless Chromium for the HTML map tests: DOM dumps, screenshots, PNG checks.

No npm: Chromium's own --dump-dom and --screenshot switches are enough
because the page has a #selftest mode that exercises itself and writes
what it saw into the DOM.
"""

import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import zlib

CHROMIUM_NAMES = ("chromium", "chromium-browser")


class BrowserError(Exception):
    pass


def chromium():
    """The Chromium binary, or BrowserError with how to install it (never a silent skip)."""
    env = os.environ.get("STRUCTFIT_CHROMIUM")
    if env and os.access(env, os.X_OK):
        return env
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    raise BrowserError("chromium not found: the HTML map tests need a real browser; install it with "
                       "`sudo apt-get install chromium` (scripts/deps.sh lists it) or set STRUCTFIT_CHROMIUM")


def _base_args(profile):
    # A throwaway profile: no state shared with another run or the user's.
    return [chromium(), "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-extensions", "--disable-background-networking", "--disable-sync",
            "--disable-component-update", "--user-data-dir=" + profile]


def _run(args, timeout):
    proc = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")


def console_problems(stderr):
    """Lines where the page logged to the console or threw (Chromium logs them as CONSOLE / Uncaught)."""
    return [line for line in stderr.splitlines()
            if "CONSOLE" in line or "Uncaught" in line or "Content Security Policy" in line]


def dump_dom(url, timeout=180, budget_ms=5000):
    """Loads `url`, returns (dom text, console problem lines)."""
    with tempfile.TemporaryDirectory(prefix="structfit-chromium-") as profile:
        args = _base_args(profile) + ["--enable-logging=stderr", "--v=0",
                                      "--virtual-time-budget=%d" % budget_ms, "--dump-dom", url]
        code, out, err = _run(args, timeout)
    if code != 0 or "<html" not in out:
        raise BrowserError("chromium --dump-dom failed (exit %d) on %s:\n%s" % (code, url, err[-3000:]))
    return out, console_problems(err)


def selftest(html_path, struct_name="", timeout=180):
    """Runs the page's #selftest mode; returns (result dict, console problem lines)."""
    url = "file://" + os.path.abspath(html_path) + "#selftest=" + struct_name
    dom, problems = dump_dom(url, timeout)
    m = re.search(r'<pre id="selftest-result">(.*?)</pre>', dom, re.S)
    if not m:
        raise BrowserError("the page wrote no self-test result (script failed?); console:\n%s"
                           % "\n".join(problems))
    text = m.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    return json.loads(text), problems


def screenshot(url, png_path, width=1200, height=700, timeout=180):
    with tempfile.TemporaryDirectory(prefix="structfit-chromium-") as profile:
        args = _base_args(profile) + ["--hide-scrollbars", "--window-size=%d,%d" % (width, height),
                                      "--virtual-time-budget=3000", "--screenshot=" + png_path, url]
        code, _, err = _run(args, timeout)
    if code != 0 or not os.path.exists(png_path):
        raise BrowserError("chromium --screenshot failed (exit %d) on %s:\n%s" % (code, url, err[-3000:]))


def png_summary(path):
    """(width, height, distinct byte values of the pixel data): a blank image has very few."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise BrowserError("%s is not a PNG" % path)
    pos, idat, width, height = 8, b"", 0, 0
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    pixels = zlib.decompress(idat)
    return width, height, len(set(pixels))
