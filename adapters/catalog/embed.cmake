# Writes OUT, a C++ source that returns the text of IN (the built-in model catalogue) as a
# std::string_view, so that an installed trmbench binary needs no data file beside it.
# Usage: cmake -DIN=models.json -DOUT=catalog_json.cpp -P embed.cmake
file(READ "${IN}" content)
string(FIND "${content}" ")tbcatalog\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw-string delimiter")
endif()
set(text "// Generated from ${IN} by adapters/catalog/embed.cmake; do not edit.\n")
string(APPEND text "#include <string_view>\n\nnamespace trmbench {\n\n")
string(APPEND text "std::string_view builtin_catalog_json() {\n")
string(APPEND text "    static constexpr char kText[] = R\"tbcatalog(${content})tbcatalog\";\n")
string(APPEND text "    return {kText, sizeof(kText) - 1};\n}\n\n}  // namespace trmbench\n")
file(WRITE "${OUT}.tmp" "${text}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
