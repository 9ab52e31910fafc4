#!/usr/bin/python3
"""Checks that `capsim report` pages render in a real browser.

For each kind of input (a run's results, a sweep, a comparison, a size) this script makes the input with
capsim (short runs), makes its report, opens the page in headless Chromium, takes a screenshot
and finds every chart's plot area in it: capsim fills each plot area with one colour that
nothing else on the page uses (kPlotBackground in include/capsim/report/svg.hpp). The check
passes when the screenshot holds as many plot areas as the page has charts, and each holds
data: pixels in the saturated colours capsim draws data with (the grid, axes and reference
lines are grey).

Exit status: 0 pass, 1 fail, 77 skipped (no Chromium), as ctest's SKIP_RETURN_CODE expects.
Needs only the Python standard library; uses Pillow to decode the PNG when it is installed.
"""

import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

PLOT_BACKGROUND = (0xF3, 0xF5, 0xF9)  # kPlotBackground
SATURATION = 60     # max - min of R, G, B above which a pixel is data, not grey
MIN_DATA_PIXELS = 40
GAP = 4             # gridlines (1 px) split a plot area; gaps up to this are closed
SKIP = 77


def read_png(path):
    """(width, height, rows): rows are bytes objects of RGB triples."""
    try:
        from PIL import Image  # noqa: PLC0415 (optional)
        with Image.open(path) as im:
            im = im.convert("RGB")
            w, h = im.size
            data = im.tobytes()
        return w, h, [data[y * w * 3:(y + 1) * w * 3] for y in range(h)]
    except ImportError:
        return read_png_plain(path)


