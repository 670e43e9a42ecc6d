#include "harness/core/task.h"

#include "harness/core/error.h"
#include "harness/core/sha256.h"

namespace trmbench {

bool Score::get(std::string_view name) const {
    for (const auto & m : measures)
        if (m.name == name) return m.value;
    return false;
}

std::string PromptTemplate::hash() const {
    return sha256_hex(name + '\n' + version + '\n' + text);
}

void Task::generate(const GenerateOptions &, const std::filesystem::path &) const {
    throw UsageError("task family '" + std::string(family()) + "' has no generator");
}

}  // namespace trmbench
