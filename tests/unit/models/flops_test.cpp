// Analytic FLOPs against hand arithmetic for small configs (every product written out below), and
// the block-application count against the recursion code that actually runs.
#include "tests/support/torch_catch.h"

#include "harness/core/error.h"
#include "models/flops.h"
#include "models/presets.h"
#include "models/recursion.h"

using namespace trmbench;

namespace {

// The fixture-sized TRM-Att: D 64, 2 heads (hd 32), expansion 4, L 81, P 4 (S 85), V 11,
// H_cycles 2, L_cycles 2, L_layers 2, 4 ACT steps.
ModelConfig small_trm_att() {
    ModelConfig c;
    c.family = ModelFamily::trm;
    c.seq_len = 81;
    c.vocab_size = 11;
    c.num_puzzle_identifiers = 5;
    c.puzzle_emb_ndim = 64;
    c.puzzle_emb_len = 4;
    c.H_cycles = 2;
    c.L_cycles = 2;
    c.L_layers = 2;
    c.hidden_size = 64;
    c.num_heads = 2;
    c.expansion = 4;
    c.halt_max_steps = 4;
    return c;
}

}  // namespace

TEST_CASE("FLOPs of a small TRM-Att match the hand computation", "[models][flops]") {
    const ModelConfig c = small_trm_att();
    // SwiGLU width: round(4·64·2/3) = round(170.67) = 171 -> next multiple of 256 = 256.
    REQUIRE(channel_inter(c) == 256);
    REQUIRE(total_seq_len(c) == 85);
    // One block, one sequence (S 85, D 64, I 256):
    //   qkv     2·85·64·192            = 2,088,960
    //   o       2·85·64·64             =   696,320   -> attention_proj 2,785,280
    //   Q·Kᵀ    2·85·85·64             =   924,800
    //   P·V     2·85·85·64             =   924,800   -> attention_core 1,849,600
    //   gate_up 2·85·64·512            = 5,570,560
    //   down    2·85·256·64            = 2,785,280   -> channel_mlp   8,355,840
    //   block total                                       12,990,720
    const FlopBreakdown b = block_flops(c);
    CHECK(b.attention_proj == 2088960 + 696320);
    CHECK(b.attention_core == 924800 + 924800);
    CHECK(b.channel_mlp == 5570560 + 2785280);
    CHECK(b.token_mixer == 0);
    CHECK(b.heads == 0);
    CHECK(b.total() == 12990720);
    // Blocks per ACT step: H_cycles·(L_cycles + 1)·L_layers = 2·3·2 = 12.
    CHECK(blocks_per_act_step(c) == 12);
    // Heads: lm_head on all 85 positions 2·85·64·11 = 119,680; q_head 2·64·2 = 256.
    const FlopBreakdown s = act_step_flops(c);
    CHECK(s.heads == 119680 + 256);
    // Step: 12 · 12,990,720 + 119,936 = 155,888,640 + 119,936 = 156,008,576.
    CHECK(s.total() == 156008576);
    CHECK(flops_per_act_step(c) == 156008576);
    // Puzzle: 4 steps -> 624,034,304; 3 steps run -> 468,025,728; 10 ARC-style sequences x 4 steps.
    CHECK(flops_per_puzzle(c) == 624034304.0);
    CHECK(flops_per_puzzle(c, 3) == 468025728.0);
    CHECK(flops_per_puzzle(c, -1, 10) == 6240343040.0);
}

TEST_CASE("FLOPs of a small HRM and a small TRM-MLP match the hand computation", "[models][flops]") {
    SECTION("HRM: two levels, P = ceil(64/64) = 1, S = 82") {
        ModelConfig c = small_trm_att();
        c.family = ModelFamily::hrm;
        c.H_layers = 2;
        c.puzzle_emb_len = 0;
        REQUIRE(total_seq_len(c) == 82);
        // Block (S 82): qkv 2·82·64·192 = 2,015,232; o 2·82·64·64 = 671,744;
        // Q·Kᵀ = P·V = 2·82·82·64 = 860,672 each; gate_up 2·82·64·512 = 5,373,952; down 2·82·256·64 = 2,686,976.
        const FlopBreakdown b = block_flops(c);
        CHECK(b.attention_proj == 2015232 + 671744);
        CHECK(b.attention_core == 2 * 860672);
        CHECK(b.channel_mlp == 5373952 + 2686976);
        CHECK(b.total() == 12469248);
        // Blocks per step: H·L·L_layers + H·H_layers = 2·2·2 + 2·2 = 12.
        CHECK(blocks_per_act_step(c) == 12);
        // Step: 12 · 12,469,248 + lm_head 2·82·64·11 (115,456) + q_head 256 = 149,746,688.
        CHECK(flops_per_act_step(c) == 149746688);
    }
    SECTION("TRM-MLP: the token mixer replaces attention") {
        ModelConfig c = small_trm_att();
        c.mlp_t = true;
        c.pos_encodings = PosEncoding::none;
        // Token-mixer width: round(4·85·2/3) = round(226.67) = 227 -> 256.
        REQUIRE(token_inter(c) == 256);
        // Token mixer on the transposed [D, S] rows: gate_up 2·64·85·512 = 5,570,560; down 2·64·256·85 = 2,785,280.
        const FlopBreakdown b = block_flops(c);
        CHECK(b.attention_proj == 0);
        CHECK(b.attention_core == 0);
        CHECK(b.token_mixer == 5570560 + 2785280);
        CHECK(b.channel_mlp == 8355840);
        // Step: 12 · 16,711,680 + 119,936 = 200,660,096.
        CHECK(flops_per_act_step(c) == 200660096);
    }
}

