#include "harness/core/error.h"

#include <exception>

namespace trmbench {

void rethrow_with_context(const std::string & context) {
    try {
        throw;
    } catch (const Error & e) {
        throw Error(context + ": " + e.what(), e.exit_code());
    } catch (const std::exception & e) {
        throw Error(context + ": " + e.what(), kExitFailure);
    }
}

}  // namespace trmbench
