// plot: see plot.h. Layout, left to right: y-axis labels, the plot area, the strips, the legend.
// Top to bottom: title and subtitle, the plot, x-axis labels, the wrapped caption.
#include "reports/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "reports/svg.h"

namespace trmbench::plot {
namespace {

constexpr double kTickFont = 11;
constexpr double kLabelFont = 10.5;
constexpr double kAxisFont = 12.5;
constexpr double kLegendFont = 11.5;
constexpr double kCaptionFont = 11;
constexpr double kLabelHeight = 13;   // box height of one point label
constexpr double kLegendRow = 17;
constexpr double kEps = 1e-9;

// Okabe & Ito (2008): blue, vermillion, bluish green, reddish purple, orange, sky blue, black.
constexpr const char * kPalette[kPaletteSize] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"};
constexpr Marker kMarkers[kMarkerCount] = {Marker::circle,        Marker::square, Marker::triangle_up, Marker::diamond,
                                           Marker::triangle_down, Marker::star,   Marker::cross,       Marker::plus};

struct Rect {
    double x = 0, y = 0, w = 0, h = 0;
    double right() const { return x + w; }
    double bottom() const { return y + h; }
};

double overlap_area(const Rect & a, const Rect & b) {
    double w = std::min(a.right(), b.right()) - std::max(a.x, b.x);
    double h = std::min(a.bottom(), b.bottom()) - std::max(a.y, b.y);
    return w > 0 && h > 0 ? w * h : 0;
}

// Area of `r` outside `bounds`.
double outside_area(const Rect & r, const Rect & bounds) { return r.w * r.h - overlap_area(r, bounds); }

std::string format_number(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

svg::StrokeStyle stroke(const std::string & colour, double width, const std::string & fill = "none", const std::string & dash = "") {
    svg::StrokeStyle s;
    s.colour = colour;
    s.width = width;
    s.fill = fill;
    s.dash = dash;
    return s;
}

void draw_marker(svg::Document & doc, double cx, double cy, const Style & st) {
    const double r = st.marker_size / 2;
    // Filled markers get a thin white outline so that overlapping markers stay apart; hollow ones
    // are white inside so that they hide the grid behind them.
    svg::StrokeStyle s = st.hollow ? stroke(st.colour, 1.6, "#ffffff") : stroke("#ffffff", 0.8, st.colour);
    auto poly = [&](std::vector<std::pair<double, double>> pts) { doc.polygon(pts, s); };
    switch (st.marker) {
        case Marker::circle: doc.circle(cx, cy, r, s); break;
        case Marker::square: doc.rect(cx - 0.88 * r, cy - 0.88 * r, 1.76 * r, 1.76 * r, s); break;
        case Marker::triangle_up: poly({{cx, cy - 1.2 * r}, {cx + 1.05 * r, cy + 0.8 * r}, {cx - 1.05 * r, cy + 0.8 * r}}); break;
        case Marker::triangle_down: poly({{cx, cy + 1.2 * r}, {cx + 1.05 * r, cy - 0.8 * r}, {cx - 1.05 * r, cy - 0.8 * r}}); break;
        case Marker::diamond: poly({{cx, cy - 1.25 * r}, {cx + r, cy}, {cx, cy + 1.25 * r}, {cx - r, cy}}); break;
        case Marker::star: {
            std::vector<std::pair<double, double>> pts;
            for (int k = 0; k < 10; ++k) {
                double a = -M_PI / 2 + k * M_PI / 5, rr = (k % 2 ? 0.5 : 1.25) * r;
                pts.emplace_back(cx + rr * std::cos(a), cy + rr * std::sin(a));
            }
            poly(pts);
            break;
        }
        case Marker::cross:
        case Marker::plus: {
            // Line markers have no inside: drawn in the colour, thinner when "hollow".
            svg::StrokeStyle ls = stroke(st.colour, st.hollow ? 1.4 : 2.4);
            double d = st.marker == Marker::cross ? 0.85 * r : 1.1 * r;
            if (st.marker == Marker::cross) {
                doc.line(cx - d, cy - d, cx + d, cy + d, ls);
                doc.line(cx - d, cy + d, cx + d, cy - d, ls);
            } else {
                doc.line(cx - d, cy, cx + d, cy, ls);
                doc.line(cx, cy - d, cx, cy + d, ls);
            }
            break;
        }
    }
}

void draw_error_bar(svg::Document & doc, double x, double y_lo_px, double y_hi_px, const std::string & colour) {
    svg::StrokeStyle s = stroke(colour, 1.1);
    s.opacity = 0.85;
    doc.line(x, y_lo_px, x, y_hi_px, s);
    doc.line(x - 3, y_lo_px, x + 3, y_lo_px, s);
    doc.line(x - 3, y_hi_px, x + 3, y_hi_px, s);
}

// Greedy label placement: the first candidate position that overlaps nothing placed so far and
// stays inside its panel; else the candidate with the least overlap (counted as overlapping).
class LabelPlacer {
public:
    void add_obstacle(const Rect & r) { obstacles_.push_back(r); }

    // Places a label for a marker at (px, py) of radius r; returns the box and whether a leader
    // line is needed (far candidates).
    struct Placement {
        Rect box;
        bool leader = false;
        bool overlapping = false;
    };
    Placement place(double px, double py, double r, double w, const Rect & bounds) {
        const double h = kLabelHeight;
        Placement best;
        double best_cost = std::numeric_limits<double>::infinity();
        for (double scale : {1.0, 2.4, 4.0}) {
            double d = (r + 3) * scale;
            const Rect candidates[] = {
                {px + d, py - h / 2, w, h},         {px - d - w, py - h / 2, w, h},      {px - w / 2, py - d - h, w, h},
                {px - w / 2, py + d, w, h},         {px + d * 0.7, py - d * 0.7 - h, w, h}, {px + d * 0.7, py + d * 0.7, w, h},
                {px - d * 0.7 - w, py - d * 0.7 - h, w, h}, {px - d * 0.7 - w, py + d * 0.7, w, h},
            };
            for (const Rect & c : candidates) {
                double cost = 4 * outside_area(c, bounds);
                for (const Rect & o : obstacles_) cost += overlap_area(c, o);
                if (cost < kEps) {
                    obstacles_.push_back(c);
                    return {c, scale > 1, false};
                }
                if (cost < best_cost) best_cost = cost, best = {c, scale > 1, true};
            }
        }
        obstacles_.push_back(best.box);
        return best;
    }

private:
    std::vector<Rect> obstacles_;
};

struct Layout {
    double width = 0, height = 0;
    Rect plot;
    std::vector<Rect> strips;
    Rect legend;
    double caption_y = 0;
    std::vector<std::string> caption_lines;
};

double legend_width(const Figure & fig) {
    double w = 0;
    for (const auto & e : fig.legend) {
        w = std::max(w, svg::text_width(e.text, kLegendFont) + 34);
        w = std::max(w, svg::text_width(e.group, kLegendFont) + 8);
    }
    return fig.legend.empty() ? 0 : std::clamp(w, 140.0, 300.0);
}

double legend_height(const Figure & fig) {
    std::vector<std::string> groups;
    for (const auto & e : fig.legend)
        if (std::find(groups.begin(), groups.end(), e.group) == groups.end()) groups.push_back(e.group);
    return static_cast<double>(fig.legend.size() + groups.size()) * kLegendRow + 6.0 * static_cast<double>(groups.size());
}

double strip_width(const Strip & s) {
    double w = svg::text_width(s.title, kTickFont) + 12;
    for (const auto & p : s.points) w = std::max(w, svg::text_width(p.label, kLabelFont) + 34);
    return std::clamp(w, 84.0, 210.0);
}

Layout compute_layout(const Figure & fig) {
    Layout L;
    const double left = 74, top = fig.subtitle.empty() ? 44 : 62, gap = 16, min_plot_w = 480;
    double strips_w = 0;
    std::vector<double> sw;
    for (const auto & s : fig.strips) {
        sw.push_back(strip_width(s));
        strips_w += sw.back() + gap;
    }
    double legend_w = legend_width(fig);
    L.width = std::max(fig.width, left + min_plot_w + strips_w + (legend_w > 0 ? legend_w + gap : 0) + 12);
    double plot_w = L.width - left - strips_w - (legend_w > 0 ? legend_w + gap : 0) - 12;
    size_t caption_chars = static_cast<size_t>(std::max(40.0, (L.width - 2 * 16) / (0.58 * kCaptionFont)));
    L.caption_lines = svg::wrap(fig.caption, caption_chars);
    double bottom = 56 + (L.caption_lines.empty() ? 0 : 8 + 15.0 * static_cast<double>(L.caption_lines.size()));
    double plot_h = std::max(fig.height - top - bottom, std::max(240.0, legend_height(fig) - 10));
    L.height = top + plot_h + bottom;
    L.plot = {left, top, plot_w, plot_h};
    double x = left + plot_w + gap;
    for (double w : sw) {
        L.strips.push_back({x, top, w, plot_h});
        x += w + gap;
    }
    L.legend = {x, top, legend_w, plot_h};
    L.caption_y = top + plot_h + 56 + 8;
    return L;
}

std::vector<Tick> axis_ticks(const Axis & a) {
    if (!a.ticks.empty()) return a.ticks;
    return a.scale == Scale::log ? log_ticks(a.lo, a.hi) : linear_ticks(a.lo, a.hi);
}

void draw_axes(svg::Document & doc, const Figure & fig, const Layout & L) {
    const Rect & p = L.plot;
    svg::TextStyle tick_text;
    tick_text.size = kTickFont;
    tick_text.colour = "#333333";
    // Grid and ticks, x.
    tick_text.anchor = svg::Anchor::middle;
    for (const Tick & t : axis_ticks(fig.x)) {
        double f = axis_fraction(fig.x, t.value);
        if (!(f >= -kEps && f <= 1 + kEps)) continue;
        double x = p.x + f * p.w;
        if (t.major) doc.line(x, p.y, x, p.bottom(), stroke("#e3e3e3", 1));
        doc.line(x, p.bottom(), x, p.bottom() + (t.major ? 6 : 3), stroke("#444444", 1));
        if (!t.label.empty()) doc.text_with_superscript(x, p.bottom() + 19, fig.x.tick_prefix + t.label + fig.x.tick_suffix, tick_text);
    }
    // Grid and ticks, y; the horizontal grid runs on through the strips so values can be read there.
    tick_text.anchor = svg::Anchor::end;
    double grid_right = L.strips.empty() ? p.right() : L.strips.back().right();
    for (const Tick & t : axis_ticks(fig.y)) {
        double f = axis_fraction(fig.y, t.value);
        if (!(f >= -kEps && f <= 1 + kEps)) continue;
        double y = p.bottom() - f * p.h;
        if (t.major) doc.line(p.x, y, grid_right, y, stroke("#e3e3e3", 1));
        doc.line(p.x - (t.major ? 6 : 3), y, p.x, y, stroke("#444444", 1));
        if (!t.label.empty()) doc.text_with_superscript(p.x - 9, y + 4, fig.y.tick_prefix + t.label + fig.y.tick_suffix, tick_text);
    }
    doc.rect(p.x, p.y, p.w, p.h, stroke("#444444", 1));
    svg::TextStyle axis_text;
    axis_text.size = kAxisFont;
    axis_text.anchor = svg::Anchor::middle;
    doc.text(p.x + p.w / 2, p.bottom() + 42, fig.x.label, axis_text);
    axis_text.rotate = -90;
    doc.text(18, p.y + p.h / 2, fig.y.label, axis_text);
}

void draw_strip_frames(svg::Document & doc, const Figure & fig, const Layout & L) {
    svg::TextStyle title;
    title.size = kTickFont;
    title.anchor = svg::Anchor::middle;
    title.colour = "#333333";
    for (size_t i = 0; i < fig.strips.size(); ++i) {
        const Rect & r = L.strips[i];
        doc.rect(r.x, r.y, r.w, r.h, stroke("#999999", 1, "none", "4 3"));
        auto lines = svg::wrap(fig.strips[i].title, static_cast<size_t>(std::max(8.0, r.w / (0.6 * kTickFont))));
        double y = r.bottom() + 17;
        for (const auto & line : lines) {
            doc.text(r.x + r.w / 2, y, line, title);
            y += 13;
        }
    }
}

struct PlacedPoint {
    double px, py, r;
    std::string label;
    Rect bounds;
};

void draw_series(svg::Document & doc, const Figure & fig, const Layout & L, std::vector<PlacedPoint> & to_label,
                 std::vector<Rect> & obstacles, RenderResult & result) {
    const Rect & p = L.plot;
    for (const Series & s : fig.series) {
        doc.begin_group("series " + s.name);
        std::vector<std::pair<double, double>> path;
        std::vector<std::pair<const Point *, std::pair<double, double>>> drawn;
        for (const Point & pt : s.points) {
            double fx = axis_fraction(fig.x, pt.x), fy = axis_fraction(fig.y, pt.y);
            if (!(fx >= -kEps && fx <= 1 + kEps && fy >= -kEps && fy <= 1 + kEps)) {
                ++result.points_outside;
                continue;
            }
            double px = p.x + fx * p.w, py = p.bottom() - fy * p.h;
            if (s.kind == SeriesKind::step && !path.empty()) path.emplace_back(px, path.back().second);
            path.emplace_back(px, py);
            drawn.push_back({&pt, {px, py}});
        }
        if (s.kind != SeriesKind::scatter)
            doc.polyline(path, stroke(s.style.colour, s.style.line_width, "none", s.style.dash));
        // A step line is axis-aligned: its segments are exact obstacles for labels.
        if (s.kind == SeriesKind::step)
            for (size_t k = 1; k < path.size(); ++k) {
                auto [x0, y0] = path[k - 1];
                auto [x1, y1] = path[k];
                obstacles.push_back({std::min(x0, x1) - 1, std::min(y0, y1) - 1, std::fabs(x1 - x0) + 2, std::fabs(y1 - y0) + 2});
            }
        for (const auto & [pt, xy] : drawn) {
            if (pt->y_lo >= 0 && pt->y_hi >= pt->y_lo) {
                double lo = axis_fraction(fig.y, pt->y_lo), hi = axis_fraction(fig.y, pt->y_hi);
                if (std::isfinite(lo) && std::isfinite(hi))
                    draw_error_bar(doc, xy.first, p.bottom() - std::clamp(lo, 0.0, 1.0) * p.h, p.bottom() - std::clamp(hi, 0.0, 1.0) * p.h,
                                   s.style.colour);
            }
        }
        for (const auto & [pt, xy] : drawn) {
            double r = s.style.markers || s.kind == SeriesKind::scatter ? s.style.marker_size / 2 : 0;
            if (r > 0) draw_marker(doc, xy.first, xy.second, s.style);
            to_label.push_back({xy.first, xy.second, std::max(r, 2.0), pt->label, p});
        }
        doc.end_group();
    }
}

void draw_strip_points(svg::Document & doc, const Figure & fig, const Layout & L, RenderResult & result) {
    svg::TextStyle t;
    t.size = kLabelFont;
    t.colour = "#222222";
    for (size_t i = 0; i < fig.strips.size(); ++i) {
        const Rect & r = L.strips[i];
        doc.begin_group("strip " + fig.strips[i].title);
        struct Placed {
            double px, py, r;
            const StripPoint * p;
        };
        std::vector<Placed> placed;
        for (const StripPoint & sp : fig.strips[i].points) {
            double fy = axis_fraction(fig.y, sp.y);
            if (!(fy >= -kEps && fy <= 1 + kEps)) {
                ++result.points_outside;
                continue;
            }
            double py = r.bottom() - fy * r.h, size = sp.style.marker_size;
            // Markers at (nearly) the same height step to the right instead of hiding each other.
            double px = r.x + 14;
            for (const auto & q : placed)
                if (std::fabs(q.py - py) < 0.5 * size && std::fabs(q.px - px) < size) px = q.px + size + 2;
            placed.push_back({px, py, size / 2, &sp});
            if (sp.y_lo >= 0 && sp.y_hi >= sp.y_lo) {
                double lo = axis_fraction(fig.y, sp.y_lo), hi = axis_fraction(fig.y, sp.y_hi);
                draw_error_bar(doc, px, r.bottom() - std::clamp(lo, 0.0, 1.0) * r.h, r.bottom() - std::clamp(hi, 0.0, 1.0) * r.h,
                               sp.style.colour);
            }
            draw_marker(doc, px, py, sp.style);
        }
        // Labels in one column right of the markers, spread vertically so that none overlap,
        // with a leader line when a label had to move away from its marker.
        std::vector<const Placed *> labelled;
        double column = r.x;
        for (const auto & q : placed) {
            column = std::max(column, q.px + q.r + 8);
            if (!q.p->label.empty()) labelled.push_back(&q);
        }
        std::stable_sort(labelled.begin(), labelled.end(), [](const Placed * a, const Placed * b) { return a->py < b->py; });
        std::vector<double> want;
        for (const Placed * q : labelled) want.push_back(q->py);
        std::vector<double> at = spread_labels(want, kLabelHeight, r.y, r.bottom());
        for (size_t k = 0; k < labelled.size(); ++k) {
            const Placed & q = *labelled[k];
            double w = svg::text_width(q.p->label, kLabelFont);
            Rect box{column, at[k] - kLabelHeight / 2, w, kLabelHeight};
            if (std::fabs(at[k] - q.py) > 2) doc.line(q.px + q.r, q.py, column - 2, at[k], stroke("#888888", 0.8));
            doc.text(box.x, box.y + kLabelHeight - 3, q.p->label, t);
            result.labels.push_back({box.x, box.y, box.w, box.h, q.p->label});
            result.labels_overlapping += outside_area(box, {r.x, r.y - 2, r.w, r.h + 4}) > 1 ||
                                         (k > 0 && at[k] - at[k - 1] < kLabelHeight - 1e-6);
        }
        doc.end_group();
    }
}

void draw_labels(svg::Document & doc, const std::vector<PlacedPoint> & points, const std::vector<Rect> & obstacles,
                 RenderResult & result) {
    LabelPlacer placer;
    for (const auto & o : obstacles) placer.add_obstacle(o);
    for (const auto & p : points) placer.add_obstacle({p.px - p.r, p.py - p.r, 2 * p.r, 2 * p.r});
    svg::TextStyle t;
    t.size = kLabelFont;
    t.colour = "#222222";
    doc.begin_group("labels");
    for (const auto & p : points) {
        if (p.label.empty()) continue;
        double w = svg::text_width(p.label, kLabelFont);
        auto placed = placer.place(p.px, p.py, p.r, w, p.bounds);
        const Rect & b = placed.box;
        if (placed.leader) {
            double lx = std::clamp(p.px, b.x, b.right()), ly = std::clamp(p.py, b.y, b.bottom());
            svg::StrokeStyle s = stroke("#888888", 0.8);
            doc.line(p.px, p.py, lx, ly, s);
        }
        doc.text(b.x, b.y + kLabelHeight - 3, p.label, t);
        result.labels.push_back({b.x, b.y, b.w, b.h, p.label});
        result.labels_overlapping += placed.overlapping;
    }
    doc.end_group();
}

void draw_legend_symbol(svg::Document & doc, double x, double y, const LegendEntry & e) {
    if (e.symbol != LegendSymbol::marker) doc.line(x, y, x + 24, y, stroke(e.style.colour, e.style.line_width, "none", e.style.dash));
    if (e.symbol != LegendSymbol::line) draw_marker(doc, x + 12, y, e.style);
}

void draw_legend(svg::Document & doc, const Figure & fig, const Layout & L) {
    if (fig.legend.empty()) return;
    std::vector<std::string> groups;
    for (const auto & e : fig.legend)
        if (std::find(groups.begin(), groups.end(), e.group) == groups.end()) groups.push_back(e.group);
    doc.begin_group("legend");
    svg::TextStyle head, item;
    head.size = item.size = kLegendFont;
    head.bold = true;
    item.colour = "#222222";
    double y = L.legend.y + 12;
    for (const auto & g : groups) {
        if (!g.empty()) {
            doc.text(L.legend.x, y, g, head);
            y += kLegendRow;
        }
        for (const auto & e : fig.legend) {
            if (e.group != g) continue;
            draw_legend_symbol(doc, L.legend.x + 2, y - 4, e);
            doc.text(L.legend.x + 32, y, e.text, item);
            y += kLegendRow;
        }
        y += 6;
    }
    doc.end_group();
}

}  // namespace

const char * palette_colour(int i) { return kPalette[((i % kPaletteSize) + kPaletteSize) % kPaletteSize]; }
Marker marker_shape(int i) { return kMarkers[((i % kMarkerCount) + kMarkerCount) % kMarkerCount]; }

std::string log_tick_label(double v) {
    if (!(v > 0) || !std::isfinite(v)) return "";
    double e = std::log10(v);
    int d = static_cast<int>(std::floor(e + kEps));
    bool decade = std::fabs(e - std::round(e)) < 1e-9;
    if (d >= -3 && d <= 4) {
        // Plain numbers with just enough decimals: 0.002, 0.05, 20, 5000.
        int decimals = d < 0 ? -d : 0;
        return format_number(v, decimals);
    }
    if (decade) return "10^" + std::to_string(static_cast<int>(std::round(e)));
    // A labelled minor beyond the plain range: "2×10^12".
    double m = v / std::pow(10.0, d);
    return format_number(m, 0) + "\xC3\x97" "10^" + std::to_string(d);
}

std::string linear_tick_label(double v, double step) {
    int decimals = 0;
    while (decimals < 6 && std::fabs(step * std::pow(10.0, decimals) - std::round(step * std::pow(10.0, decimals))) > 1e-6) ++decimals;
    std::string s = format_number(v, decimals);
    // "1.0" -> "1", "0.50" -> "0.5": the step's precision is a maximum, not a format.
    if (s.find('.') != std::string::npos) {
        while (s.back() == '0') s.pop_back();
        if (s.back() == '.') s.pop_back();
    }
    if (s == "-0") s = "0";
    return s;
}

std::vector<Tick> log_ticks(double lo, double hi) {
    std::vector<Tick> out;
    if (!(lo > 0) || !(hi > lo) || !std::isfinite(hi)) return out;
    int d0 = static_cast<int>(std::floor(std::log10(lo) + kEps));
    int d1 = static_cast<int>(std::ceil(std::log10(hi) - kEps));
    int decades = d1 - d0;
    int stride = decades > 8 ? 2 : 1;
    bool label_minors = std::log10(hi) - std::log10(lo) < 1 + kEps;
    for (int d = d0; d <= d1; ++d) {
        for (int m = 1; m <= 9; ++m) {
            double v = m * std::pow(10.0, d);
            if (v < lo * (1 - 1e-9) || v > hi * (1 + 1e-9)) continue;
            Tick t;
            t.value = v;
            t.major = m == 1;
            bool labelled = t.major ? ((d % stride) == 0) : (label_minors && (m == 2 || m == 5));
            if (labelled) t.label = log_tick_label(v);
            out.push_back(t);
        }
    }
    return out;
}

std::vector<Tick> linear_ticks(double lo, double hi, int target) {
    std::vector<Tick> out;
    if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi) || target < 1) return out;
    double raw = (hi - lo) / target;
    double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double step = mag;
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (m * mag >= raw * (1 - 1e-9)) {
            step = m * mag;
            break;
        }
    for (double k = std::ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k += 1) {
        double v = k * step;
        if (std::fabs(v) < step * 1e-9) v = 0;
        out.push_back({v, true, linear_tick_label(v, step)});
    }
    return out;
}

