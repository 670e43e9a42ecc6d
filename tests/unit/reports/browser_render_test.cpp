// Figures rendered by a real browser: headless Chromium turns report SVGs into PNG screenshots,
// which are decoded here (PNG chunks, zlib inflate, scanline filters) and checked for content:
// enough non-white pixels, and pixels in the palette's colours (markers and curves were drawn).
// A white SVG of the same size is rendered too, to show that the check can tell a blank page.
//
// Needs the Debian package `chromium` (scripts/setup.sh installs it). Without it the test is
// skipped with a visible WARN naming the package (never a silent pass).
// TRMBENCH_KEEP_PNG=DIR keeps the screenshots there for a look.
#include <catch2/catch.hpp>

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <fstream>

#include "harness/core/paths.h"
#include "reports/collect.h"
#include "reports/figures.h"
#include "results/reader.h"
#include "tests/support/test_support.h"
#include "tests/unit/reports/fixture_db.h"

using namespace trmbench;
namespace fs = std::filesystem;
using trmbench::test::TempDir;

namespace {

struct Image {
    int width = 0, height = 0;
    std::vector<std::array<uint8_t, 3>> rgb;  // row-major
};

uint32_t be32(const std::string & s, size_t at) {
    return (uint32_t(uint8_t(s[at])) << 24) | (uint32_t(uint8_t(s[at + 1])) << 16) | (uint32_t(uint8_t(s[at + 2])) << 8) |
           uint32_t(uint8_t(s[at + 3]));
}

uint8_t paeth(int a, int b, int c) {
    int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
    return static_cast<uint8_t>(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
}

// Decodes an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes). Fails the test on
// anything else rather than guessing.
Image decode_png(const std::string & png) {
    REQUIRE(png.size() > 8);
    REQUIRE(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
    Image img;
    int depth = 0, colour = 0, interlace = 0;
    std::string idat;
    for (size_t at = 8; at + 12 <= png.size();) {
        uint32_t len = be32(png, at);
        std::string type = png.substr(at + 4, 4);
        REQUIRE(at + 12 + len <= png.size());
        if (type == "IHDR") {
            img.width = static_cast<int>(be32(png, at + 8));
            img.height = static_cast<int>(be32(png, at + 12));
            depth = uint8_t(png[at + 16]);
            colour = uint8_t(png[at + 17]);
            interlace = uint8_t(png[at + 20]);
        } else if (type == "IDAT") {
            idat += png.substr(at + 8, len);
        }
        at += 12 + len;
    }
    REQUIRE(depth == 8);
    REQUIRE((colour == 2 || colour == 6));
    REQUIRE(interlace == 0);
    const size_t bpp = colour == 6 ? 4 : 3, stride = bpp * static_cast<size_t>(img.width);
    std::vector<uint8_t> raw((stride + 1) * static_cast<size_t>(img.height));
    uLongf raw_len = raw.size();
    REQUIRE(uncompress(raw.data(), &raw_len, reinterpret_cast<const Bytef *>(idat.data()), idat.size()) == Z_OK);
    REQUIRE(raw_len == raw.size());
    std::vector<uint8_t> prev(stride, 0), cur(stride);
    img.rgb.reserve(static_cast<size_t>(img.width) * img.height);
    for (int y = 0; y < img.height; ++y) {
        const uint8_t * line = raw.data() + static_cast<size_t>(y) * (stride + 1);
        uint8_t filter = line[0];
        for (size_t i = 0; i < stride; ++i) {
            int a = i >= bpp ? cur[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0, x = line[1 + i];
            switch (filter) {
                case 0: cur[i] = static_cast<uint8_t>(x); break;
                case 1: cur[i] = static_cast<uint8_t>(x + a); break;
                case 2: cur[i] = static_cast<uint8_t>(x + b); break;
                case 3: cur[i] = static_cast<uint8_t>(x + (a + b) / 2); break;
                case 4: cur[i] = static_cast<uint8_t>(x + paeth(a, b, c)); break;
                default: FAIL("PNG filter type " << int(filter));
            }
        }
        for (int x = 0; x < img.width; ++x) {
            const uint8_t * p = cur.data() + static_cast<size_t>(x) * bpp;
            img.rgb.push_back({p[0], p[1], p[2]});
        }
        prev = cur;
    }
    return img;
}

struct PixelStats {
    double non_white = 0;  // fraction of pixels darker than near-white
    int64_t blue = 0;      // pixels close to the palette's first colour #0072B2 (trm-att)
    int64_t vermillion = 0;  // close to #D55E00 (gpt-5-high)
};

PixelStats stats(const Image & img) {
    PixelStats s;
    int64_t dark = 0;
    auto near = [](const std::array<uint8_t, 3> & p, int r, int g, int b) {
        return std::abs(p[0] - r) < 40 && std::abs(p[1] - g) < 40 && std::abs(p[2] - b) < 40;
    };
    for (const auto & p : img.rgb) {
        dark += p[0] < 245 || p[1] < 245 || p[2] < 245;
        s.blue += near(p, 0x00, 0x72, 0xB2);
        s.vermillion += near(p, 0xD5, 0x5E, 0x00);
    }
    s.non_white = img.rgb.empty() ? 0 : static_cast<double>(dark) / static_cast<double>(img.rgb.size());
    return s;
}

std::string chromium_binary() {
    for (const char * name : {"chromium", "chromium-browser"}) {
        std::string out;
        if (trmbench::test::run_command(std::string("command -v ") + name, out) == 0 && !out.empty()) return name;
    }
    return "";
}

// Screenshot of `svg` at (w x h) CSS pixels; returns the PNG bytes.
std::string screenshot(const std::string & chromium, const fs::path & svg, int w, int h, const TempDir & dir) {
    fs::path png = svg;
    png.replace_extension(".png");
    std::string cmd = "timeout 120 " + chromium + " --headless --disable-gpu --no-sandbox --hide-scrollbars --user-data-dir=" +
                      (dir / "chromium-profile").string() + " --window-size=" + std::to_string(w) + "," + std::to_string(h) +
                      " --screenshot=" + png.string() + " file://" + svg.string();
    std::string out;
    int rc = trmbench::test::run_command(cmd, out);
    INFO(cmd << "\n" << out);
    REQUIRE(rc == 0);
    REQUIRE(fs::exists(png));
    if (auto keep = env("TRMBENCH_KEEP_PNG")) {
        fs::create_directories(*keep);
        fs::copy_file(png, fs::path(*keep) / png.filename(), fs::copy_options::overwrite_existing);
    }
    return read_file(png);
}

}  // namespace

TEST_CASE("report figures render in headless Chromium", "[reports][browser]") {
    std::string chromium = chromium_binary();
    if (chromium.empty()) {
        WARN("SKIPPED: chromium not found, so the report figures were not rendered in a real browser. Install it with "
             "`apt-get install -y chromium` (scripts/setup.sh lists it).");
        return;
    }
    TempDir dir;
    test::fixture::build(dir / "results.db");
    ResultsReader reader(dir / "results.db");
    ReportData data = collect_report(reader, {1}, {});
    auto figures = build_figures(data);
    REQUIRE(!figures.empty());
    auto r = plot::render(figures.front().figure);  // Sudoku: accuracy vs FLOPs
    const int w = static_cast<int>(std::ceil(r.width)), h = static_cast<int>(std::ceil(r.height));
    write_file_atomic(dir / "figure.svg", r.svg);
    Image img = decode_png(screenshot(chromium, dir / "figure.svg", w, h, dir));
    CHECK(img.width == w);
    CHECK(img.height == h);
    PixelStats s = stats(img);
    INFO("non-white " << s.non_white << ", blue " << s.blue << ", vermillion " << s.vermillion);
    CHECK(s.non_white > 0.03);   // text, axes, grid, markers: a few percent of the page
    CHECK(s.non_white < 0.5);    // but a white page, not a black box
    CHECK(s.blue > 40);          // trm-att's marker, error bar and ACT-step curve
    CHECK(s.vermillion > 20);    // gpt-5-high's marker and error bar

    // The same size of white: the check above must be able to fail.
    write_file_atomic(dir / "blank.svg", "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(w) +
                                              "\" height=\"" + std::to_string(h) + "\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/></svg>");
    Image blank = decode_png(screenshot(chromium, dir / "blank.svg", w, h, dir));
    PixelStats b = stats(blank);
    CHECK(b.non_white < 0.001);
    CHECK(b.blue == 0);

    // A training-curve figure (loss of two series on a log axis): both lines are drawn.
    auto loss = std::find_if(figures.begin(), figures.end(), [](const FigureFile & f) { return f.kind == "train"; });
    REQUIRE(loss != figures.end());
    auto lr = plot::render(loss->figure);
    write_file_atomic(dir / "train_loss.svg", lr.svg);
    const int lw = static_cast<int>(std::ceil(lr.width)), lh = static_cast<int>(std::ceil(lr.height));
    Image limg = decode_png(screenshot(chromium, dir / "train_loss.svg", lw, lh, dir));
    PixelStats ls = stats(limg);
    INFO("training: non-white " << ls.non_white << ", blue " << ls.blue << ", vermillion " << ls.vermillion);
    CHECK(ls.non_white > 0.03);
    CHECK(ls.non_white < 0.5);
    CHECK(ls.blue > 40);        // trm-att's loss line (palette colour 0)
    CHECK(ls.vermillion > 40);  // trm-mlp's loss line (palette colour 1)
}
