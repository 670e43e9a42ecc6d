// `trmbench models list`: name, provider, API, model id, parameters, price date and prices, and whether
// each entry's API key is set (the key itself is never printed), for the built-in catalogue plus any
// --catalog files. --json prints one JSON object per entry instead.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

#include "adapters/catalog.h"
#include "harness/cli/commands.h"
#include "harness/cli/models_catalog.h"

namespace trmbench {

void add_models_list(CLI::App * models, const GlobalOptions & g) {
    struct Opts {
        std::vector<std::string> catalogs;
        bool json = false;
    };
    auto o = std::make_shared<Opts>();
    auto * list = models->add_subcommand("list", "List the model catalogue (built-in + --catalog files)");
    list->add_option("--catalog", o->catalogs, "Extra catalogue file (repeatable; adds or overrides entries)");
    list->add_flag("--json", o->json, "One JSON object per entry");
    list->callback([o] {
        Catalog c = Catalog::load(o->catalogs);
        std::string out = o->json ? format_catalog_json(c) : format_catalog_table(c);
        std::fwrite(out.data(), 1, out.size(), stdout);
    });
}

}  // namespace trmbench