TEST_CASE("FLOPs count every block application the recursion code makes", "[models][flops]") {
    // The schedules in recursion.cpp, run with a counting level function.
    for (const auto & [H, L] : {std::pair<int64_t, int64_t>{3, 6}, {3, 4}, {2, 2}, {1, 1}, {4, 3}}) {
        ModelConfig c = small_trm_att();
        c.H_cycles = H;
        c.L_cycles = L;
        c.L_layers = 2;
        int64_t l_calls = 0, h_calls = 0;
        const at::Tensor z = at::zeros({1});
        LevelFn l_fn = [&](const at::Tensor & h, const at::Tensor &) { ++l_calls; return h; };
        LevelFn h_fn = [&](const at::Tensor & h, const at::Tensor &) { ++h_calls; return h; };
        trm_recursion({z, z}, z, H, L, l_fn);
        CHECK(blocks_per_act_step(c) == l_calls * c.L_layers);

        c.family = ModelFamily::hrm;
        c.H_layers = 3;
        c.puzzle_emb_len = 0;
        l_calls = h_calls = 0;
        hrm_recursion({z, z}, z, H, L, h_fn, l_fn);
        CHECK(blocks_per_act_step(c) == l_calls * c.L_layers + h_calls * c.H_layers);
    }
}

TEST_CASE("FLOPs of the paper presets: attention share and per-puzzle totals", "[models][flops]") {
    // TRM-Att Sudoku: S 97, D 512, I 1536; per block 6SD² (qkv) + 2SD² (o) + 4S²D + 6SDI.
    const ModelConfig att = load_preset("trm-att-sudoku");
    const int64_t S = 97, D = 512, I = 1536;
    CHECK(block_flops(att).total() == 6 * S * D * D + 2 * S * D * D + 4 * S * S * D + 6 * S * D * I);
    CHECK(blocks_per_act_step(att) == 3 * 7 * 2);  // T(n+1) = 21 applications of 2 blocks
    // HRM Sudoku: 2·2 L applications and 2 H applications of 4 blocks each.
    CHECK(blocks_per_act_step(load_preset("hrm-sudoku")) == 2 * 2 * 4 + 2 * 4);
    // TRM-Att ARC (n = 4): 3·5·2 blocks, S 916: attention's S² terms matter there.
    const ModelConfig arc = load_preset("trm-att-arc");
    CHECK(blocks_per_act_step(arc) == 30);
    const FlopBreakdown b = block_flops(arc);
    CHECK(b.attention_core == 4 * int64_t{916} * 916 * 512);
    CHECK(static_cast<double>(b.attention_core) / static_cast<double>(b.total()) > 0.2);
    for (const auto & name : preset_names()) {
        const ModelConfig c = load_preset(name);
        INFO(name);
        // Evaluation runs every ACT step: 16 for the paper presets, 4 (Sudoku) or 6 (10x10 mazes) for the small CPU ones.
        const bool cpu = name.find("-cpu-") != std::string::npos;
        CHECK(c.halt_max_steps == (!cpu ? 16 : name.find("maze") != std::string::npos ? 6 : 4));
        CHECK(flops_per_puzzle(c) == static_cast<double>(flops_per_act_step(c)) * static_cast<double>(c.halt_max_steps));
        CHECK(flops_per_act_step(c) > 0);
    }
}

TEST_CASE("FLOPs of an absurd config are an error, not an overflow", "[models][flops]") {
    ModelConfig c = small_trm_att();
    c.H_cycles = int64_t{1} << 16;
    c.L_cycles = int64_t{1} << 16;
    c.L_layers = int64_t{1} << 12;
    c.hidden_size = 4096;
    c.num_heads = 64;
    CHECK_THROWS_AS(flops_per_act_step(c), UsageError);
}
