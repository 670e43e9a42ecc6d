// svg: a minimal writer for hand-made SVG documents (no dependencies).
//
// Every piece of text that reaches the document goes through escape(), so labels taken from the
// database (solver names, dataset names) can never break the XML. Coordinates are written with a
// fixed small number of decimals so that the same figure renders to the same bytes on any machine
// (golden tests compare report text, and figure files are referenced from it).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace trmbench::svg {

// XML text and attribute escaping: & < > " ' become entities; control characters other than tab,
// newline and carriage return (not allowed in XML 1.0) become U+FFFD; invalid UTF-8 bytes too.
std::string escape(std::string_view text);

// A coordinate or length: at most two decimals, no trailing zeros, "-0" printed as "0".
std::string num(double v);

// Estimated width in pixels of `text` in the document's sans-serif font at `font_size`. An upper
// bound for ASCII (labels are placed with it, so it errs on the wide side).
double text_width(std::string_view text, double font_size);

// Greedy word wrap to lines of at most `max_chars` characters (a longer word gets its own line).
std::vector<std::string> wrap(std::string_view text, size_t max_chars);

enum class Anchor { start, middle, end };

struct TextStyle {
    double size = 12;
    Anchor anchor = Anchor::start;
    bool bold = false;
    bool italic = false;
    std::string colour = "#222222";
    double rotate = 0;  // degrees, around the anchor point
};

struct StrokeStyle {
    std::string colour = "#000000";
    double width = 1;
    std::string dash;        // SVG dash array, e.g. "4 3"; empty: solid
    std::string fill = "none";
    double opacity = 1;
};

class Document {
public:
    Document(double width, double height, std::string_view title);

    double width() const { return width_; }
    double height() const { return height_; }

    void rect(double x, double y, double w, double h, const StrokeStyle & s);
    void line(double x1, double y1, double x2, double y2, const StrokeStyle & s);
    void polyline(const std::vector<std::pair<double, double>> & points, const StrokeStyle & s);
    void polygon(const std::vector<std::pair<double, double>> & points, const StrokeStyle & s);
    void circle(double cx, double cy, double r, const StrokeStyle & s);
    // Plain text, escaped.
    void text(double x, double y, std::string_view content, const TextStyle & t);
    // Text whose "^" part is raised: "10^12" draws 10 with a superscript 12 (tick labels).
    void text_with_superscript(double x, double y, std::string_view content, const TextStyle & t);
    // Groups (e.g. one per series) so that the SVG is navigable in an inspector.
    void begin_group(std::string_view id_or_class);
    void end_group();
    void comment(std::string_view text);

    // The finished document: XML declaration, <svg> with viewBox, white background, content.
    std::string str() const;

private:
    double width_, height_;
    std::string title_;
    std::string body_;
    int open_groups_ = 0;
};

}  // namespace trmbench::svg
