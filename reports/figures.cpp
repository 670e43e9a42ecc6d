// figures: see figures.h.
#include "reports/figures.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "reports/format.h"
#include "reports/published.h"

namespace trmbench {
namespace {

constexpr const char * kReferenceColour = "#333333";
constexpr const char * kFrontierColour = "#555555";
constexpr size_t kMaxPublishedLabel = 34;

struct DatasetView {
    std::string dataset;
    std::string family;
    std::vector<const Cell *> cells;
    bool has_benchmark = false;
    PublishedBenchmark benchmark = PublishedBenchmark::sudoku_extreme;
};

std::vector<DatasetView> datasets_in_order(const ReportData & data) {
    std::vector<DatasetView> out;
    for (const auto & c : data.cells) {
        auto it = std::find_if(out.begin(), out.end(), [&](const DatasetView & d) { return d.dataset == c.dataset; });
        if (it == out.end()) {
            DatasetView d;
            d.dataset = c.dataset;
            d.family = c.task_family;
            d.has_benchmark = published_benchmark_for(c.task_family, c.dataset, d.benchmark);
            out.push_back(d);
            it = out.end() - 1;
        }
        it->cells.push_back(&c);
    }
    return out;
}

std::string point_label(const ReportData & data, const Cell & c) {
    return data.multi_run() ? c.solver + " (run " + std::to_string(c.run_id) + ")" : c.solver;
}

plot::Point measured_point(double x, const Cell & c, std::string label) {
    plot::Point p;
    p.x = x;
    p.y = 100 * c.accuracy;
    p.label = std::move(label);
    if (c.ci.known()) p.y_lo = 100 * c.ci.low, p.y_hi = 100 * c.ci.high;
    return p;
}

plot::StripPoint strip_point(const Cell & c, std::string label, plot::Style style) {
    plot::StripPoint p;
    p.y = 100 * c.accuracy;
    p.label = std::move(label);
    p.style = std::move(style);
    if (c.ci.known()) p.y_lo = 100 * c.ci.low, p.y_hi = 100 * c.ci.high;
    return p;
}

plot::Style reference_style() {
    plot::Style s;
    s.colour = kReferenceColour;
    s.marker = plot::Marker::circle;
    s.hollow = true;
    s.marker_size = 9;
    return s;
}

// Published results with the same accuracy (and x, when placed on an axis) share one marker and
// one label, so that the four 0.0% rows of Table 4 do not pile up.
struct PublishedMarker {
    double x = -1;
    double accuracy_pct = 0;
    std::vector<std::string> names;
};

std::string published_label(const PublishedMarker & m) {
    std::string all;
    for (const auto & n : m.names) all += (all.empty() ? "" : ", ") + n;
    if (all.size() <= kMaxPublishedLabel || m.names.size() == 1) return all;
    return m.names.front() + " +" + std::to_string(m.names.size() - 1) + " more";
}

std::vector<PublishedMarker> group_published(const std::vector<PublishedResult> & rows, bool by_params) {
    std::vector<PublishedMarker> out;
    for (const auto & r : rows) {
        double x = by_params ? r.params : -1;
        auto it = std::find_if(out.begin(), out.end(), [&](const PublishedMarker & m) { return m.x == x && m.accuracy_pct == r.accuracy_pct; });
        if (it == out.end()) {
            out.push_back({x, r.accuracy_pct, {}});
            it = out.end() - 1;
        }
        it->names.push_back(r.params < 0 ? r.method : r.method + " " + r.params_text);
    }
    return out;
}

std::string published_source(const DatasetView & d) {
    bool arc = d.benchmark == PublishedBenchmark::arc_agi_1 || d.benchmark == PublishedBenchmark::arc_agi_2;
    return arc ? "TRM paper, Table 5" : "TRM paper, Table 4";
}

void add_published_strip(plot::Figure & f, const DatasetView & d, const std::string & title) {
    if (!d.has_benchmark) return;
    plot::Strip strip;
    strip.title = title;
    for (const auto & m : group_published(published_for(d.benchmark), false)) {
        plot::StripPoint p;
        p.y = m.accuracy_pct;
        p.label = published_label(m);
        p.style = reference_style();
        strip.points.push_back(p);
    }
    f.strips.push_back(strip);
}

void add_published_legend(plot::Figure & f, const DatasetView & d) {
    if (!d.has_benchmark) return;
    f.legend.push_back({"published (" + published_source(d) + ")",
                        std::string(published_benchmark_name(d.benchmark)) + ", full test set", reference_style(),
                        plot::LegendSymbol::marker});
}

std::string subtitle(const ReportData & data, const DatasetView & d) {
    std::string s;
    std::vector<int64_t> runs;
    for (const Cell * c : d.cells)
        if (std::find(runs.begin(), runs.end(), c->run_id) == runs.end()) runs.push_back(c->run_id);
    for (int64_t r : runs) {
        const DatasetEntry * e = data.dataset(r, d.dataset);
        if (!e) continue;
        s += (s.empty() ? "" : " \xC2\xB7 ") + std::string("run ") + std::to_string(r) + ": " +
             fmt::count(d.family == "arc" ? e->n_tasks : e->n_items) + (d.family == "arc" ? " tasks" : " puzzles");
    }
    const Cell & c = *d.cells.front();
    bool same = std::all_of(d.cells.begin(), d.cells.end(), [&](const Cell * x) { return x->metric == c.metric; });
    if (same) s += " \xC2\xB7 " + c.metric;
    return s;
}

std::string metric_sentence(const DatasetView & d) {
    const Cell & c = *d.cells.front();
    bool same = std::all_of(d.cells.begin(), d.cells.end(), [&](const Cell * x) { return x->metric == c.metric; });
    std::string metric = same ? c.metric : "see the summary table for each solver's metric";
    return "Accuracy (" + metric + ") over the run's whole item set, missing answers counted wrong; bars: 95% Wilson interval.";
}

plot::Figure base_figure(const ReportData & data, const DatasetView & d, const std::string & what, const std::string & x_label,
                         const std::vector<double> & xs) {
    plot::Figure f;
    f.title = d.dataset + ": accuracy vs " + what;
    f.subtitle = subtitle(data, d);
    f.x = plot::fit_log_axis(xs, x_label);
    f.y = plot::percent_axis("accuracy (%)");
    return f;
}

void add_frontier(plot::Figure & f, const std::vector<plot::Point> & points) {
    std::vector<CostPoint> cp;
    for (const auto & p : points) cp.push_back({p.x, p.y});
    auto idx = pareto_frontier(cp);
    if (idx.empty()) return;
    plot::Series s;
    s.name = "pareto-frontier";
    s.kind = plot::SeriesKind::step;
    s.style.colour = kFrontierColour;
    s.style.dash = "6 4";
    s.style.line_width = 1.3;
    s.style.markers = false;
    for (size_t i : idx) s.points.push_back({points[i].x, points[i].y, "", -1, -1});
    // The best accuracy within a budget stays the same up to the right edge of the plot.
    s.points.push_back({f.x.hi, points[idx.back()].y, "", -1, -1});
    // Drawn first, under the markers.
    f.series.insert(f.series.begin(), s);
    f.legend.push_back({"measured", "Pareto frontier", s.style, plot::LegendSymbol::line});
}

void add_measured_legend(plot::Figure & f, const ReportData & data, const DatasetView & d) {
    for (const Cell * c : d.cells)
        f.legend.push_back({"measured", point_label(data, *c), solver_style(data, c->run_id, c->solver), plot::LegendSymbol::marker});
}

FigureFile flops_figure(const ReportData & data, const DatasetView & d) {
    std::vector<double> xs;
    bool any_curve = false, any_estimate = false, any_unknown = false;
    size_t max_steps = 0;
    for (const Cell * c : d.cells) {
        max_steps = std::max(max_steps, c->steps.size());
        if (c->flops.known()) xs.push_back(c->flops.value);
        for (const auto & s : c->steps)
            if (s.flops_per_puzzle > 0) xs.push_back(s.flops_per_puzzle);
    }
    plot::Figure f = base_figure(data, d, "FLOPs per puzzle", "FLOPs per puzzle (log scale)", xs);
    plot::Strip unknown{"FLOPs unknown", {}};
    std::vector<plot::Point> frontier_points, curve_starts;
    for (const Cell * c : d.cells) {
        plot::Style st = solver_style(data, c->run_id, c->solver);
        std::string label = point_label(data, *c);
        // The curve over ACT steps, in the solver's colour, under its end point.
        std::vector<plot::Point> curve;
        for (const auto & s : c->steps) {
            if (s.flops_per_puzzle <= 0 || c->n_items <= 0) continue;
            double acc = 100.0 * static_cast<double>(s.correct) / static_cast<double>(c->n_items);
            curve.push_back({s.flops_per_puzzle, acc, s.step == 1 ? "step 1" : "", -1, -1});
        }
        // Curves that start at the same point (one model in several runs) share one "step 1".
        if (!curve.empty()) {
            bool seen = std::any_of(curve_starts.begin(), curve_starts.end(), [&](const plot::Point & p) {
                return std::fabs(p.x / curve.front().x - 1) < 0.01 && std::fabs(p.y - curve.front().y) < 0.5;
            });
            if (seen) curve.front().label.clear();
            curve_starts.push_back(curve.front());
        }
        // The last step is labelled only when it is not the solver's own point (which it is when
        // every item ran all steps and there is one attempt).
        if (curve.size() >= 2) {
            const plot::Point & end = curve.back();
            bool at_headline = c->flops.known() && std::fabs(end.x / c->flops.value - 1) < 0.01 && std::fabs(end.y - 100 * c->accuracy) < 0.5;
            if (!at_headline) curve.back().label = "step " + std::to_string(c->steps.back().step);
        }
        if (curve.size() >= 2) {
            plot::Series line;
            line.name = label + " ACT steps";
            line.kind = plot::SeriesKind::line;
            line.style = st;
            line.style.marker_size = 3.5;
            line.style.line_width = 1.3;
            line.points = curve;
            f.series.push_back(line);
            any_curve = true;
        }
        if (!c->flops.known()) {
            unknown.points.push_back(strip_point(*c, label, st));
            any_unknown = true;
            continue;
        }
        any_estimate |= c->flops.estimated;
        plot::Series s;
        s.name = label;
        s.style = st;
        s.points.push_back(measured_point(c->flops.value, *c, label + (c->flops.estimated ? " (est.)" : "")));
        frontier_points.push_back(s.points.back());
        f.series.push_back(s);
    }
    add_measured_legend(f, data, d);
    add_frontier(f, frontier_points);
    if (any_curve) {
        plot::Style line;
        line.colour = kFrontierColour;
        line.marker_size = 3.5;
        f.legend.push_back({"measured", "accuracy after ACT step s", line, plot::LegendSymbol::marker_and_line});
    }
    if (!unknown.points.empty()) f.strips.push_back(unknown);
    add_published_strip(f, d, "published (no FLOPs)");
    add_published_legend(f, d);

    std::string caption = metric_sentence(d) + " FLOPs per attempted puzzle, all attempts included, log scale.";
    if (any_curve)
        caption += " Lines: accuracy after ACT step s = 1.." + std::to_string(max_steps) +
                   " of the recursive models against the FLOPs spent up to step s (each ACT step costs the same), from the "
                   "per-step predictions of the same run.";
    if (!frontier_points.empty())
        caption += " Dashed: Pareto frontier of the measured solvers (none is both cheaper and more accurate).";
    else
        f.x.label += ": no solver has FLOPs recorded";
    if (any_estimate) caption += " (est.): FLOPs estimated from parameters and tokens, not counted.";
    if (any_unknown) caption += " Solvers whose FLOPs are unknown sit in the 'FLOPs unknown' strip at their accuracy.";
    if (d.has_benchmark)
        caption += " Hollow markers: published accuracy (" + published_source(d) + ", " +
                   std::string(published_benchmark_name(d.benchmark)) +
                   " full test set, not this item set); the paper gives no FLOPs per puzzle, so they sit in their own strip.";
    f.caption = caption;
    return {"figures/" + fmt::slug(d.dataset) + "_flops.svg", d.dataset, "flops", "Accuracy vs FLOPs per puzzle on " + d.dataset,
            caption, f};
}

FigureFile dollars_figure(const ReportData & data, const DatasetView & d) {
    std::vector<double> xs;
    for (const Cell * c : d.cells)
        if (c->cost_usd.known() && c->cost_usd.value > 0) xs.push_back(c->cost_usd.value);
    plot::Figure f = base_figure(data, d, "dollars per puzzle", "dollars per puzzle (log scale)", xs);
    f.x.tick_prefix = "$";
    plot::Strip unknown{"no cost recorded", {}};
    std::vector<plot::Point> frontier_points;
    bool any_partial = false;
    for (const Cell * c : d.cells) {
        plot::Style st = solver_style(data, c->run_id, c->solver);
        std::string label = point_label(data, *c);
        if (!c->cost_usd.known() || c->cost_usd.value <= 0) {
            unknown.points.push_back(strip_point(*c, label, st));
            continue;
        }
        any_partial |= c->cost_usd.partial;
        plot::Series s;
        s.name = label;
        s.style = st;
        s.points.push_back(measured_point(c->cost_usd.value, *c, label + (c->cost_usd.partial ? " \xE2\x80\xA0" : "")));
        frontier_points.push_back(s.points.back());
        f.series.push_back(s);
    }
    add_measured_legend(f, data, d);
    add_frontier(f, frontier_points);
    if (!unknown.points.empty()) f.strips.push_back(unknown);
    add_published_strip(f, d, "published (no cost)");
    add_published_legend(f, d);
    std::string caption = metric_sentence(d) +
                          " Dollars per attempted puzzle from the run's dated price table, all attempts included, log scale.";
    if (!frontier_points.empty())
        caption += " Dashed: Pareto frontier of the measured solvers.";
    else
        f.x.label += ": no solver has a cost recorded";
    if (any_partial) caption += " \xE2\x80\xA0: cost known for only some attempts (their mean is used).";
    if (!unknown.points.empty()) caption += " Solvers with no recorded cost (local models, baselines) sit in the 'no cost recorded' strip.";
    if (d.has_benchmark)
        caption += " Hollow markers: published accuracy (" + published_source(d) + ", full test set), which has no cost per puzzle.";
    f.caption = caption;
    return {"figures/" + fmt::slug(d.dataset) + "_dollars.svg", d.dataset, "dollars",
            "Accuracy vs dollars per puzzle on " + d.dataset, caption, f};
}

FigureFile params_figure(const ReportData & data, const DatasetView & d) {
    std::vector<double> xs;
    for (const Cell * c : d.cells)
        if (const ReportSolver * s = data.solver(c->run_id, c->solver); s && s->info.n_params > 0) xs.push_back(static_cast<double>(s->info.n_params));
    std::vector<PublishedMarker> placed, unplaced;
    if (d.has_benchmark)
        for (const auto & m : group_published(published_for(d.benchmark), true)) (m.x > 0 ? placed : unplaced).push_back(m);
    for (const auto & m : placed) xs.push_back(m.x);
    plot::Figure f = base_figure(data, d, "parameters", "parameters (log scale)", xs);
    plot::Strip unknown{"params unknown", {}};
    for (const Cell * c : d.cells) {
        plot::Style st = solver_style(data, c->run_id, c->solver);
        std::string label = point_label(data, *c);
        const ReportSolver * s = data.solver(c->run_id, c->solver);
        if (!s || s->info.n_params <= 0) {
            unknown.points.push_back(strip_point(*c, label, st));
            continue;
        }
        plot::Series series;
        series.name = label;
        series.style = st;
        series.points.push_back(measured_point(static_cast<double>(s->info.n_params), *c, label));
        f.series.push_back(series);
    }
    if (!placed.empty()) {
        plot::Series ref;
        ref.name = "published";
        ref.style = reference_style();
        for (const auto & m : placed) ref.points.push_back({m.x, m.accuracy_pct, published_label(m), -1, -1});
        f.series.push_back(ref);
    }
    add_measured_legend(f, data, d);
    if (!unknown.points.empty()) f.strips.push_back(unknown);
    if (!unplaced.empty()) {
        plot::Strip strip{"published, params unknown", {}};
        for (const auto & m : unplaced) {
            plot::StripPoint p;
            p.y = m.accuracy_pct;
            p.label = published_label(m);
            p.style = reference_style();
            strip.points.push_back(p);
        }
        f.strips.push_back(strip);
    }
    add_published_legend(f, d);
    std::string caption = metric_sentence(d) + " Parameters as registered for the solver (trainable parameters for local models), log scale.";
    if (!unknown.points.empty()) caption += " Solvers whose size is not public sit in the 'params unknown' strip.";
    if (d.has_benchmark)
        caption += " Hollow markers: published accuracy against the parameter count printed in the paper (" + published_source(d) +
                   ", full test set, not this item set); rows printed with '?' parameters sit in their own strip.";
    f.caption = caption;
    return {"figures/" + fmt::slug(d.dataset) + "_params.svg", d.dataset, "params", "Accuracy vs parameters on " + d.dataset,
            caption, f};
}

// ---- training curves (train_metrics) -----------------------------------------------------------

// Points drawn per curve at most: a polyline of 2,000 points is finer than the plot's pixels.
constexpr size_t kMaxTrainPoints = 2000;

bool contains(const std::string & s, std::string_view part) { return s.find(part) != std::string::npos; }
bool is_accuracy_metric(const std::string & name) { return contains(name, "accuracy") || contains(name, "acc"); }
bool is_loss_metric(const std::string & name) { return contains(name, "loss"); }

// Loss first, then accuracies, then the rest (steps, throughput, ...), by name within each.
int metric_rank(const std::string & name) { return is_loss_metric(name) ? 0 : is_accuracy_metric(name) ? 1 : 2; }

// Every k-th point and the last, so that at most kMaxTrainPoints are drawn; the CSV and JSON
// exports keep every point.
size_t thinning_stride(size_t n) { return n <= kMaxTrainPoints ? 1 : (n + kMaxTrainPoints - 1) / kMaxTrainPoints; }

std::vector<plot::Point> curve_points(const TrainCurve & c, double scale) {
    std::vector<plot::Point> out;
    size_t stride = thinning_stride(c.points.size());
    for (size_t i = 0; i < c.points.size(); i += stride)
        out.push_back({static_cast<double>(c.points[i].step), scale * c.points[i].value, "", -1, -1});
    if (!c.points.empty() && (c.points.size() - 1) % stride != 0)
        out.push_back({static_cast<double>(c.points.back().step), scale * c.points.back().value, "", -1, -1});
    return out;
}

// How the y axis of one metric is drawn: accuracies stored as fractions in percent, losses
// spanning more than ~1.5 decades on a log axis, everything else linear.
struct TrainYAxis {
    plot::Axis axis;
    double scale = 1;
    std::string note;  // for the caption
};

TrainYAxis train_y_axis(const std::string & name, const std::vector<const TrainCurve *> & curves) {
    std::vector<double> ys;
    for (const TrainCurve * c : curves)
        for (const auto & p : c->points) ys.push_back(p.value);
    double mn = ys.empty() ? 0 : *std::min_element(ys.begin(), ys.end());
    double mx = ys.empty() ? 0 : *std::max_element(ys.begin(), ys.end());
    TrainYAxis y;
    if (is_accuracy_metric(name) && mn >= 0 && mx <= 1) {
        y.axis = plot::percent_axis(name + " (%)");
        y.scale = 100;
        y.note = " Stored as a fraction, drawn in percent.";
    } else if (is_loss_metric(name) && mn > 0 && mx / mn >= 30) {
        y.axis = plot::fit_log_axis(ys, name + " (log scale)");
        y.note = " Log scale.";
    } else {
        y.axis = plot::fit_linear_axis(ys, name);
    }
    return y;
}

std::string series_name(const TrainCurve & c) { return c.series.empty() ? "training" : c.series; }

FigureFile train_figure(int64_t run, const std::string & name, const std::vector<const TrainCurve *> & curves) {
    plot::Figure f;
    f.title = "run " + std::to_string(run) + " training: " + name;
    std::vector<double> xs;
    size_t stored = 0, drawn = 0;
    int64_t dropped = 0, last_step = 0;
    for (const TrainCurve * c : curves) {
        for (const auto & p : c->points) xs.push_back(static_cast<double>(p.step)), last_step = std::max(last_step, p.step);
        stored += c->points.size();
        dropped += c->dropped;
    }
    f.x = plot::fit_linear_axis(xs, "optimiser step");
    TrainYAxis y = train_y_axis(name, curves);
    f.y = y.axis;
    for (size_t i = 0; i < curves.size(); ++i) {
        plot::Series s;
        s.name = series_name(*curves[i]);
        s.kind = plot::SeriesKind::line;
        s.style.colour = plot::palette_colour(static_cast<int>(i));
        s.style.dash = i / plot::kPaletteSize % 2 ? "5 3" : "";
        s.style.markers = curves[i]->points.size() == 1;  // a lone point would draw nothing
        s.style.marker_size = 5;
        s.points = curve_points(*curves[i], y.scale);
        drawn += s.points.size();
        f.legend.push_back({"series", s.name, s.style, s.style.markers ? plot::LegendSymbol::marker : plot::LegendSymbol::line});
        f.series.push_back(std::move(s));
    }
    f.subtitle = std::to_string(curves.size()) + " series" + " \xC2\xB7 " + fmt::count(static_cast<int64_t>(stored)) +
                 " points \xC2\xB7 up to step " + fmt::count(last_step);
    std::string caption = "'" + name + "' as the trainer stored it in the results database (train_metrics), against the optimiser step; one line per "
                          "training series." + y.note;
    if (drawn < stored)
        caption += " Drawn: every k-th point and the last (" + fmt::count(static_cast<int64_t>(drawn)) + " of " +
                   fmt::count(static_cast<int64_t>(stored)) + "); the CSV and JSON exports hold all of them.";
    if (dropped > 0)
        caption += " " + fmt::count(dropped) + (dropped == 1 ? " non-finite value (NaN or infinite) is" : " non-finite values (NaN or infinite) are") +
                   " left out.";
    f.caption = caption;
    return {"figures/run" + std::to_string(run) + "_train_" + fmt::slug(name) + ".svg", "", "train",
            "Training curve of " + name + " in run " + std::to_string(run), caption, f};
}

// One figure per (run, metric), runs in report order, metrics loss, accuracies, rest.
std::vector<FigureFile> train_figures(const ReportData & data) {
    std::vector<FigureFile> out;
    for (const auto & r : data.runs) {
        std::vector<std::string> names;
        for (const auto & c : data.train_curves)
            if (c.run_id == r.id && std::find(names.begin(), names.end(), c.name) == names.end()) names.push_back(c.name);
        std::stable_sort(names.begin(), names.end(), [](const std::string & a, const std::string & b) {
            return std::make_pair(metric_rank(a), a) < std::make_pair(metric_rank(b), b);
        });
        for (const auto & name : names) {
            std::vector<const TrainCurve *> curves;
            for (const auto & c : data.train_curves)
                if (c.run_id == r.id && c.name == name && !c.points.empty()) curves.push_back(&c);
            if (curves.empty()) continue;
            FigureFile f = train_figure(r.id, name, curves);
            // Two names with the same slug ("a/b", "a_b") must not write one file.
            std::string stem = f.file_name.substr(0, f.file_name.size() - 4);
            for (int k = 2; std::any_of(out.begin(), out.end(), [&](const FigureFile & g) { return g.file_name == f.file_name; }); ++k)
                f.file_name = stem + "_" + std::to_string(k) + ".svg";
            out.push_back(std::move(f));
        }
    }
    return out;
}

}  // namespace

plot::Style solver_style(const ReportData & data, int64_t run_id, const std::string & solver) {
    std::vector<std::string> names;
    std::vector<int64_t> runs;
    for (const auto & s : data.solvers)
        if (std::find(names.begin(), names.end(), s.info.name) == names.end()) names.push_back(s.info.name);
    for (const auto & r : data.runs) runs.push_back(r.id);
    int name_index = static_cast<int>(std::find(names.begin(), names.end(), solver) - names.begin());
    int run_index = static_cast<int>(std::find(runs.begin(), runs.end(), run_id) - runs.begin());
    plot::Style st;
    st.colour = plot::palette_colour(name_index);
    st.marker = plot::marker_shape(name_index + 3 * run_index);
    st.marker_size = 9;
    if (run_index > 0) st.dash = run_index % 2 ? "5 3" : "2 2";  // its ACT-step curve, when it has one
    return st;
}

std::vector<FigureFile> build_figures(const ReportData & data) {
    std::vector<FigureFile> out;
    for (const auto & d : datasets_in_order(data)) {
        out.push_back(flops_figure(data, d));
        out.push_back(dollars_figure(data, d));
        out.push_back(params_figure(data, d));
    }
    for (auto & f : train_figures(data)) out.push_back(std::move(f));
    return out;
}

}  // namespace trmbench
