// svg: see svg.h.
#include "reports/svg.h"

#include <cmath>
#include <cstdio>

namespace trmbench::svg {
namespace {

constexpr const char * kFontFamily = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif";
constexpr const char * kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not valid.
size_t utf8_sequence_length(std::string_view s, size_t i) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = byte(i);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1Fu) : n == 3 ? (c & 0x0Fu) : (c & 0x07u);
    for (size_t k = 1; k < n; ++k) {
        if ((byte(i + k) >> 6) != 0x2) return 0;
        cp = (cp << 6) | (byte(i + k) & 0x3Fu);
    }
    // Overlong forms, surrogates and values above U+10FFFF are not valid UTF-8.
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return 0;
    // U+FFFE and U+FFFF are not XML characters.
    if (cp == 0xFFFE || cp == 0xFFFF) return 0;
    return n;
}

const char * anchor_name(Anchor a) {
    switch (a) {
        case Anchor::middle: return "middle";
        case Anchor::end: return "end";
        default: return "start";
    }
}

std::string stroke_attributes(const StrokeStyle & s) {
    std::string out = " stroke=\"" + escape(s.colour) + "\" stroke-width=\"" + num(s.width) + "\" fill=\"" + escape(s.fill) + "\"";
    if (!s.dash.empty()) out += " stroke-dasharray=\"" + escape(s.dash) + "\"";
    if (s.opacity < 1) out += " opacity=\"" + num(s.opacity) + "\"";
    return out;
}

std::string text_attributes(double x, double y, const TextStyle & t) {
    std::string out = " x=\"" + num(x) + "\" y=\"" + num(y) + "\" font-size=\"" + num(t.size) + "\" fill=\"" + escape(t.colour) + "\"";
    if (t.anchor != Anchor::start) out += std::string(" text-anchor=\"") + anchor_name(t.anchor) + "\"";
    if (t.bold) out += " font-weight=\"bold\"";
    if (t.italic) out += " font-style=\"italic\"";
    if (t.rotate != 0) out += " transform=\"rotate(" + num(t.rotate) + " " + num(x) + " " + num(y) + ")\"";
    return out;
}

std::string points_attribute(const std::vector<std::pair<double, double>> & points) {
    std::string out;
    for (const auto & [x, y] : points) {
        if (!out.empty()) out += ' ';
        out += num(x) + "," + num(y);
    }
    return out;
}

}  // namespace

std::string escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        char c = text[i];
        size_t n = utf8_sequence_length(text, i);
        if (n == 0) {
            out += kReplacement;
            ++i;
            continue;
        }
        if (n > 1) {
            out.append(text.substr(i, n));
            i += n;
            continue;
        }
        ++i;
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') out += kReplacement;
                else out += c;
        }
    }
    return out;
}

std::string num(double v) {
    if (!std::isfinite(v)) return "0";
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    std::string s = buf;
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    if (s == "-0") s = "0";
    return s;
}

double text_width(std::string_view text, double font_size) {
    // Per character: narrow glyphs ~0.35 em, capitals and digits ~0.68 em in DejaVu Sans (the
    // widest of the fonts listed); a UTF-8 sequence counts as one wide glyph.
    double em = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        if ((c & 0xC0) == 0x80) continue;  // continuation byte
        if (c >= 0x80) em += 0.8;
        else if (c == ' ' || c == '.' || c == ',' || c == ':' || c == ';' || c == 'i' || c == 'l' || c == 'j' || c == '|' ||
                 c == '!' || c == '\'' || c == '(' || c == ')' || c == '[' || c == ']' || c == 'f' || c == 't' || c == 'r')
            em += 0.38;
        else if ((c >= 'A' && c <= 'Z') || c == 'm' || c == 'w' || c == '@' || c == '%' || c == '#')
            em += 0.78;
        else em += 0.64;
    }
    return em * font_size;
}