def read_png_plain(path):
    """A PNG decoder for 8-bit RGB or RGBA, non-interlaced images (what Chromium writes)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG file")
    pos, idat, width, height, channels = 8, [], 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            if depth != 8 or color not in (2, 6) or interlace != 0:
                raise ValueError(f"{path}: unsupported PNG (depth {depth}, colour type {color})")
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat.append(chunk)
        elif kind == b"IEND":
            break
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        ftype, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if ftype == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 0xFF
        elif ftype == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 0xFF
        elif ftype == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif ftype == 4:
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b = prev[i]
                c = prev[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        prev = line
        if channels == 4:
            rgb = bytearray(width * 3)
            rgb[0::3], rgb[1::3], rgb[2::3] = line[0::4], line[1::4], line[2::4]
            rows.append(bytes(rgb))
        else:
            rows.append(bytes(line))
    return width, height, rows


def background_columns(row, x0=0, x1=None):
    """The x positions in [x0, x1) whose pixel has the plot background colour."""
    pattern = bytes(PLOT_BACKGROUND)
    end = len(row) if x1 is None else x1 * 3
    xs, at = [], row.find(pattern, x0 * 3, end)
    while at != -1:
        if at % 3 == 0:
            xs.append(at // 3)
            at = row.find(pattern, at + 3, end)
        else:
            at = row.find(pattern, at + 1, end)
    return xs


def runs(indices, gap):
    """Consecutive runs of sorted indices, closing gaps of up to `gap`: [(first, last), ...]."""
    out = []
    for i in indices:
        if out and i - out[-1][1] <= gap + 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return [tuple(r) for r in out]


def plot_areas(rows):
    """Bounding boxes (x0, y0, x1, y1), inclusive, of the plot-background regions."""
    has = [y for y, row in enumerate(rows) if bytes(PLOT_BACKGROUND) in row]
    boxes = []
    for y0, y1 in runs(has, GAP):
        columns = set()
        for y in range(y0, y1 + 1):
            columns.update(background_columns(rows[y]))
        for x0, x1 in runs(sorted(columns), GAP):
            if x1 - x0 < 20:
                continue  # a stray pixel of the same colour, not a plot area
            ys = [y for y in range(y0, y1 + 1) if background_columns(rows[y], x0, x1 + 1)]
            boxes.append((x0, min(ys), x1, max(ys)))
    return sorted(boxes, key=lambda b: (b[1], b[0]))


def data_pixels(rows, box):
    x0, y0, x1, y1 = box
    n = 0
    for y in range(y0, y1 + 1):
        row = rows[y]
        for i in range(x0 * 3, (x1 + 1) * 3, 3):
            r, g, b = row[i], row[i + 1], row[i + 2]
            if max(r, g, b) - min(r, g, b) > SATURATION:
                n += 1
    return n


def screenshot(chromium, html, png, height, profile):
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           "--no-first-run", "--disable-extensions", "--disable-background-networking",
           f"--user-data-dir={profile}", f"--screenshot={png}", f"--window-size=1200,{height}",
           "file://" + os.path.abspath(html)]
    if os.path.exists(png):
        os.remove(png)
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if not os.path.exists(png) or os.path.getsize(png) == 0:
        raise RuntimeError(f"chromium wrote no screenshot (exit {result.returncode}):\n"
                           f"{result.stderr[-2000:]}")


def check_page(chromium, html, work):
    with open(html, encoding="utf-8") as f:
        expected = f.read().count('<rect class="plot"')
    if expected == 0:
        return [f"{html}: the page has no chart"]
    png = html[:-5] + ".png"
    profile = tempfile.mkdtemp(prefix="chromium-", dir=work)
    height = 2400
    while True:
        screenshot(chromium, html, png, height, profile)
        width, _, rows = read_png(png)
        boxes = plot_areas(rows)
        # Charts below the window are missing or cut: a taller window, up to a limit.
        # (the x axis and its label take about 44 px below a plot area).
        cut = any(box[3] >= len(rows) - 48 for box in boxes)
        if (len(boxes) >= expected and not cut) or height >= 19200:
            break
        height *= 2
    problems = []
    print(f"{os.path.basename(html)}: {expected} charts, window 1200x{height}, "
          f"screenshot {width} px wide, {len(boxes)} plot areas found")
    if len(boxes) != expected:
        problems.append(f"{html}: expected {expected} plot areas in the screenshot {png}, "
                        f"found {len(boxes)}: {boxes}")
    for box in boxes:
        n = data_pixels(rows, box)
        x0, y0, x1, y1 = box
        print(f"  plot area {x1 - x0 + 1}x{y1 - y0 + 1} at ({x0}, {y0}): {n} data pixels")
        if n < MIN_DATA_PIXELS:
            problems.append(f"{html}: the plot area at {box} is empty ({n} data pixels; "
                            f"expected at least {MIN_DATA_PIXELS})")
    return problems


def run(cmd, cwd):
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"$ {' '.join(cmd)}\nexit {result.returncode}\n{result.stderr}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--capsim", required=True, help="the capsim binary")
    parser.add_argument("--source", required=True, help="the capsim source tree")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--keep", help="keep the pages and screenshots in this directory")
    args = parser.parse_args()
    if not (os.path.isfile(args.chromium) and os.access(args.chromium, os.X_OK)):
        print(f"skipped: no Chromium at {args.chromium} (scripts/setup.sh browser installs it)")
        return SKIP

    work = args.keep or tempfile.mkdtemp(prefix="capsim-report-render-")
    os.makedirs(work, exist_ok=True)
    try:
        capsim, src = os.path.abspath(args.capsim), os.path.abspath(args.source)
        short = ["--threads", "2", "-q"]
        exp = ["--duration", "20s", "--set", "/simulation/warmup=5s", "--replications", "2"]
        run([capsim, "run", f"{src}/models/morning-ramp-hpa-cpu.json", "--duration", "16m",
             "--replications", "2", "-o", "results.json"] + short, work)
        run([capsim, "sweep", f"{src}/experiments/web-peak-latency-vs-load.json", "-o",
             "sweep.csv"] + exp + short, work)
        run([capsim, "compare", f"{src}/experiments/web-peak-lb-policies.json", "-o",
             "compare.json"] + exp + short, work)
        run([capsim, "size", f"{src}/experiments/two-tiers-size-cheapest.json", "-o",
             "size.json"] + short, work)
        problems = []
        for name in ("results.json", "sweep.csv", "compare.json", "size.json"):
            html = os.path.join(work, name.replace(".", "-") + ".html")
            run([capsim, "report", name, "-o", html, "-q"], work)
            problems += check_page(args.chromium, html, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    for p in problems:
        print("FAIL: " + p, file=sys.stderr)
    if not problems:
        print("every chart rendered with data in its plot area")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