Axis percent_axis(std::string label) {
    Axis a;
    a.label = std::move(label);
    a.lo = -4, a.hi = 104;
    a.ticks = linear_ticks(0, 100, 5);
    return a;
}

std::vector<double> spread_labels(const std::vector<double> & desired, double h, double lo, double hi) {
    // Blocks of touching labels, each centred on the mean of its members' wishes; merge a block
    // into the previous one while they overlap.
    struct Block {
        double sum = 0;  // of desired centres
        size_t first = 0, n = 0;
    };
    std::vector<Block> blocks;
    auto top_of = [&](const Block & b) { return b.sum / static_cast<double>(b.n) - 0.5 * h * static_cast<double>(b.n); };
    for (size_t i = 0; i < desired.size(); ++i) {
        blocks.push_back({desired[i], i, 1});
        while (blocks.size() >= 2) {
            Block & b = blocks.back();
            Block & a = blocks[blocks.size() - 2];
            if (top_of(a) + h * static_cast<double>(a.n) <= top_of(b) + 1e-9) break;
            a.sum += b.sum;
            a.n += b.n;
            blocks.pop_back();
        }
    }
    std::vector<double> out(desired.size());
    for (const Block & b : blocks)
        for (size_t k = 0; k < b.n; ++k) out[b.first + k] = top_of(b) + h * (static_cast<double>(k) + 0.5);
    // Inside [lo, hi] where possible: push down from the top, then up from the bottom.
    for (size_t i = 0; i < out.size(); ++i) out[i] = std::max(out[i], i == 0 ? lo + h / 2 : out[i - 1] + h);
    for (size_t i = out.size(); i-- > 0;) out[i] = std::min(out[i], i + 1 == out.size() ? hi - h / 2 : out[i + 1] - h);
    return out;
}

