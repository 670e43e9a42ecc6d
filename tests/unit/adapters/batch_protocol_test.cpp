// Pure batch-envelope functions: custom ids, OpenAI JSONL lines and multipart upload, Anthropic
// create bodies, batch status objects and result lines of both providers (including bad lines).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <regex>

#include "adapters/batch_protocol.h"
#include "tests/unit/adapters/adapter_test_support.h"

using nlohmann::json;
using namespace trmbench;

namespace {

ModelEntry entry(const std::string & provider, const std::string & api, const std::string & base) {
    ModelEntry e;
    e.name = "m";
    e.provider = provider;
    e.api = api;
    e.model = "x";
    e.base_url = base;
    return e;
}

}  // namespace

TEST_CASE("batch custom ids are deterministic, distinct and valid for both providers", "[adapters][batch]") {
    std::string a = batch_custom_id("key1", "arc2:0a1d4ef5:p0", 0);
    CHECK(a == batch_custom_id("key1", "arc2:0a1d4ef5:p0", 0));
    CHECK(a != batch_custom_id("key1", "arc2:0a1d4ef5:p0", 1));
    CHECK(a != batch_custom_id("key2", "arc2:0a1d4ef5:p0", 0));
    CHECK(a != batch_custom_id("key1", "arc2:0a1d4ef5:p1", 0));
    CHECK(std::regex_match(a, std::regex("^[a-zA-Z0-9_-]{1,64}$")));
}

