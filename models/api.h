// The torch-free face of models/ for the CLI and the other modules: configs and presets, analytic
// parameter counts, and the reference parity check (`trmbench models verify-reference`).
// Nothing here includes LibTorch, CLI11 or nlohmann_json.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "models/config.h"
#include "models/presets.h"

namespace trmbench {

// ---------------------------------------------------------------------------------------------
// Devices

// Whether this LibTorch build can run on CUDA right now (false on Debian's CPU LibTorch).
bool cuda_available();
// Checks a device string ("cpu", "cuda", "cuda:N"); throws UsageError when it is malformed or when
// CUDA is asked for and not available. Returns the normalised spelling.
std::string check_device(const std::string & device);

// ---------------------------------------------------------------------------------------------
// Reference parity (fixtures in the layout of shared/fixtures/reference/README.md)

struct VerifyOptions {
    std::string dtype = "auto";  // auto (the fixture's forward dtype) | float32 | bfloat16
    std::string device = "cpu";  // cpu | cuda | cuda:N
    int threads = 0;             // intra-op threads (0 = all usable cores)
    bool teacher_forced = true;  // also check every step s >= 1 from the stored carry of step s-1
};

// One compared tensor (or scalar) at one step.
struct TensorCheck {
    std::string mode;          // "free" (free-running ACT loop) or "teacher" (teacher-forced step)
    int step = 0;
    std::string tensor;        // logits, q_halt, q_continue, z_H, z_L, preds, steps, halted, loss, metrics.<name>
    double max_abs = 0;        // max |ours - reference|; for preds/steps/halted the number of mismatches
    double tolerance = 0;      // the limit applied (0: exact)
    int64_t elements = 0;      // compared elements
    double agreement = -1;     // preds: fraction of equal argmax predictions (-1: not applicable)
    int64_t excused = 0;       // preds: flips where the reference top-2 gap is within the logit tolerance
    bool enforced = true;      // false: reported only (e.g. free-running TRM-MLP, which is chaotic)
    bool pass = true;
};

struct VerifyReport {
    std::filesystem::path case_dir;
    std::string checkpoint_file;   // the file the weights came from
    ModelConfig config;            // as run (forward dtype after --dtype)
    std::string fixture_dtype;     // the forward dtype the fixture was made with
    std::string rule;              // the tolerance rule chosen from family, mlp_t and dtypes
    std::vector<std::string> ignored_config_keys;  // config.json keys the model class ignores
    std::string device;
    std::string bf16_cpu_gemm;     // bf16 on the CPU: the matmul kernels (cpu_gemm.h); empty otherwise
    int threads = 0;
    int64_t batch = 0;
    int64_t num_steps = 0;
    int64_t num_params_fixture = 0;  // case.safetensors num_params
    int64_t num_params_model = 0;    // counted by instantiating the module
    std::vector<TensorCheck> checks;
    bool pass = false;

    // Largest |difference| over enforced and reported checks of one tensor name in one mode
    // ("free"/"teacher"); -1 when there is none.
    double max_abs(const std::string & mode, const std::string & tensor) const;
    // True when every float tensor (logits, q, z) matched with difference 0 in both modes.
    bool bit_exact() const;
};

// Loads DIR/config.json, DIR/checkpoint.safetensors (else DIR/checkpoint.pt), DIR/case.safetensors (+ DIR/case.json for the
// exact float64 loss values), runs the evaluation ACT loop from a fresh carry and compares every
// step. Throws UsageError/InputError/IoError for unusable fixtures; a numerical mismatch is not an
// exception but `pass == false`.
VerifyReport verify_reference(const std::filesystem::path & dir, const VerifyOptions & options = {});

// Table for the terminal, and a JSON document (`--json`).
std::string format_verify_report(const VerifyReport & report);
std::string verify_report_json(const VerifyReport & report);

}  // namespace trmbench
