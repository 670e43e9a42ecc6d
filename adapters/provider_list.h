// The provider registry: one line per wire protocol, TRMBENCH_PROVIDER(api_name, factory). The
// factory is defined in adapters/providers/<name>.cpp and returns `const Provider &`. OpenAI-compatible
// servers (DeepSeek, xAI, vLLM, llama-server, Ollama, OpenRouter, Together) need no line here: they
// are catalogue entries with api "openai-chat" and their own base_url.
// (No static self-registration: this list is the registry.)
#pragma once

#define TRMBENCH_PROVIDERS(X)                         \
    X("openai-chat", openai_chat_provider)            \
    X("openai-responses", openai_responses_provider)  \
    X("anthropic-messages", anthropic_provider)       \
    X("gemini", gemini_provider)