TEST_CASE("batch wire follows provider and api", "[adapters][batch]") {
    CHECK(batch_wire_for(entry("openai", "openai-chat", "https://api.openai.com/v1")) == BatchWire::openai);
    CHECK(batch_wire_for(entry("openai", "openai-responses", "https://api.openai.com/v1")) == BatchWire::openai);
    CHECK(batch_wire_for(entry("anthropic", "anthropic-messages", "https://api.anthropic.com/v1")) == BatchWire::anthropic);
    CHECK_FALSE(batch_wire_for(entry("deepseek", "openai-chat", "https://api.deepseek.com")));
    CHECK_FALSE(batch_wire_for(entry("google", "gemini", "https://generativelanguage.googleapis.com/v1beta")));
    CHECK(batch_limits(BatchWire::openai).max_requests == 50'000);
    CHECK(batch_limits(BatchWire::anthropic).max_requests == 100'000);
}

TEST_CASE("OpenAI batch lines carry custom_id, method, endpoint and the request body", "[adapters][batch]") {
    CHECK(openai_batch_endpoint(entry("openai", "openai-chat", "https://api.openai.com/v1")) == "/v1/chat/completions");
    CHECK(openai_batch_endpoint(entry("openai", "openai-responses", "https://api.openai.com/v1/")) == "/v1/responses");
    CHECK(openai_batch_endpoint(entry("openai", "openai-chat", "http://127.0.0.1:8080")) == "/v1/chat/completions");

    std::vector<BatchRequestItem> items = {{"r1", R"({"model":"o4-mini","messages":[{"role":"user","content":"hi"}]})"},
                                           {"r2", R"({"model":"o4-mini","messages":[{"role":"user","content":"a\nb"}]})"}};
    std::string jsonl = openai_batch_jsonl(items, "/v1/chat/completions");
    REQUIRE(std::count(jsonl.begin(), jsonl.end(), '\n') == 2);  // newlines inside prompts stay escaped
    json first = json::parse(jsonl.substr(0, jsonl.find('\n')));
    CHECK(first["custom_id"] == "r1");
    CHECK(first["method"] == "POST");
    CHECK(first["url"] == "/v1/chat/completions");
    CHECK(first["body"]["model"] == "o4-mini");
    CHECK(first["body"]["messages"][0]["content"] == "hi");

    json create = json::parse(openai_batch_create_body("file-1", "/v1/chat/completions", "trmbench x"));
    CHECK(create["input_file_id"] == "file-1");
    CHECK(create["endpoint"] == "/v1/chat/completions");
    CHECK(create["completion_window"] == "24h");
    CHECK(create["metadata"]["description"] == "trmbench x");
}

TEST_CASE("multipart upload keeps the file bytes and picks a boundary absent from them", "[adapters][batch]") {
    std::string content = "line one\r\n--trmbench-\nline two\n";
    MultipartBody m = multipart_file_upload({{"purpose", "batch"}}, "file", "in.jsonl", content);
    std::string boundary = m.content_type.substr(m.content_type.find("boundary=") + 9);
    REQUIRE(boundary.size() > 10);
    CHECK(content.find(boundary) == std::string::npos);
    CHECK(m.body.find("name=\"purpose\"\r\n\r\nbatch\r\n") != std::string::npos);
    CHECK(m.body.find("filename=\"in.jsonl\"") != std::string::npos);
    CHECK(m.body.find("\r\n\r\n" + content + "\r\n--" + boundary + "--\r\n") != std::string::npos);
    CHECK(parse_openai_file_id(R"({"id":"file-abc","object":"file"})") == "file-abc");
    CHECK(parse_openai_file_id("<html>") == "");
}

TEST_CASE("Anthropic batch body nests each Messages request under params", "[adapters][batch]") {
    std::vector<BatchRequestItem> items = {{"r1", R"({"model":"claude","max_tokens":100,"messages":[]})"}};
    json body = json::parse(anthropic_batch_create_body(items));
    REQUIRE(body["requests"].size() == 1);
    CHECK(body["requests"][0]["custom_id"] == "r1");
    CHECK(body["requests"][0]["params"]["max_tokens"] == 100);
}

TEST_CASE("batch status objects of both providers", "[adapters][batch]") {
    BatchStatus s = parse_openai_batch(
        R"({"id":"batch_1","status":"in_progress","input_file_id":"file-in","output_file_id":null,
            "request_counts":{"total":10,"completed":4,"failed":1}})");
    CHECK_FALSE(s.malformed);
    CHECK(s.id == "batch_1");
    CHECK_FALSE(s.ended);
    CHECK(s.total == 10);
    CHECK(s.succeeded == 4);
    CHECK(s.errored == 1);
    CHECK(s.output_file_id.empty());

    for (const char * terminal : {"completed", "expired", "cancelled", "failed"}) {
        BatchStatus t = parse_openai_batch(std::string(R"({"id":"b","status":")") + terminal + R"("})");
        CHECK(t.ended);
        CHECK(t.failed == (std::string(terminal) == "failed"));
    }
    BatchStatus f = parse_openai_batch(
        R"({"id":"b","status":"failed","errors":{"data":[{"code":"invalid_json_line","message":"bad","line":3}]}})");
    CHECK(f.errors == "invalid_json_line: bad (line 3)");

    BatchStatus a = parse_anthropic_batch(
        R"({"id":"msgbatch_1","processing_status":"ended","results_url":"https://x/results",
            "request_counts":{"processing":0,"succeeded":3,"errored":1,"canceled":1,"expired":2}})");
    CHECK(a.ended);
    CHECK(a.results_url == "https://x/results");
    CHECK(a.total == 7);
    CHECK(a.succeeded == 3);
    CHECK(a.errored == 4);
    CHECK_FALSE(parse_anthropic_batch(R"({"id":"m","processing_status":"canceling"})").ended);

    CHECK(parse_openai_batch("not json").malformed);
    CHECK(parse_openai_batch("[1,2]").malformed);
    CHECK(parse_openai_batch(R"({"id":"b"})").malformed);
    CHECK(parse_anthropic_batch(R"({"processing_status":"ended"})").malformed);
}

TEST_CASE("OpenAI result lines: success, HTTP error, expired, bad lines", "[adapters][batch]") {
    std::string file =
        R"({"id":"batch_req_1","custom_id":"r2","response":{"status_code":200,"request_id":"req_1","body":{"id":"chatcmpl-1","choices":[]}},"error":null})"
        "\r\n\n"
        R"({"id":"batch_req_2","custom_id":"r1","response":{"status_code":400,"request_id":"req_2","body":{"error":{"message":"bad max_tokens","type":"invalid_request_error","code":null}}},"error":null})"
        "\n"
        R"({"id":"batch_req_3","custom_id":"r3","response":null,"error":{"code":"batch_expired","message":"window expired"}})"
        "\n{\"custom_id\": \"r4\", \"resp\n"
        R"({"id":"batch_req_5","response":{"status_code":200,"body":{}}})"
        "\n"
        R"({"custom_id":"r6","response":null,"error":null})";  // no final newline
    BatchResults r = parse_batch_results(BatchWire::openai, file);
    REQUIRE(r.entries.size() == 3);
    CHECK(r.entries[0].custom_id == "r2");
    CHECK(r.entries[0].kind == BatchEntryKind::succeeded);
    CHECK(r.entries[0].request_id == "req_1");
    CHECK(json::parse(r.entries[0].body)["id"] == "chatcmpl-1");
    CHECK(r.entries[1].kind == BatchEntryKind::errored);
    CHECK(r.entries[1].http_status == 400);
    CHECK(r.entries[1].error.find("bad max_tokens") != std::string::npos);
    CHECK(r.entries[2].kind == BatchEntryKind::expired);
    REQUIRE(r.bad_lines.size() == 3);
    CHECK(r.bad_lines[0].rfind("line 5:", 0) == 0);  // blank line 2 counted, skipped
    CHECK(r.bad_lines[1] == "line 6: no custom_id");
    CHECK(r.bad_lines[2] == "line 7: neither a response nor an error");
}

TEST_CASE("Anthropic result lines of every type", "[adapters][batch]") {
    std::string file =
        R"({"custom_id":"a","result":{"type":"succeeded","message":{"id":"msg_1","content":[]}}})"
        "\n"
        R"({"custom_id":"b","result":{"type":"errored","error":{"type":"error","error":{"type":"overloaded_error","message":"busy"},"request_id":"req_9"}}})"
        "\n"
        R"({"custom_id":"c","result":{"type":"expired"}})"
        "\n"
        R"({"custom_id":"d","result":{"type":"canceled"}})"
        "\n"
        R"({"custom_id":"e","result":{"type":"mystery"}})"
        "\n"
        R"({"custom_id":"f","result":{"type":"succeeded"}})"
        "\n";
    BatchResults r = parse_batch_results(BatchWire::anthropic, file);
    REQUIRE(r.entries.size() == 4);
    CHECK(r.entries[0].kind == BatchEntryKind::succeeded);
    CHECK(json::parse(r.entries[0].body)["id"] == "msg_1");
    CHECK(r.entries[1].kind == BatchEntryKind::errored);
    CHECK(r.entries[1].http_status == 529);
    CHECK(r.entries[1].request_id == "req_9");
    CHECK(r.entries[1].error == "overloaded_error: busy");
    CHECK(r.entries[2].kind == BatchEntryKind::expired);
    CHECK(r.entries[3].kind == BatchEntryKind::canceled);
    REQUIRE(r.bad_lines.size() == 2);
    CHECK(r.bad_lines[0] == "line 5: unknown result type 'mystery'");
    CHECK(r.bad_lines[1] == "line 6: succeeded without a message");
}
