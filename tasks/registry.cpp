#include "tasks/registry.h"

#include <memory>
#include <string>

#include "harness/core/error.h"

namespace trmbench {

#define TRMBENCH_TASK(family, factory) std::unique_ptr<Task> factory();
#include "tasks/task_list.h"
#undef TRMBENCH_TASK

const std::vector<const Task *> & all_tasks() {
    static const std::vector<std::unique_ptr<Task>> owned = [] {
        std::vector<std::unique_ptr<Task>> v;
#define TRMBENCH_TASK(family, factory) v.push_back(factory());
#include "tasks/task_list.h"
#undef TRMBENCH_TASK
        return v;
    }();
    static const std::vector<const Task *> view = [] {
        std::vector<const Task *> v;
        for (const auto & t : owned) v.push_back(t.get());
        return v;
    }();
    return view;
}

const Task & task_by_family(std::string_view family) {
    std::string known;
    for (const Task * t : all_tasks()) {
        if (t->family() == family) return *t;
        known += (known.empty() ? "" : ", ") + std::string(t->family());
    }
    throw UsageError("unknown task family '" + std::string(family) + "' (known: " + known + ")");
}

}  // namespace trmbench
