"""Server-side SVG charts: sparkline, line chart with revision markers, horizontal bars.

Pure functions of plain numbers and already-translated words: no Flask, no database. Every
chart is an `<svg role="img">` with an accessible name (`aria-label` and `<title>`) and a
`<desc>` that states the figures in words; templates add a data table next to it. Meaning
never rests on colour alone: points are drawn as markers, revisions as dashed lines with a
text label, and bars carry their value as text.
"""
from markupsafe import Markup, escape

SPARK_W, SPARK_H = 100, 24
LINE_W, LINE_H, PAD_L, PAD_R, PAD_T, PAD_B = 640, 220, 48, 16, 24, 40
BAR_ROW, BAR_LABEL_W, BAR_W = 28, 220, 300


def _fmt(value):
    """A number as short text: integers without decimals, others with one."""
    if value is None:
        return "–"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def _scale(values, height, top=0.0):
    """Map values to y coordinates (top = largest); None stays None."""
    present = [v for v in values if v is not None]
    high = max(present, default=0) or 1
    low = min(0, min(present, default=0))
    span = (high - low) or 1
    return [None if v is None else round(top + height - (v - low) / span * height, 2)
            for v in values]


def _svg(width, height, label, desc, body, css_class):
    return Markup(
        f'<svg class="{css_class}" role="img" aria-label="{escape(label)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'preserveAspectRatio="xMinYMid meet" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(label)}</title><desc>{escape(desc)}</desc>{body}</svg>")


def sparkline(values, label):
    """A small trend line of `values` (oldest first, None for no data) named `label`.

    The last point with data is marked; days without data break the line.
    """
    values = [None if v is None else float(v) for v in values]
    if not values:
        return _svg(SPARK_W, SPARK_H, label, label, "", "chart sparkline")
    step = SPARK_W / max(1, len(values) - 1)
    ys = _scale(values, SPARK_H - 4, top=2)
    xs = [round(i * step, 2) for i in range(len(values))]
    desc = f"{label}: {', '.join(_fmt(v) for v in values)}"
    body = "".join(_line_segments(xs, ys))
    last = next((i for i in range(len(ys) - 1, -1, -1) if ys[i] is not None), None)
    if last is not None:
        body += f'<circle class="chart-point" cx="{xs[last]}" cy="{ys[last]}" r="2"/>'
    return _svg(SPARK_W, SPARK_H, label, desc, body, "chart sparkline")


def line_chart(points, label, markers=(), value_format=_fmt):
    """A line chart of `points` [(x_label, value or None)] with vertical `markers`.

    `markers` are [(index into points, short label, description)]: a dashed line with its
    label on top, e.g. a revision published that day. Gaps (None) break the line.
    """
    plot_w, plot_h = LINE_W - PAD_L - PAD_R, LINE_H - PAD_T - PAD_B
    values = [v for _, v in points]
    if not points:
        return _svg(LINE_W, LINE_H, label, label, "", "chart line-chart")
    step = plot_w / max(1, len(points) - 1)
    ys = _scale(values, plot_h, top=PAD_T)
    xs = [round(PAD_L + i * step, 2) for i in range(len(points))]
    parts = [_axes(values, plot_w, plot_h, value_format)]
    parts += _line_segments(xs, ys)
    parts += [f'<rect class="chart-point" x="{x - 2.5}" y="{y - 2.5}" width="5" height="5"/>'
              for x, y in zip(xs, ys) if y is not None]
    parts += _x_labels(points, xs)
    parts += _markers(markers, xs)
    desc = "; ".join(f"{x}: {value_format(v)}" for x, v in points)
    if markers:
        desc += ". " + "; ".join(f"{text}: {about}" for _, text, about in markers)
    return _svg(LINE_W, LINE_H, label, desc, "".join(parts), "chart line-chart")


def _axes(values, plot_w, plot_h, value_format):
    present = [v for v in values if v is not None]
    high = max(present, default=0)
    base = PAD_T + plot_h
    return (f'<line class="chart-axis" x1="{PAD_L}" y1="{base}" x2="{PAD_L + plot_w}" y2="{base}"/>'
            f'<line class="chart-axis" x1="{PAD_L}" y1="{PAD_T}" x2="{PAD_L}" y2="{base}"/>'
            f'<text class="chart-tick" x="{PAD_L - 6}" y="{PAD_T + 4}" text-anchor="end">'
            f"{escape(value_format(high))}</text>"
            f'<text class="chart-tick" x="{PAD_L - 6}" y="{base}" text-anchor="end">'
            f"{escape(value_format(min(0, min(present, default=0))))}</text>")


def _line_segments(xs, ys):
    segments, current = [], []
    for x, y in zip(xs, ys):
        if y is None:
            segments.append(current)
            current = []
        else:
            current.append(f"{x},{y}")
    segments.append(current)
    return [f'<polyline class="chart-line" fill="none" points="{" ".join(s)}"/>'
            for s in segments if s]


def _x_labels(points, xs):
    every = max(1, len(points) // 6)
    base = LINE_H - PAD_B + 16
    return [f'<text class="chart-tick" x="{xs[i]}" y="{base}" text-anchor="middle">'
            f"{escape(points[i][0])}</text>"
            for i in range(0, len(points), every)]


def _markers(markers, xs):
    parts = []
    for index, text, about in markers:
        if not 0 <= index < len(xs):
            continue
        x = xs[index]
        parts.append(f'<g class="chart-marker"><title>{escape(about)}</title>'
                     f'<line x1="{x}" y1="{PAD_T - 6}" x2="{x}" y2="{LINE_H - PAD_B}" '
                     f'stroke-dasharray="4 3"/>'
                     f'<text x="{x + 3}" y="{PAD_T - 10}">{escape(text)}</text></g>')
    return parts


def bar_chart(bars, label, value_format=_fmt):
    """Horizontal bars [(label, value, note)]; each shows its value (and note) as text."""
    height = max(1, len(bars)) * BAR_ROW + 8
    width = BAR_LABEL_W + BAR_W + 140
    high = max((v or 0 for _, v, _ in bars), default=0) or 1
    parts = []
    for i, (name, value, note) in enumerate(bars):
        y = 4 + i * BAR_ROW
        length = round((value or 0) / high * BAR_W, 2)
        text = value_format(value) + (f" ({note})" if note else "")
        parts.append(
            f'<text class="chart-label" x="{BAR_LABEL_W - 8}" y="{y + 17}" text-anchor="end">'
            f"{escape(_clip(name))}</text>"
            f'<rect class="chart-bar" x="{BAR_LABEL_W}" y="{y + 4}" width="{length}" height="18"/>'
            f'<text class="chart-value" x="{BAR_LABEL_W + length + 6}" y="{y + 17}">'
            f"{escape(text)}</text>")
    desc = "; ".join(f"{name}: {value_format(value)}" + (f" ({note})" if note else "")
                     for name, value, note in bars)
    return _svg(width, height, label, desc or label, "".join(parts), "chart bar-chart")


def _clip(text, limit=32):
    text = str(text)
    return text if len(text) <= limit else text[:limit - 1] + "…"
