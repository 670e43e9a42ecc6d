// The plotting module: log-scale math and tick positions, linear ticks, escaping, well-formed XML
// of rendered figures (checked by a small XML parser), markers, legend, strips and label overlap
// avoidance.
#include <catch2/catch.hpp>

#include <cmath>

#include "reports/plot.h"
#include "reports/svg.h"
#include "tests/unit/reports/xml_check.h"

namespace plot = trmbench::plot;
namespace svg = trmbench::svg;

namespace {

std::vector<double> values_of(const std::vector<plot::Tick> & ticks, bool major) {
    std::vector<double> out;
    for (const auto & t : ticks)
        if (t.major == major) out.push_back(t.value);
    return out;
}

std::vector<std::string> labels_of(const std::vector<plot::Tick> & ticks) {
    std::vector<std::string> out;
    for (const auto & t : ticks)
        if (!t.label.empty()) out.push_back(t.label);
    return out;
}

plot::Figure scatter_figure() {
    plot::Figure f;
    f.title = "Accuracy vs FLOPs <sudoku & maze>";
    f.subtitle = "test \"quotes\" and 'apostrophes'";
    f.x = plot::fit_log_axis({3e9, 2e12}, "FLOPs per puzzle");
    f.y.label = "accuracy";
    f.y.lo = 0, f.y.hi = 100;
    f.y.tick_suffix = "%";
    plot::Series s;
    s.name = "trm<att>";
    s.style.colour = plot::palette_colour(0);
    s.points = {{3e9, 40, "TRM & co <7M>", 30, 50}, {2e12, 80, "gpt", 70, 88}};
    f.series.push_back(s);
    plot::Strip strip;
    strip.title = "published (no FLOPs)";
    plot::StripPoint p;
    p.y = 87.4;
    p.label = "TRM-MLP 5M";
    p.style.hollow = true;
    strip.points.push_back(p);
    f.strips.push_back(strip);
    f.legend.push_back({"measured", "trm<att>", s.style, plot::LegendSymbol::marker});
    f.legend.push_back({"published", "TRM paper", p.style, plot::LegendSymbol::marker});
    f.caption = "A caption long enough to wrap over more than one line of the figure, with <markup> & entities that "
                "must be escaped, and more words to be sure that the wrapping happens at least once here.";
    return f;
}

}  // namespace

TEST_CASE("log ticks: decades major, 2..9 minor", "[reports][plot]") {
    auto ticks = plot::log_ticks(1e9, 1e13);
    CHECK(values_of(ticks, true) == std::vector<double>{1e9, 1e10, 1e11, 1e12, 1e13});
    CHECK(values_of(ticks, false).size() == 4 * 8);
    CHECK(labels_of(ticks) == std::vector<std::string>{"10^9", "10^10", "10^11", "10^12", "10^13"});
    // Minor ticks are at m x 10^d.
    auto minors = values_of(ticks, false);
    CHECK(minors.front() == Approx(2e9));
    CHECK(minors.back() == Approx(9e12));
}

TEST_CASE("log ticks: plain labels in the readable range, stride beyond 8 decades", "[reports][plot]") {
    CHECK(labels_of(plot::log_ticks(1e-3, 100)) == std::vector<std::string>{"0.001", "0.01", "0.1", "1", "10", "100"});
    auto wide = plot::log_ticks(1e2, 1e14);  // 12 decades: every second one labelled
    CHECK(labels_of(wide) == std::vector<std::string>{"100", "10000", "10^6", "10^8", "10^10", "10^12", "10^14"});
    CHECK(values_of(wide, true).size() == 13);
    // Less than a decade: 2 and 5 are labelled so that the axis still has numbers.
    auto narrow = plot::log_ticks(1.5, 8);
    CHECK(labels_of(narrow) == std::vector<std::string>{"2", "5"});
    CHECK(values_of(narrow, false).size() == 7);  // 2..8
    CHECK(plot::log_ticks(0, 10).empty());
    CHECK(plot::log_ticks(10, 10).empty());
}

