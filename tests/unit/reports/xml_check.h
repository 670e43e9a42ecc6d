// A tiny XML well-formedness checker for the SVG tests (no XML library is a dependency).
//
// Checks what a browser's XML parser would reject in our output: a missing or second root element,
// unbalanced or misnested tags, unquoted or duplicate attributes, '<' in attribute values, raw '&'
// outside a valid entity reference, "--" inside comments, and invalid UTF-8. Not a validating parser
// (no DTDs, no namespaces check), which SVG files written by reports/ never use.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace trmbench::test {

struct XmlElementCount {
    std::string name;
    int count = 0;
};

class XmlChecker {
public:
    // Returns "" when `text` is well-formed, else the first problem with its byte offset.
    std::string check(std::string_view text) {
        s_ = text;
        i_ = 0;
        stack_.clear();
        elements_.clear();
        roots_ = 0;
        try {
            if (!valid_utf8()) return "invalid UTF-8";
            skip_ws();
            if (starts("<?xml")) skip_past("?>");
            while (i_ < s_.size()) step();
            if (!stack_.empty()) return "unclosed element <" + stack_.back() + ">";
            if (roots_ != 1) return "expected one root element, found " + std::to_string(roots_);
        } catch (const std::string & e) {
            return e + " at offset " + std::to_string(i_);
        }
        return "";
    }

    // Elements seen in the last check(), by name (e.g. count of "circle").
    int count(const std::string & name) const {
        int n = 0;
        for (const auto & e : elements_) n += e == name;
        return n;
    }
    // Text content of every element seen, in order (entities decoded for &lt; &gt; &amp; only).
    const std::vector<std::string> & texts() const { return texts_; }

private:
    bool starts(std::string_view p) const { return s_.substr(i_, p.size()) == p; }
    void skip_ws() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
    }
    void skip_past(std::string_view end) {
        size_t p = s_.find(end, i_);
        if (p == std::string_view::npos) throw std::string("unterminated construct");
        i_ = p + end.size();
    }
    static bool name_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == ':' || c == '.';
    }
    std::string name() {
        size_t b = i_;
        while (i_ < s_.size() && name_char(s_[i_])) ++i_;
        if (i_ == b) throw std::string("expected a name");
        return std::string(s_.substr(b, i_ - b));
    }
    void entity() {  // at '&'
        size_t semi = s_.find(';', i_);
        if (semi == std::string_view::npos || semi - i_ > 10) throw std::string("raw '&'");
        std::string_view ref = s_.substr(i_ + 1, semi - i_ - 1);
        static const std::set<std::string_view> named = {"amp", "lt", "gt", "quot", "apos"};
        bool ok = named.count(ref) > 0;
        if (!ok && ref.size() > 1 && ref[0] == '#') {
            ok = true;
            bool hex = ref[1] == 'x';
            for (size_t k = hex ? 2 : 1; k < ref.size(); ++k) {
                char c = ref[k];
                ok &= (c >= '0' && c <= '9') || (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
            }
            ok &= ref.size() > (hex ? 2u : 1u);
        }
        if (!ok) throw std::string("bad entity &" + std::string(ref) + ";");
        i_ = semi + 1;
    }
    void step() {
        if (s_[i_] != '<') {
            std::string text;
            while (i_ < s_.size() && s_[i_] != '<') {
                if (s_[i_] == '&') {
                    size_t b = i_;
                    entity();
                    std::string_view ref = s_.substr(b, i_ - b);
                    text += ref == "&lt;" ? "<" : ref == "&gt;" ? ">" : ref == "&amp;" ? "&" : std::string(ref);
                    continue;
                }
                if (stack_.empty() && !(s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t'))
                    throw std::string("text outside the root element");
                text += s_[i_++];
            }
            if (!stack_.empty() && !text.empty()) texts_.push_back(text);
            return;
        }
        if (starts("<!--")) {
            size_t end = s_.find("-->", i_ + 4);
            if (end == std::string_view::npos) throw std::string("unterminated comment");
            if (s_.substr(i_ + 4, end - i_ - 4).find("--") != std::string_view::npos) throw std::string("'--' inside a comment");
            i_ = end + 3;
            return;
        }
        if (starts("<?")) throw std::string("processing instruction after the prolog");
        if (starts("</")) {
            i_ += 2;
            std::string n = name();
            skip_ws();
            if (i_ >= s_.size() || s_[i_] != '>') throw std::string("expected '>'");
            ++i_;
            if (stack_.empty() || stack_.back() != n) throw std::string("mismatched </" + n + ">");
            stack_.pop_back();
            return;
        }
        ++i_;
        std::string n = name();
        if (stack_.empty()) ++roots_;
        elements_.push_back(n);
        std::set<std::string> attrs;
        while (true) {
            skip_ws();
            if (i_ >= s_.size()) throw std::string("unterminated tag <" + n + ">");
            if (starts("/>")) {
                i_ += 2;
                return;
            }
            if (s_[i_] == '>') {
                ++i_;
                stack_.push_back(n);
                return;
            }
            std::string a = name();
            if (!attrs.insert(a).second) throw std::string("duplicate attribute " + a);
            skip_ws();
            if (i_ >= s_.size() || s_[i_] != '=') throw std::string("attribute without '='");
            ++i_;
            skip_ws();
            if (i_ >= s_.size() || (s_[i_] != '"' && s_[i_] != '\'')) throw std::string("unquoted attribute " + a);
            char q = s_[i_++];
            while (i_ < s_.size() && s_[i_] != q) {
                if (s_[i_] == '<') throw std::string("'<' in attribute " + a);
                if (s_[i_] == '&') entity();
                else ++i_;
            }
            if (i_ >= s_.size()) throw std::string("unterminated attribute " + a);
            ++i_;
        }
    }
    bool valid_utf8() const {
        for (size_t k = 0; k < s_.size();) {
            unsigned char c = static_cast<unsigned char>(s_[k]);
            size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
            if (n == 0 || k + n > s_.size()) return false;
            for (size_t j = 1; j < n; ++j)
                if ((static_cast<unsigned char>(s_[k + j]) >> 6) != 2) return false;
            if (n == 1 && c < 0x20 && c != '\n' && c != '\r' && c != '\t') return false;
            k += n;
        }
        return true;
    }

    std::string_view s_;
    size_t i_ = 0;
    std::vector<std::string> stack_;
    std::vector<std::string> elements_;
    std::vector<std::string> texts_;
    int roots_ = 0;
};

}  // namespace trmbench::test
