#!/usr/bin/python3
"""Writes a tiny random-weight llama-architecture GGUF for the llama-server integration test.

Usage: PYTHONPATH=<llama.cpp>/gguf-py /usr/bin/python3 scripts/tiny_gguf.py OUT.gguf [--seed N]

The model (n_embd 64, 2 layers, 4 heads, ffn 128, F32) talks random printable text. Two properties
matter to llama-server (docs/toolchain.md section 6):
  * the SPM vocabulary has the 256 byte-fallback tokens <0x00>..<0xFF>, so any prompt (newlines,
    non-ASCII) tokenizes;
  * the model never emits a byte or control token, since a lone byte is invalid UTF-8 and the server
    answers HTTP 500. Residual dimension 0 is held constant (embeddings 1.0 there, attention and FFN
    output rows 0 are zero), and the output head's column 0 is +1 for printable pieces and the
    end-of-turn token and -20 for everything else, which after RMS norm is a logit gap of ~100.
Same seed, same bytes.
"""
import argparse

import numpy as np
import gguf

N_EMBD, N_LAYER, N_HEAD, N_FF, N_CTX = 64, 2, 4, 128, 2048
CHATML = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content']"
          " + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}"
          "{{ '<|im_start|>assistant\\n' }}{% endif %}")


def vocabulary():
    """(pieces, types, allowed-to-emit) for specials, byte fallbacks and printable single characters."""
    T = gguf.TokenType
    pieces = [("<unk>", T.UNKNOWN, False), ("<s>", T.CONTROL, False), ("</s>", T.CONTROL, False),
              ("<|im_start|>", T.CONTROL, False), ("<|im_end|>", T.CONTROL, True)]
    pieces += [(f"<0x{b:02X}>", T.BYTE, False) for b in range(256)]
    pieces.append(("\u2581", T.NORMAL, True))  # SentencePiece's space
    pieces += [(chr(c), T.NORMAL, True) for c in range(33, 127)]
    pieces += [(w, T.NORMAL, True) for w in ("\u2581the", "\u2581a", "in", "er", "on", "\u2581is", "12", "34")]
    return pieces


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1234)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    vocab = vocabulary()
    n_vocab = len(vocab)

    def rand(*shape, scale=0.02):
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    w = gguf.GGUFWriter(args.out, "llama")
    w.add_name("trmbench-tiny-random")
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    w.add_context_length(N_CTX)
    w.add_embedding_length(N_EMBD)
    w.add_block_count(N_LAYER)
    w.add_feed_forward_length(N_FF)
    w.add_head_count(N_HEAD)
    w.add_head_count_kv(N_HEAD)
    w.add_rope_dimension_count(N_EMBD // N_HEAD)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_vocab_size(n_vocab)
    w.add_tokenizer_model("llama")
    w.add_token_list([p for p, _, _ in vocab])
    w.add_token_types([int(t) for _, t, _ in vocab])
    w.add_token_scores([-float(len(p)) if t == gguf.TokenType.NORMAL else 0.0 for p, t, _ in vocab])
    w.add_unk_token_id(0)
    w.add_bos_token_id(1)
    w.add_eos_token_id(4)  # <|im_end|> ends the assistant turn
    w.add_add_bos_token(False)
    w.add_chat_template(CHATML)

    embd = rand(n_vocab, N_EMBD)
    embd[:, 0] = 1.0  # the constant residual dimension
    w.add_tensor("token_embd.weight", embd)
    for i in range(N_LAYER):
        out_proj, down = rand(N_EMBD, N_EMBD), rand(N_EMBD, N_FF)
        out_proj[0, :] = 0.0  # keep dimension 0 constant through the residual stream
        down[0, :] = 0.0
        for name, t in [("attn_norm", np.ones(N_EMBD, np.float32)), ("attn_q", rand(N_EMBD, N_EMBD)),
                        ("attn_k", rand(N_EMBD, N_EMBD)), ("attn_v", rand(N_EMBD, N_EMBD)),
                        ("attn_output", out_proj), ("ffn_norm", np.ones(N_EMBD, np.float32)),
                        ("ffn_gate", rand(N_FF, N_EMBD)), ("ffn_up", rand(N_FF, N_EMBD)), ("ffn_down", down)]:
            w.add_tensor(f"blk.{i}.{name}.weight", t)
    w.add_tensor("output_norm.weight", np.ones(N_EMBD, np.float32))
    head = rand(n_vocab, N_EMBD, scale=0.5)
    head[:, 0] = np.array([1.0 if ok else -20.0 for _, _, ok in vocab], np.float32)
    w.add_tensor("output.weight", head)

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


if __name__ == "__main__":
    main()
