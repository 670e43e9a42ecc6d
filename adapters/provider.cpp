// The provider registry (from provider_list.h) and helpers shared by providers.
#include "adapters/provider.h"

#include "adapters/provider_list.h"
#include "harness/core/error.h"
#include "harness/core/strings.h"

namespace trmbench {

#define TRMBENCH_DECLARE_PROVIDER(name, factory) const Provider & factory();
TRMBENCH_PROVIDERS(TRMBENCH_DECLARE_PROVIDER)
#undef TRMBENCH_DECLARE_PROVIDER

namespace {

struct Registered {
    std::string_view api;
    const Provider & (*factory)();
};

constexpr Registered kProviders[] = {
#define TRMBENCH_LIST_PROVIDER(name, factory) {name, &factory},
    TRMBENCH_PROVIDERS(TRMBENCH_LIST_PROVIDER)
#undef TRMBENCH_LIST_PROVIDER
};

}  // namespace

std::string_view finish_kind_name(FinishKind k) {
    switch (k) {
        case FinishKind::stop: return "stop";
        case FinishKind::length: return "length";
        case FinishKind::refusal: return "refusal";
        case FinishKind::content_filter: return "content_filter";
        case FinishKind::pending: return "pending";
        case FinishKind::failed: return "failed";
        case FinishKind::other: return "other";
    }
    return "other";
}

const Provider * find_provider(std::string_view api) {
    for (const auto & p : kProviders)
        if (p.api == api) return &p.factory();
    return nullptr;
}

const Provider & provider_for_api(std::string_view api) {
    if (const Provider * p = find_provider(api)) return *p;
    throw UsageError("unknown api '" + std::string(api) + "' (known: " + join(known_apis(), ", ") + ")");
}

std::vector<std::string> known_apis() {
    std::vector<std::string> out;
    for (const auto & p : kProviders) out.emplace_back(p.api);
    return out;
}

std::string request_id_from_headers(const HttpHeaders & headers) {
    for (const char * name : {"x-request-id", "request-id", "x-goog-request-id", "x-ds-trace-id", "cf-ray"}) {
        std::string_view v = header_value(headers, name);
        if (!v.empty()) return std::string(v);
    }
    return {};
}

namespace provider_detail {

std::string join_url(const std::string & base, std::string_view path) {
    std::string out = base;
    while (!out.empty() && out.back() == '/') out.pop_back();
    if (!path.empty() && path.front() != '/') out += '/';
    out += path;
    return out;
}

HttpRequest json_post(const ModelEntry & entry, std::string url, const std::string & body) {
    HttpRequest r;
    r.method = "POST";
    r.url = std::move(url);
    r.body = body;
    r.headers.emplace_back("content-type", "application/json");
    for (const auto & h : entry.extra_headers) r.headers.push_back(h);
    r.total_timeout_ms = static_cast<long>(entry.timeout_s * 1000);
    r.connect_timeout_ms = static_cast<long>(entry.connect_timeout_s * 1000);
    return r;
}

}  // namespace provider_detail
}  // namespace trmbench
