// Encoding of ARC grids onto the 30x30 token canvas and cropping predictions back (arc_canvas.h).
#include "tasks/arc/arc_canvas.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace trmbench {

std::vector<int32_t> encode_arc_canvas(const Grid & g, CanvasOffset offset) {
    const int h = g.rows, w = g.cols;
    if (h < 1 || w < 1 || g.size() != static_cast<size_t>(h) * static_cast<size_t>(w))
        throw std::invalid_argument("encode_arc_canvas: empty or inconsistent grid");
    if (offset.row < 0 || offset.col < 0 || offset.row + h > kArcCanvas || offset.col + w > kArcCanvas)
        throw std::invalid_argument("encode_arc_canvas: " + std::to_string(h) + "x" + std::to_string(w) +
                                    " grid at offset (" + std::to_string(offset.row) + "," +
                                    std::to_string(offset.col) + ") does not fit the 30x30 canvas");
    std::vector<int32_t> tokens(kArcSeqLen, kArcPad);
    auto cell = [&tokens](int r, int c) -> int32_t & { return tokens[static_cast<size_t>(r * kArcCanvas + c)]; };
    for (int r = 0; r < h; ++r)
        for (int c = 0; c < w; ++c) {
            uint8_t v = g.at(r, c);
            if (v > 9) throw std::invalid_argument("encode_arc_canvas: cell value " + std::to_string(v) + " is not a colour 0..9");
            cell(offset.row + r, offset.col + c) = v + kArcColourOffset;
        }
    const int eos_row = offset.row + h, eos_col = offset.col + w;
    if (eos_row < kArcCanvas)
        for (int c = offset.col; c < eos_col; ++c) cell(eos_row, c) = kArcEos;
    if (eos_col < kArcCanvas)
        for (int r = offset.row; r < eos_row; ++r) cell(r, eos_col) = kArcEos;
    return tokens;
}

Grid crop_arc_canvas(std::span<const int32_t> tokens) {
    if (tokens.size() != static_cast<size_t>(kArcSeqLen)) return Grid();
    auto is_colour = [](int32_t t) { return t >= kArcColourOffset && t <= kArcColourOffset + 9; };
    // Walk rows top-down; each row can only shrink the usable width. Keep the first largest area.
    int col_limit = kArcCanvas, best_area = 0, best_rows = 0, best_cols = 0;
    for (int rows = 1; rows <= kArcCanvas; ++rows) {
        const int32_t * row = tokens.data() + static_cast<size_t>(rows - 1) * kArcCanvas;
        for (int c = 0; c < col_limit; ++c)
            if (!is_colour(row[c])) {
                col_limit = c;
                break;
            }
        if (rows * col_limit > best_area) {
            best_area = rows * col_limit;
            best_rows = rows;
            best_cols = col_limit;
        }
    }
    Grid out(best_rows, best_cols);
    for (int r = 0; r < best_rows; ++r)
        for (int c = 0; c < best_cols; ++c)
            out.at(r, c) = static_cast<uint8_t>(tokens[static_cast<size_t>(r * kArcCanvas + c)] - kArcColourOffset);
    return out;
}

std::optional<Grid> decode_arc_prediction(std::span<const int32_t> tokens, const ArcAugmentation & aug) {
    Grid g = crop_arc_canvas(tokens);
    if (g.empty()) return std::nullopt;
    return invert_augmentation(g, aug);
}

CanvasOffset random_translation(const Grid & input, const Grid & output, Rng & rng) {
    const int max_h = std::max(input.rows, output.rows), max_w = std::max(input.cols, output.cols);
    CanvasOffset o;
    o.row = static_cast<int>(rng.uniform(0, std::max(0, kArcCanvas - max_h)));
    o.col = static_cast<int>(rng.uniform(0, std::max(0, kArcCanvas - max_w)));
    return o;
}

std::vector<CanvasOffset> translation_offsets(std::span<const std::pair<Grid, Grid>> examples, Rng & rng,
                                              bool translate) {
    std::vector<CanvasOffset> offsets(examples.size());
    if (!translate || examples.empty()) return offsets;
    const size_t fixed = static_cast<size_t>(rng.below(examples.size()));
    for (size_t i = 0; i < examples.size(); ++i)
        if (i != fixed) offsets[i] = random_translation(examples[i].first, examples[i].second, rng);
    return offsets;
}

}  // namespace trmbench
