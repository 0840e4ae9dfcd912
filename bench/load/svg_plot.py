"""A line chart of TPS against client count, one panel per query protocol, one line per target,
written as plain SVG (no plotting library on the machine, and none needed)."""

import math
from xml.sax.saxutils import escape

COLOURS = {"direct": "#555555", "pgroute": "#d62728", "pgroute-proxy": "#9467bd", "haproxy": "#1f77b4", "pgbouncer": "#2ca02c"}
BASELINE_COLOUR = "#ff9896"  # pgroute@HASH, pgroute built at another revision: a lighter red


def colour_of(target):
    return COLOURS.get(target, BASELINE_COLOUR if target.startswith("pgroute@") else "#000000")
PANEL_W, PANEL_H = 420, 300
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 70, 20, 40, 50
LEGEND_H = 30


def nice_step(span, ticks=5):
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def thousands(value):
    return f"{value / 1000:g}k" if value >= 1000 else f"{value:g}"


def panel(title, series, clients, y_max, x0, y0):
    """series: {target: {clients: tps}}; draws into the box whose top left is (x0, y0)."""
    plot_w = PANEL_W - MARGIN_L - MARGIN_R
    plot_h = PANEL_H - MARGIN_T - MARGIN_B
    left, top = x0 + MARGIN_L, y0 + MARGIN_T
    log_min, log_max = math.log2(min(clients)), math.log2(max(clients))

    def x(c):
        return left + plot_w * (math.log2(c) - log_min) / ((log_max - log_min) or 1)

    def y(v):
        return top + plot_h * (1 - v / y_max)

    out = [f'<text x="{left + plot_w / 2}" y="{y0 + 22}" class="title">{escape(title)}</text>']
    step = nice_step(y_max)
    tick = 0.0
    while tick <= y_max + 1e-9:
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" '
                   f'y2="{y(tick):.1f}" class="grid"/>')
        out.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" class="ylabel">'
                   f"{thousands(tick)}</text>")
        tick += step
    for c in clients:
        out.append(f'<text x="{x(c):.1f}" y="{top + plot_h + 18}" class="xlabel">{c}</text>')
    out.append(f'<text x="{left + plot_w / 2}" y="{top + plot_h + 38}" class="axis">clients</text>')
    out.append(f'<text x="{x0 + 16}" y="{top + plot_h / 2}" class="axis" '
               f'transform="rotate(-90 {x0 + 16} {top + plot_h / 2})">TPS</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" class="frame"/>')
    for target, points in series.items():
        colour = colour_of(target)
        coords = [(x(c), y(points[c])) for c in clients if points.get(c) is not None]
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in coords)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        out.extend(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{colour}"/>'
                   for px, py in coords)
    return out


def tps_vs_clients_svg(panels, targets, subtitle):
    """panels: [(title, {target: {clients: tps}})], drawn side by side on one shared TPS scale."""
    clients = sorted({c for _, series in panels for points in series.values() for c in points})
    top_tps = max((v for _, series in panels for points in series.values()
                   for v in points.values() if v is not None), default=1)
    y_max = math.ceil(top_tps * 1.08 / nice_step(top_tps * 1.08)) * nice_step(top_tps * 1.08)
    width, height = PANEL_W * len(panels), PANEL_H + LEGEND_H + 20
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           "<style>.title{font-size:14px;font-weight:bold;text-anchor:middle}"
           ".xlabel{text-anchor:middle}.ylabel{text-anchor:end}.axis{text-anchor:middle}"
           ".grid{stroke:#e0e0e0}.frame{fill:none;stroke:#888888}"
           ".note{fill:#666666;font-size:11px}</style>",
           f'<rect width="{width}" height="{height}" fill="white"/>']
    for i, (title, series) in enumerate(panels):
        out.extend(panel(title, series, clients, y_max, i * PANEL_W, 0))
    legend_y = PANEL_H + 10
    lx = MARGIN_L
    for target in targets:
        out.append(f'<line x1="{lx}" x2="{lx + 24}" y1="{legend_y}" y2="{legend_y}" '
                   f'stroke="{colour_of(target)}" stroke-width="3"/>')
        out.append(f'<text x="{lx + 30}" y="{legend_y + 4}">{escape(target)}</text>')
        lx += max(110, 40 + 7 * len(target))  # a long name such as pgroute@1a73e89 needs more
    out.append(f'<text x="{MARGIN_L}" y="{legend_y + 28}" class="note">{escape(subtitle)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