Axis fit_log_axis(const std::vector<double> & values, std::string label) {
    Axis a;
    a.label = std::move(label);
    a.scale = Scale::log;
    double mn = std::numeric_limits<double>::infinity(), mx = 0;
    for (double v : values)
        if (v > 0 && std::isfinite(v)) mn = std::min(mn, v), mx = std::max(mx, v);
    if (mx == 0) {
        a.lo = 1, a.hi = 10;
        return a;
    }
    a.lo = std::pow(10.0, std::floor(std::log10(mn) - 0.1));
    a.hi = std::pow(10.0, std::ceil(std::log10(mx) + 0.1));
    return a;
}

Axis fit_linear_axis(const std::vector<double> & values, std::string label) {
    Axis a;
    a.label = std::move(label);
    double mn = std::numeric_limits<double>::infinity(), mx = -mn;
    for (double v : values)
        if (std::isfinite(v)) mn = std::min(mn, v), mx = std::max(mx, v);
    if (mn > mx) {
        a.lo = 0, a.hi = 1;
        return a;
    }
    if (mn == mx) {
        double pad = mn == 0 ? 1 : std::fabs(mn) * 0.1;
        mn -= pad, mx += pad;
    }
    // Snap outwards to the tick step, so that the frame starts and ends on a labelled tick.
    std::vector<Tick> t = linear_ticks(mn, mx);
    double step = t.size() >= 2 ? t[1].value - t[0].value : (mx - mn);
    a.lo = std::floor(mn / step + 1e-9) * step;
    a.hi = std::ceil(mx / step - 1e-9) * step;
    // The same step over the snapped range (recomputing would pick a coarser one that misses the ends).
    for (double k = std::round(a.lo / step); k * step <= a.hi + step * 1e-9; k += 1) {
        double v = std::fabs(k) < 0.5 ? 0 : k * step;
        a.ticks.push_back({v, true, linear_tick_label(v, step)});
    }
    return a;
}

