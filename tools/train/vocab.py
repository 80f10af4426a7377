"""CLIP's real BPE vocabulary (vocab.json + merges.txt) derived from the merges file that the
open-clip-torch package carries (MIT). Same ids as OpenAI CLIP: 256 byte symbols, the same with
</w>, one token per merge, then <|startoftext|> 49406 and <|endoftext|> 49407."""
import gzip
import json
from pathlib import Path

import importlib.util

# Located without importing open_clip (its import needs torchvision, which we do not install).
MERGES_GZ = Path(importlib.util.find_spec("open_clip").submodule_search_locations[0]) / "bpe_simple_vocab_16e6.txt.gz"
MERGE_COUNT = 49152 - 256 - 2  # 48,894 merges after the header line


def bytes_to_unicode() -> dict:
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    codes = printable[:]
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            codes.append(256 + extra)
            extra += 1
    return dict(zip(printable, map(chr, codes)))


def clip_vocabulary() -> tuple:
    """(tokens in id order, merge lines "a b" in rank order): 49,408 tokens, 48,894 merges."""
    lines = gzip.open(MERGES_GZ).read().decode("utf-8").split("\n")[1:MERGE_COUNT + 1]
    assert len(lines) == MERGE_COUNT
    symbols = list(bytes_to_unicode().values())
    vocab = symbols + [s + "</w>" for s in symbols] + ["".join(line.split()) for line in lines]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    assert len(vocab) == 49408
    return vocab, lines


def write_vocab_and_merges(folder: Path) -> None:
    """vocab.json and merges.txt, as CLIPTokenizer reads them."""
    folder.mkdir(parents=True, exist_ok=True)
    vocab, merges = clip_vocabulary()
    (folder / "vocab.json").write_text(json.dumps({t: i for i, t in enumerate(vocab)}, ensure_ascii=False))
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n")


def write_tokenizer_files(folder: Path) -> None:
    """vocab.json, merges.txt and the tokenizer configs of a diffusers/transformers folder."""
    write_vocab_and_merges(folder)
    (folder / "special_tokens_map.json").write_text(json.dumps({
        "bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>",
        "pad_token": "<|endoftext|>", "unk_token": "<|endoftext|>"}, indent=2))
    (folder / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "CLIPTokenizer", "model_max_length": 77, "do_lower_case": True,
        "bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>",
        "pad_token": "<|endoftext|>", "unk_token": "<|endoftext|>"}, indent=2))


if __name__ == "__main__":
    import sys
    write_tokenizer_files(Path(sys.argv[1]))
