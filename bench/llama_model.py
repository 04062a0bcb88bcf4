#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes a synthetic llama-architecture model (random weights, F16) as GGUF, for the llama.cpp
benchmark in bench/run (--llama DIR). It uses the `gguf` Python package of the llama.cpp tree the
user built (DIR/gguf-py): this project ships no llama.cpp code, it only calls that package.

usage: llama_model.py --gguf-py DIR/gguf-py --shape tiny|1b --out FILE.gguf [--seed N]

Shapes:
  1b    TinyLlama-1.1B's: 22 layers, n_embd 2048, 32 heads (4 KV heads, head dim 64),
        n_ff 5632, vocab 32000, context 2048: 1.10 B parameters.
  tiny  4 layers, n_embd 256, 4 heads (2 KV heads), n_ff 768, vocab 2048: 4.2 M parameters, for
        correctness on lavapipe.

The vocabulary is a SentencePiece-style one (tokenizer model "llama"): <unk>, <s>, </s>, the
256 byte tokens, then made-up word pieces, so prompts tokenize and generated tokens print. The
output rows of the three special tokens are zero: with random weights every other logit has a
spread of about one, so greedy decoding never picks end-of-text and always runs its full length.
"""
import argparse
import os
import sys

SHAPES = {
    # n_layer, n_embd, n_head, n_head_kv, n_ff, n_vocab
    "1b": (22, 2048, 32, 4, 5632, 32000),
    "tiny": (4, 256, 4, 2, 768, 2048),
}
N_CTX_TRAIN = 2048
N_SPECIAL = 3  # <unk>, <s>, </s>
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def piece_words(n):
    """n distinct made-up words: a..z, aa..zz, aaa.. in order of length."""
    out, width = [], 1
    while len(out) < n:
        idx = [0] * width
        while len(out) < n:
            out.append("".join(LETTERS[i] for i in idx))
            k = width - 1
            while k >= 0 and idx[k] == len(LETTERS) - 1:
                idx[k] = 0
                k -= 1
            if k < 0:
                break
            idx[k] += 1
        width += 1
    return out


def vocab(gguf, n_vocab):
    """Tokens, scores and types: specials, bytes, then words with and without the SentencePiece
    word-start mark, higher scores first (SentencePiece merges prefer higher scores)."""
    tt = gguf.TokenType
    toks = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)]
    types = [tt.UNKNOWN, tt.CONTROL, tt.CONTROL] + [tt.BYTE] * 256
    n_words = n_vocab - len(toks)
    words = piece_words((n_words + 1) // 2)
    pieces = []
    for w in words:
        pieces += ["\u2581" + w, w]
    toks += pieces[:n_words]
    types += [tt.NORMAL] * n_words
    scores = [0.0] * (n_vocab - n_words) + [-float(i) for i in range(n_words)]
    return toks, scores, types


def add_weights(gguf, np, w, shape, rng):
    n_layer, n_embd, n_head, n_head_kv, n_ff, n_vocab = shape
    head_dim = n_embd // n_head
    T = gguf.MODEL_TENSOR

    def names_weight():
        # gguf's names are the tensors' stems; llama.cpp loads "<stem>.weight".
        return {t: n + ".weight" for t, n in gguf.TENSOR_NAMES.items()}
    names = names_weight()

    def mat(rows, cols):
        # numpy's (rows, cols) is ggml's ne = [cols, rows]: rows outputs of cols inputs.
        return (rng.standard_normal((rows, cols), dtype=np.float32) * 0.02).astype(np.float16)

    def ones(n):
        return np.ones(n, dtype=np.float32)

    w.add_tensor(names[T.TOKEN_EMBD], mat(n_vocab, n_embd))
    for i in range(n_layer):
        def name(t):
            return names[t].format(bid=i)
        w.add_tensor(name(T.ATTN_NORM), ones(n_embd))
        w.add_tensor(name(T.ATTN_Q), mat(n_embd, n_embd))
        w.add_tensor(name(T.ATTN_K), mat(n_head_kv * head_dim, n_embd))
        w.add_tensor(name(T.ATTN_V), mat(n_head_kv * head_dim, n_embd))
        w.add_tensor(name(T.ATTN_OUT), mat(n_embd, n_embd))
        w.add_tensor(name(T.FFN_NORM), ones(n_embd))
        w.add_tensor(name(T.FFN_GATE), mat(n_ff, n_embd))
        w.add_tensor(name(T.FFN_DOWN), mat(n_embd, n_ff))
        w.add_tensor(name(T.FFN_UP), mat(n_ff, n_embd))
    w.add_tensor(names[T.OUTPUT_NORM], ones(n_embd))
    out = mat(n_vocab, n_embd)
    out[:N_SPECIAL] = 0  # never sampled: see the module comment
    w.add_tensor(names[T.OUTPUT], out)


def param_count(shape):
    n_layer, n_embd, n_head, n_head_kv, n_ff, n_vocab = shape
    kv = n_head_kv * (n_embd // n_head)
    per_layer = 2 * n_embd * n_embd + 2 * kv * n_embd + 3 * n_ff * n_embd + 2 * n_embd
    return 2 * n_vocab * n_embd + n_layer * per_layer + n_embd


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gguf-py", required=True, help="llama.cpp's gguf-py directory")
    ap.add_argument("--shape", choices=sorted(SHAPES), default="tiny")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1234)
    args = ap.parse_args()
    sys.path.insert(0, os.path.abspath(args.gguf_py))
    import numpy as np
    import gguf

    shape = SHAPES[args.shape]
    n_layer, n_embd, n_head, n_head_kv, n_ff, n_vocab = shape
    w = gguf.GGUFWriter(args.out, "llama")
    w.add_name(f"pearvisor-synthetic-{args.shape}")
    w.add_context_length(N_CTX_TRAIN)
    w.add_embedding_length(n_embd)
    w.add_block_count(n_layer)
    w.add_feed_forward_length(n_ff)
    w.add_head_count(n_head)
    w.add_head_count_kv(n_head_kv)
    w.add_rope_dimension_count(n_embd // n_head)
    w.add_rope_freq_base(10000.0)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_vocab_size(n_vocab)
    w.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    toks, scores, types = vocab(gguf, n_vocab)
    w.add_tokenizer_model("llama")
    w.add_token_list(toks)
    w.add_token_scores(scores)
    w.add_token_types(types)
    w.add_unk_token_id(0)
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    w.add_add_bos_token(True)
    w.add_add_eos_token(False)
    add_weights(gguf, np, w, shape, np.random.default_rng(args.seed))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    print(f"{args.out}: {args.shape}, {param_count(shape) / 1e6:.1f} M parameters, F16")
    return 0


if __name__ == "__main__":
    sys.exit(main())