TEST_CASE("log axis math", "[reports][plot]") {
    plot::Axis a;
    a.scale = plot::Scale::log;
    a.lo = 1e9, a.hi = 1e13;
    CHECK(plot::axis_fraction(a, 1e9) == Approx(0));
    CHECK(plot::axis_fraction(a, 1e10) == Approx(0.25));
    CHECK(plot::axis_fraction(a, 1e11) == Approx(0.5));
    CHECK(plot::axis_fraction(a, std::sqrt(10.0) * 1e12) == Approx(0.875));
    CHECK(std::isnan(plot::axis_fraction(a, 0)));
    CHECK(std::isnan(plot::axis_fraction(a, -5)));
    plot::Axis lin;
    lin.lo = 0, lin.hi = 100;
    CHECK(plot::axis_fraction(lin, 25) == Approx(0.25));
}

TEST_CASE("fit_log_axis covers the values with whole decades", "[reports][plot]") {
    auto a = plot::fit_log_axis({3e9, 2e12, -1, 0}, "x");
    CHECK(a.lo == Approx(1e9));
    CHECK(a.hi == Approx(1e13));
    // A value on a decade gets a decade of room on both sides.
    auto b = plot::fit_log_axis({1e10}, "x");
    CHECK(b.lo == Approx(1e9));
    CHECK(b.hi == Approx(1e11));
    auto none = plot::fit_log_axis({}, "x");
    CHECK(none.lo == 1);
    CHECK(none.hi == 10);
}

TEST_CASE("linear ticks use 1-2-5 steps", "[reports][plot]") {
    auto t = plot::linear_ticks(0, 100, 5);
    CHECK(labels_of(t) == std::vector<std::string>{"0", "20", "40", "60", "80", "100"});
    auto f = plot::linear_ticks(0, 1, 5);
    CHECK(labels_of(f) == std::vector<std::string>{"0", "0.2", "0.4", "0.6", "0.8", "1"});
    auto s = plot::linear_ticks(1, 16, 5);
    CHECK(labels_of(s) == std::vector<std::string>{"5", "10", "15"});
}

TEST_CASE("fit_linear_axis snaps to its tick step, ticks at both ends", "[reports][plot]") {
    auto a = plot::fit_linear_axis({1080, 1200, 1320}, "throughput");
    CHECK(a.scale == plot::Scale::linear);
    CHECK(a.lo == 1050);
    CHECK(a.hi == 1350);
    REQUIRE(!a.ticks.empty());
    CHECK(a.ticks.front().value == a.lo);
    CHECK(a.ticks.back().value == a.hi);
    CHECK(labels_of(a.ticks) == std::vector<std::string>{"1050", "1100", "1150", "1200", "1250", "1300", "1350"});
    auto neg = plot::fit_linear_axis({-0.3, 0.7}, "x");
    CHECK(neg.lo == Approx(-0.4));
    CHECK(neg.hi == Approx(0.8));
    CHECK(labels_of(neg.ticks).front() == "-0.4");
    // A constant: +-10% around it; zero: +-1; nothing (or only NaN): [0, 1].
    auto c = plot::fit_linear_axis({5, 5}, "c");
    CHECK(c.lo <= 4.5);
    CHECK(c.hi >= 5.5);
    auto z = plot::fit_linear_axis({0}, "z");
    CHECK(z.lo == -1);
    CHECK(z.hi == 1);
    auto none = plot::fit_linear_axis({std::nan("")}, "n");
    CHECK(none.lo == 0);
    CHECK(none.hi == 1);
}

