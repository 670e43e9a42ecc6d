// Body parsing shared by the providers.
#include "adapters/providers/json_util.h"

#include "adapters/text_util.h"

namespace trmbench::jsonu {

json parse_body(std::string_view body, std::string * error) {
    std::string_view rest = skip_keepalive_prefix(body);
    json doc = json::parse(rest.begin(), rest.end(), nullptr, false);
    if (doc.is_discarded() && error) {
        // nlohmann's parser without exceptions gives no position; say what the body looks like.
        std::string_view head = rest.substr(0, 60);
        *error = rest.empty() ? "empty body" : "not JSON (starts with \"" + std::string(head) + "\")";
        for (char & c : *error)
            if (c == '\n' || c == '\r') c = ' ';
    }
    return doc;
}

}  // namespace trmbench::jsonu