std::vector<std::string> wrap(std::string_view text, size_t max_chars) {
    std::vector<std::string> lines;
    std::string line;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && text[i] == ' ') ++i;
        size_t j = i;
        while (j < text.size() && text[j] != ' ') ++j;
        std::string_view word = text.substr(i, j - i);
        i = j;
        if (word.empty()) continue;
        if (!line.empty() && line.size() + 1 + word.size() > max_chars) {
            lines.push_back(line);
            line.clear();
        }
        if (!line.empty()) line += ' ';
        line += word;
    }
    if (!line.empty()) lines.push_back(line);
    return lines;
}

Document::Document(double width, double height, std::string_view title) : width_(width), height_(height), title_(title) {}

void Document::rect(double x, double y, double w, double h, const StrokeStyle & s) {
    body_ += "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(std::max(0.0, w)) + "\" height=\"" +
             num(std::max(0.0, h)) + "\"" + stroke_attributes(s) + "/>\n";
}

void Document::line(double x1, double y1, double x2, double y2, const StrokeStyle & s) {
    body_ += "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" + num(y2) + "\"" +
             stroke_attributes(s) + "/>\n";
}

void Document::polyline(const std::vector<std::pair<double, double>> & points, const StrokeStyle & s) {
    if (points.size() < 2) return;
    body_ += "<polyline points=\"" + points_attribute(points) + "\"" + stroke_attributes(s) +
             " stroke-linejoin=\"round\"/>\n";
}

void Document::polygon(const std::vector<std::pair<double, double>> & points, const StrokeStyle & s) {
    if (points.size() < 3) return;
    body_ += "<polygon points=\"" + points_attribute(points) + "\"" + stroke_attributes(s) + " stroke-linejoin=\"round\"/>\n";
}

void Document::circle(double cx, double cy, double r, const StrokeStyle & s) {
    body_ += "<circle cx=\"" + num(cx) + "\" cy=\"" + num(cy) + "\" r=\"" + num(r) + "\"" + stroke_attributes(s) + "/>\n";
}

void Document::text(double x, double y, std::string_view content, const TextStyle & t) {
    body_ += "<text" + text_attributes(x, y, t) + ">" + escape(content) + "</text>\n";
}

void Document::text_with_superscript(double x, double y, std::string_view content, const TextStyle & t) {
    size_t caret = content.find('^');
    if (caret == std::string_view::npos) return text(x, y, content, t);
    // The exponent is a smaller tspan raised by 40% of the font size; the next tspan (none here)
    // would have to come back down, so the exponent is always the tail of the label.
    body_ += "<text" + text_attributes(x, y, t) + ">" + escape(content.substr(0, caret)) + "<tspan dy=\"" + num(-0.4 * t.size) +
             "\" font-size=\"" + num(0.75 * t.size) + "\">" + escape(content.substr(caret + 1)) + "</tspan></text>\n";
}

void Document::begin_group(std::string_view id_or_class) {
    body_ += "<g class=\"" + escape(id_or_class) + "\">\n";
    ++open_groups_;
}

void Document::end_group() {
    if (open_groups_ == 0) return;
    body_ += "</g>\n";
    --open_groups_;
}

void Document::comment(std::string_view text) {
    // "--" may not appear inside an XML comment.
    std::string safe = escape(text);
    for (size_t p; (p = safe.find("--")) != std::string::npos;) safe.replace(p, 2, "- -");
    body_ += "<!-- " + safe + " -->\n";
}

std::string Document::str() const {
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + num(width_) + "\" height=\"" + num(height_) +
           "\" viewBox=\"0 0 " + num(width_) + " " + num(height_) + "\" font-family=\"" + kFontFamily + "\">\n";
    out += "<title>" + escape(title_) + "</title>\n";
    out += "<rect x=\"0\" y=\"0\" width=\"" + num(width_) + "\" height=\"" + num(height_) + "\" fill=\"#ffffff\"/>\n";
    out += body_;
    for (int i = 0; i < open_groups_; ++i) out += "</g>\n";
    out += "</svg>\n";
    return out;
}

}  // namespace trmbench::svg
