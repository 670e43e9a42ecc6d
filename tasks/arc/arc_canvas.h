// The reference TRM/HRM token layout of an ARC grid (spec §3.4), and its inverse for predictions.
//
//   30x30 canvas, PAD 0, EOS 1, colour c -> token c+2 (vocab 12). The grid sits at offset (r0, c0);
//   EOS fills the row just below it (columns c0..c0+w-1) when that row exists and the column just
//   right of it (rows r0..r0+h-1) when that column exists; the corner cell stays PAD. Flattened
//   row-major to 900 tokens.
//
// Translation augmentation (training split only) moves input and output of one example by the same
// random offset; evaluation always uses (0, 0). Decoding a prediction is the reference `_crop`
// (largest top-left rectangle of colour tokens), then the inverse augmentation.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "harness/core/grid.h"
#include "harness/core/rng.h"
#include "tasks/arc/arc_augment.h"

namespace trmbench {

constexpr int kArcCanvas = 30;                       // side of the canvas
constexpr int kArcSeqLen = kArcCanvas * kArcCanvas;  // 900 tokens
constexpr int kArcVocab = 12;
constexpr int32_t kArcPad = 0;
constexpr int32_t kArcEos = 1;
constexpr int32_t kArcColourOffset = 2;  // colour c -> token c + 2

struct CanvasOffset {
    int row = 0;
    int col = 0;
    bool operator==(const CanvasOffset &) const = default;
};

// 900 tokens. Throws std::invalid_argument when the grid is empty, larger than the canvas at that
// offset, or holds a value above 9 (callers pass validated grids; this guards programming errors).
std::vector<int32_t> encode_arc_canvas(const Grid & g, CanvasOffset offset = {});

// The reference `_crop`: the largest rectangle anchored at the top-left corner whose cells are all
// colour tokens (2..11), found row by row with a shrinking column limit; tokens minus 2. Returns an
// empty grid when the sequence is not 900 tokens or the top-left token is not a colour.
Grid crop_arc_canvas(std::span<const int32_t> tokens);

// Crop, then undo the augmentation; nullopt when the crop is empty.
std::optional<Grid> decode_arc_prediction(std::span<const int32_t> tokens, const ArcAugmentation & aug = {});

// A translation for one (input, output) pair: row offset uniform in [0, 30 - max(h_in, h_out)] and
// column offset uniform in [0, 30 - max(w_in, w_out)], drawn in that order.
CanvasOffset random_translation(const Grid & input, const Grid & output, Rng & rng);

// Offsets for all examples of one puzzle (variant): one example, chosen uniformly first, keeps
// (0, 0); every other example gets random_translation. With translate == false all are (0, 0)
// and no random number is drawn (the test split).
std::vector<CanvasOffset> translation_offsets(std::span<const std::pair<Grid, Grid>> examples, Rng & rng,
                                              bool translate = true);

}  // namespace trmbench