double axis_fraction(const Axis & a, double v) {
    if (!std::isfinite(v)) return std::numeric_limits<double>::quiet_NaN();
    if (a.scale == Scale::log) {
        if (!(v > 0) || !(a.lo > 0) || !(a.hi > a.lo)) return std::numeric_limits<double>::quiet_NaN();
        return (std::log10(v) - std::log10(a.lo)) / (std::log10(a.hi) - std::log10(a.lo));
    }
    if (!(a.hi > a.lo)) return std::numeric_limits<double>::quiet_NaN();
    return (v - a.lo) / (a.hi - a.lo);
}

RenderResult render(const Figure & fig) {
    RenderResult result;
    Layout L = compute_layout(fig);
    result.width = L.width, result.height = L.height;
    result.plot_x = L.plot.x, result.plot_y = L.plot.y, result.plot_w = L.plot.w, result.plot_h = L.plot.h;
    svg::Document doc(L.width, L.height, fig.title);
    svg::TextStyle title;
    title.size = 15.5;
    title.bold = true;
    doc.text(L.plot.x, 24, fig.title, title);
    if (!fig.subtitle.empty()) {
        svg::TextStyle sub;
        sub.size = 12;
        sub.colour = "#555555";
        doc.text(L.plot.x, 43, fig.subtitle, sub);
    }
    draw_axes(doc, fig, L);
    draw_strip_frames(doc, fig, L);
    std::vector<PlacedPoint> to_label;
    std::vector<Rect> obstacles;
    draw_series(doc, fig, L, to_label, obstacles, result);
    draw_strip_points(doc, fig, L, result);
    draw_labels(doc, to_label, obstacles, result);
    draw_legend(doc, fig, L);
    svg::TextStyle cap;
    cap.size = kCaptionFont;
    cap.colour = "#444444";
    double y = L.caption_y;
    for (const auto & line : L.caption_lines) {
        doc.text(16, y, line, cap);
        y += 15;
    }
    result.svg = doc.str();
    return result;
}

}  // namespace trmbench::plot