TEST_CASE("svg escaping keeps any text well-formed", "[reports][plot]") {
    CHECK(svg::escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&apos;");
    CHECK(svg::escape("caf\xC3\xA9") == "caf\xC3\xA9");               // valid UTF-8 kept
    CHECK(svg::escape("bad\xFF") == "bad\xEF\xBF\xBD");                 // invalid byte replaced
    CHECK(svg::escape(std::string("nul\x01", 4)) == "nul\xEF\xBF\xBD");  // control char replaced
    CHECK(svg::num(1.005) == "1");
    CHECK(svg::num(12.5) == "12.5");
    CHECK(svg::num(-0.001) == "0");
    svg::Document doc(100, 50, "t<&>");
    doc.text(1, 2, "x & y < z", {});
    doc.comment("a -- b");
    trmbench::test::XmlChecker xml;
    CHECK(xml.check(doc.str()) == "");
}

TEST_CASE("the XML checker rejects what browsers reject", "[reports][plot]") {
    trmbench::test::XmlChecker xml;
    CHECK(xml.check("<svg><a></svg>") != "");
    CHECK(xml.check("<svg>a & b</svg>") != "");
    CHECK(xml.check("<svg x=1/>") != "");
    CHECK(xml.check("<svg x='1' x='2'/>") != "");
    CHECK(xml.check("<svg/><svg/>") != "");
    CHECK(xml.check("<svg><!-- a -- b --></svg>") != "");
    CHECK(xml.check("<svg>\xFF</svg>") != "");
    CHECK(xml.check("<?xml version=\"1.0\"?>\n<svg a=\"&amp;&#38;&#x26;\"><g/>text</svg>\n") == "");
}

TEST_CASE("a rendered figure is well-formed and has its parts", "[reports][plot]") {
    plot::Figure f = scatter_figure();
    auto r = plot::render(f);
    trmbench::test::XmlChecker xml;
    INFO(r.svg);
    REQUIRE(xml.check(r.svg) == "");
    CHECK(xml.count("svg") == 1);
    CHECK(xml.count("title") == 1);
    // Markers: one circle per measured point; the strip marker and legend symbols are circles too.
    CHECK(xml.count("circle") == 2 + 1 + 2);
    // The raw label text came through escaped, and reads back unchanged.
    const auto & texts = xml.texts();
    CHECK(std::find(texts.begin(), texts.end(), "TRM & co <7M>") != texts.end());
    CHECK(std::find(texts.begin(), texts.end(), "published (no FLOPs)") != texts.end());
    CHECK(r.points_outside == 0);
    CHECK(r.labels.size() == 3);
    CHECK(r.labels_overlapping == 0);
    // The caption was wrapped into several lines.
    int caption_lines = 0;
    for (const auto & t : texts) caption_lines += t.find("caption") != std::string::npos || t.find("wrapping") != std::string::npos;
    CHECK(caption_lines >= 1);
    CHECK(r.height > f.height - 1);
}

TEST_CASE("tick marks sit where the log scale puts them", "[reports][plot]") {
    plot::Figure f = scatter_figure();
    auto r = plot::render(f);
    // x axis [1e9, 1e13]: the 1e10 major tick is a quarter of the way across the plot.
    std::string x = svg::num(r.plot_x + 0.25 * r.plot_w);
    std::string bottom = svg::num(r.plot_y + r.plot_h);
    CHECK_THAT(r.svg, Catch::Contains("<line x1=\"" + x + "\" y1=\"" + bottom + "\" x2=\"" + x + "\""));
    // The superscript exponent of "10^10".
    CHECK_THAT(r.svg, Catch::Contains(">10<tspan"));
    // y axis 0..100: the 20% grid line is a fifth of the way up.
    std::string y = svg::num(r.plot_y + r.plot_h - 0.2 * r.plot_h);
    CHECK_THAT(r.svg, Catch::Contains("y1=\"" + y + "\""));
}

TEST_CASE("points that cannot be placed are counted, not drawn", "[reports][plot]") {
    plot::Figure f = scatter_figure();
    f.series[0].points.push_back({0, 50, "zero cost", -1, -1});      // log axis: cannot place 0
    f.series[0].points.push_back({1e11, 150, "too accurate", -1, -1});  // outside the y range
    auto r = plot::render(f);
    CHECK(r.points_outside == 2);
    CHECK(r.svg.find("zero cost") == std::string::npos);
}

TEST_CASE("labels of coincident points do not overlap each other", "[reports][plot]") {
    plot::Figure f;
    f.x = plot::fit_log_axis({1e6, 1e8}, "x");
    f.y.lo = 0, f.y.hi = 100;
    plot::Series s;
    s.name = "crowd";
    for (int i = 0; i < 5; ++i) s.points.push_back({1e7, 50, "solver-number-" + std::to_string(i), -1, -1});
    f.series.push_back(s);
    auto r = plot::render(f);
    REQUIRE(r.labels.size() == 5);
    CHECK(r.labels_overlapping == 0);
    for (size_t i = 0; i < r.labels.size(); ++i)
        for (size_t j = i + 1; j < r.labels.size(); ++j) {
            const auto & a = r.labels[i];
            const auto & b = r.labels[j];
            bool apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
            CHECK(apart);
        }
}

TEST_CASE("step and line series, hollow markers and every shape render", "[reports][plot]") {
    plot::Figure f;
    f.x = plot::fit_log_axis({1, 1000}, "x");
    f.y.lo = 0, f.y.hi = 1;
    plot::Series step;
    step.name = "frontier";
    step.kind = plot::SeriesKind::step;
    step.style.markers = false;
    step.style.dash = "5 4";
    step.points = {{1, 0.1, "", -1, -1}, {10, 0.5, "", -1, -1}, {100, 0.7, "", -1, -1}};
    f.series.push_back(step);
    for (int m = 0; m < plot::kMarkerCount; ++m) {
        plot::Series s;
        s.name = "shape" + std::to_string(m);
        s.style.marker = plot::marker_shape(m);
        s.style.hollow = m % 2;
        s.style.colour = plot::palette_colour(m);
        s.points = {{2.0 + m * 50, 0.2 + 0.05 * m, "", -1, -1}};
        f.series.push_back(s);
    }
    auto r = plot::render(f);
    trmbench::test::XmlChecker xml;
    REQUIRE(xml.check(r.svg) == "");
    // The step line goes across then up: 1 -> 10 at 0.1, then up to 0.5, ... (5 vertices).
    size_t p = r.svg.find("<polyline points=\"");
    REQUIRE(p != std::string::npos);
    std::string pts = r.svg.substr(p, r.svg.find('"', p + 18) - p);
    CHECK(std::count(pts.begin(), pts.end(), ',') == 5);
    CHECK_THAT(r.svg, Catch::Contains("stroke-dasharray=\"5 4\""));
    CHECK(std::string(plot::palette_colour(0)) != plot::palette_colour(1));
    CHECK(plot::marker_shape(0) != plot::marker_shape(1));
    CHECK(plot::palette_colour(plot::kPaletteSize) == plot::palette_colour(0));
}

TEST_CASE("strip labels are spread without overlap and stay in bounds", "[reports][plot]") {
    // Far apart: unchanged.
    auto a = plot::spread_labels({10, 50, 90}, 10, 0, 100);
    CHECK(a == std::vector<double>{10, 50, 90});
    // Three wishing for the same place: spread evenly around it.
    auto b = plot::spread_labels({50, 50, 50}, 10, 0, 100);
    REQUIRE(b.size() == 3);
    CHECK(b[0] == Approx(40));
    CHECK(b[1] == Approx(50));
    CHECK(b[2] == Approx(60));
    // Crowded at the bottom edge: pushed up inside the bounds.
    auto c = plot::spread_labels({98, 99, 100}, 10, 0, 100);
    CHECK(c[2] == Approx(95));
    CHECK(c[1] == Approx(85));
    CHECK(c[0] == Approx(75));
    for (size_t i = 1; i < c.size(); ++i) CHECK(c[i] - c[i - 1] >= 10 - 1e-9);
    CHECK(plot::spread_labels({}, 10, 0, 100).empty());
}

TEST_CASE("crowded strip points get readable labels", "[reports][plot]") {
    plot::Figure f = scatter_figure();
    f.strips[0].points.clear();
    for (double y : {44.6, 40.3, 37.0, 34.5, 29.6, 28.6, 21.0, 15.8}) {
        plot::StripPoint p;
        p.y = y;
        p.label = "method at " + std::to_string(y).substr(0, 4);
        p.style.hollow = true;
        f.strips[0].points.push_back(p);
    }
    auto r = plot::render(f);
    CHECK(r.labels_overlapping == 0);
    std::vector<plot::LabelBox> strip;
    for (const auto & l : r.labels)
        if (l.text.rfind("method at", 0) == 0) strip.push_back(l);
    REQUIRE(strip.size() == 8);
    for (size_t i = 0; i < strip.size(); ++i)
        for (size_t j = i + 1; j < strip.size(); ++j) CHECK((strip[i].y + strip[i].h <= strip[j].y + 1e-6 || strip[j].y + strip[j].h <= strip[i].y + 1e-6));
}

TEST_CASE("the accuracy axis is padded but ticked 0..100", "[reports][plot]") {
    auto a = plot::percent_axis("acc");
    CHECK(a.lo < 0);
    CHECK(a.hi > 100);
    CHECK(labels_of(a.ticks) == std::vector<std::string>{"0", "20", "40", "60", "80", "100"});
    // One decade on a log axis: 2 and 5 are labelled so the axis has more than two numbers.
    CHECK(labels_of(plot::log_ticks(0.1, 1)) == std::vector<std::string>{"0.1", "0.2", "0.5", "1"});
}
