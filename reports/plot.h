// plot: a small plotting module for report figures, written to SVG by hand.
//
// What a report needs and nothing more: scatter, line and step series on linear or log axes,
// vertical error bars, hollow and filled markers in eight shapes, an explicit grouped legend,
// point labels placed with simple overlap avoidance, and "strips": narrow columns beside the plot
// that share its y axis, for points that have no x value (a solver whose FLOPs are unknown, a
// published number without compute) so that they are shown honestly instead of being dropped or
// given an invented x.
//
// Log axes: majors at decades (every second decade when there are many), minors at 2..9 x decade.
// Colours are the Okabe-Ito palette (distinguishable with the common colour-vision deficiencies);
// shapes are varied together with colours so that series stay apart in greyscale too.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace trmbench::plot {

enum class Scale { linear, log };

struct Tick {
    double value = 0;
    bool major = false;
    std::string label;  // empty for unlabelled ticks; "10^12" draws as 10 with a superscript 12
};

struct Axis {
    std::string label;
    Scale scale = Scale::linear;
    double lo = 0, hi = 1;      // visible range in data units (lo > 0 on a log axis)
    std::string tick_prefix;    // e.g. "$"
    std::string tick_suffix;    // e.g. "%"
    std::vector<Tick> ticks;    // when set, drawn instead of the computed ones (e.g. 0..100 on a
                                // padded accuracy axis, so that points at 0% stay visible)
};

// Majors at each decade in [lo, hi] (every `stride`-th decade labelled, stride 2 beyond 8
// decades), minors at 2..9 x decade. With less than one decade, 2 and 5 are labelled too.
std::vector<Tick> log_ticks(double lo, double hi);
// "Nice" steps (1, 2, 5 x 10^k) giving about `target` intervals; every tick major and labelled.
std::vector<Tick> linear_ticks(double lo, double hi, int target = 5);
// Label of a decade or a value on a log axis: 0.001..10000 plain ("0.01", "100"), else "10^k".
std::string log_tick_label(double v);
// Label on a linear axis with the step's precision ("0.5", "20").
std::string linear_tick_label(double v, double step);

// Visible range for a log axis covering every positive finite value: whole decades, widened by a
// decade when a value sits within 0.1 decade of a border. [1, 10] when there is no value.
Axis fit_log_axis(const std::vector<double> & values, std::string label);

// Visible range for a linear axis covering every finite value, extended to whole steps of its
// "nice" ticks; a single value v gets [v - 1, v + 1] (or +-10% of v). [0, 1] when there is no value.
Axis fit_linear_axis(const std::vector<double> & values, std::string label);

// The accuracy axis of every report figure: 0..100 with ticks every 20, padded by 4 on both
// sides so that markers at 0% and 100% are not cut by the frame.
Axis percent_axis(std::string label);

// Positions (centres) for labels of height `h` wanted at `desired` centres (ascending), so that no
// two overlap: clusters are spread evenly around their mean, then pushed inside [lo, hi] when
// there is room. Used for the label column of a strip.
std::vector<double> spread_labels(const std::vector<double> & desired, double h, double lo, double hi);

// Position of v along the axis in [0, 1] (outside when v is outside the range; NaN when v cannot
// be placed: v <= 0 on a log axis, or not finite).
double axis_fraction(const Axis & a, double v);

enum class Marker { circle, square, triangle_up, diamond, triangle_down, cross, plus, star };
inline constexpr int kMarkerCount = 8;
// Okabe-Ito colours in an order that keeps neighbours apart; yellow is left out (too light on white).
inline constexpr int kPaletteSize = 7;
const char * palette_colour(int i);  // i modulo kPaletteSize
Marker marker_shape(int i);          // i modulo kMarkerCount

struct Style {
    std::string colour = "#000000";
    Marker marker = Marker::circle;
    bool hollow = false;       // outline only (reference values)
    double marker_size = 7;    // nominal diameter in px
    double line_width = 1.6;
    std::string dash;          // dash array for lines, e.g. "5 4"
    bool markers = true;       // draw markers at the points of a line/step series
};

struct Point {
    double x = 0, y = 0;
    std::string label;         // drawn beside the point when not empty
    double y_lo = -1, y_hi = -1;  // vertical error bar when y_lo <= y <= y_hi (both >= 0)
};

enum class SeriesKind { scatter, line, step };

struct Series {
    std::string name;          // for the SVG group and tooltips
    SeriesKind kind = SeriesKind::scatter;
    Style style;
    std::vector<Point> points;
};

// A column beside the plot that shares its y axis; x has no meaning there.
struct StripPoint {
    double y = 0;
    std::string label;
    Style style;
    double y_lo = -1, y_hi = -1;
};
struct Strip {
    std::string title;         // e.g. "FLOPs unknown", "published"
    std::vector<StripPoint> points;
};

enum class LegendSymbol { marker, line, marker_and_line };
struct LegendEntry {
    std::string group;         // entries are shown under their group's header, groups in first-seen order
    std::string text;
    Style style;
    LegendSymbol symbol = LegendSymbol::marker;
};

struct Figure {
    std::string title;
    std::string subtitle;            // one line under the title
    Axis x, y;
    std::vector<Series> series;
    std::vector<Strip> strips;
    std::vector<LegendEntry> legend;
    std::string caption;             // wrapped under the plot
    double width = 1100;       // grown when the strips and legend need more room
    double height = 600;
};

// Where a label went; for tests and for the figure's own overlap statistics.
struct LabelBox {
    double x = 0, y = 0, w = 0, h = 0;  // top-left corner and size, in px
    std::string text;
};

struct RenderResult {
    std::string svg;
    double width = 0, height = 0;                        // of the whole figure
    double plot_x = 0, plot_y = 0, plot_w = 0, plot_h = 0;  // the plot area, in px
    std::vector<LabelBox> labels;
    int labels_overlapping = 0;  // labels that could not be placed without overlap
    int points_outside = 0;      // points not drawn: x or y cannot be placed on its axis
};

RenderResult render(const Figure & fig);

}  // namespace trmbench::plot
