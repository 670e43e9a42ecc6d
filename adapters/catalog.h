// The model catalogue: named LLM configurations (provider, API, model id, request parameters, limits,
// dated prices), shipped in adapters/catalog/models.json (compiled into the binary) and extended or
// overridden by user files (--catalog FILE, same schema; see README "Model catalogue").
//
// An entry's `name` is what a suite or `trmbench llm ask` refers to ("o3-mini-high"); `model` is the
// provider's id ("o3-mini-2025-01-31"). A user entry with a known name is merged into it field by
// field (JSON merge patch: objects merge, null deletes), so a file can change one price. Every error
// names the file, the entry and the field. Secrets never live in the catalogue: `api_key_env` names
// the environment variable that holds the key.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/limits.h"
#include "adapters/usage.h"

namespace trmbench {

struct ModelEntry {
    std::string name;
    std::string provider;      // who serves and bills: "openai", "anthropic", "google", "deepseek", "xai", "local"...
    std::string api;           // wire protocol / adapter: see provider_list.h
    std::string model;         // provider's model id
    std::string base_url;      // e.g. "https://api.openai.com/v1" (overridable by TRMBENCH_<NAME>_BASE_URL)
    std::string api_key_env;   // "" = no key (local servers)
    std::string source;        // where the entry (last) came from: "built-in" or a file path
    int64_t params = -1;       // total parameters when public, else -1
    int64_t active_params = -1;  // active (MoE) parameters when public, else -1

    // Request parameters. Unset ones are not sent (reasoning models reject sampling parameters).
    std::optional<double> temperature;
    int64_t max_output_tokens = -1;     // bound on visible + reasoning output tokens
    std::string reasoning_effort;       // OpenAI effort; Anthropic adaptive effort; Gemini thinkingLevel
    int64_t thinking_budget = -1;       // Anthropic budget_tokens; Gemini thinkingBudget
    std::optional<int64_t> seed;        // attempt k sends seed + k
    std::string extra_body_json;        // JSON object merged into the request body ("" = none)
    std::vector<std::pair<std::string, std::string>> extra_headers;  // never secrets
    std::string max_tokens_field = "max_completion_tokens";  // openai-chat: or "max_tokens" (older servers)
    std::optional<bool> store;          // openai: store=false keeps prompts out of the dashboard
    bool background = false;            // openai-responses: background mode with polling
    double poll_interval_s = 10;        // background polling interval
    double timeout_s = 1800;            // total time per HTTP exchange (background: per job)
    double connect_timeout_s = 10;
    int64_t typical_output_tokens = -1;  // for pre-flight estimates; -1 = use max_output_tokens
    // Upper bound of billed output tokens per request when it is not max_output_tokens (DeepSeek's
    // reasoner bounds only the answer with max_tokens; its reasoning comes on top). -1 = max_output_tokens.
    int64_t worst_case_output_tokens = -1;

    LimitSettings limits;               // per model
    Pricing pricing;
    std::string note;

    // The environment variable that overrides base_url: TRMBENCH_<NAME>_BASE_URL, the name upper-cased
    // and every non-alphanumeric character replaced by '_'.
    std::string base_url_env() const;
    bool needs_key() const { return !api_key_env.empty(); }
    // Whether the key's environment variable is set (the key itself is never returned here).
    bool key_present() const;
    // Worst-case billed output tokens of one request, -1 when unbounded.
    int64_t worst_output_tokens() const {
        return worst_case_output_tokens >= 0 ? worst_case_output_tokens : max_output_tokens;
    }
    // Output tokens a typical request produces (typical_output_tokens, else max_output_tokens).
    int64_t expected_output_tokens() const;
    // The entry as canonical JSON (what the catalogue holds, no secrets), for SolverInfo::config_json.
    std::string to_json() const;
};

class Catalog {
public:
    // The catalogue shipped with trmbench.
    static Catalog builtin();
    // Built-in catalogue plus user files in order (later files override earlier ones).
    static Catalog load(const std::vector<std::string> & user_files);

    // Merges a catalogue file; throws InputError naming the file, entry and field.
    void merge_file(const std::filesystem::path & path);
    void merge_text(std::string_view json_text, const std::string & source);

    const std::vector<ModelEntry> & entries() const { return entries_; }
    const ModelEntry * find(std::string_view name) const;
    // The entry with the base-URL environment override applied; throws UsageError listing known names.
    ModelEntry resolve(std::string_view name) const;
    // Provider-wide limits ("providers": {"openai": {"limits": {...}}}), default unlimited.
    LimitSettings provider_limits(const std::string & provider) const;

private:
    std::vector<ModelEntry> entries_;
    std::vector<std::string> raw_;  // merged JSON object of each entry, parallel to entries_
    std::map<std::string, LimitSettings> provider_limits_;
};

// Applies TRMBENCH_<NAME>_BASE_URL when set.
ModelEntry apply_env_overrides(ModelEntry entry);

// `trmbench models list`: one row per entry (name, provider, api, model id, params, price date,
// prices, whether the key is set, base URL). Keys are never printed.
std::string format_catalog_table(const Catalog & catalog);
// The same as JSON lines (one object per entry).
std::string format_catalog_json(const Catalog & catalog);

}  // namespace trmbench
