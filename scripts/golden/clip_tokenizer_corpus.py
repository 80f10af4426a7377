#!/usr/bin/env python3
"""Golden fixture for the Swift CLIPTokenizer: >= 10,000 varied strings and transformers' ids.

Pinned: transformers==5.23.0 (tokenizers 0.23.3), open-clip-torch==3.3.0 (for its BPE merges file only).
Run from the repository root with the reference venv:  .venv/bin/python scripts/golden/clip_tokenizer_corpus.py

The vocabulary is the real CLIP one, derived from open_clip's `bpe_simple_vocab_16e6.txt.gz` the way
open_clip and transformers do (256 byte symbols, the same with `</w>`, the first 48,894 merges,
then `<|startoftext|>` 49406 and `<|endoftext|>` 49407). transformers 5.23 has one CLIPTokenizer (the
`tokenizers`-backed one; the slow Python class is gone), built here from vocab.json + merges.txt with
model_max_length=77 and called as the unCLIP pipeline does: padding="max_length", truncation=True,
max_length=77 (pad token `<|endoftext|>`, id 49407).

The Swift test loads the tokenizer from tiny-unclip/tokenizer/ (vocab.json + merges.txt written by
scripts/golden/unclip_tiny.py from the same open_clip file), so only the corpus is written here:
Tests/UnCLIPStagesTests/Resources/
- clip-tokenizer-corpus.safetensors         text_utf8 U8 [bytes], text_offsets I32 [N+1],
                                            ids I32 [sum of unpadded lengths], id_offsets I32 [N+1],
                                            padded I32 [64,77] (the first 64 rows exactly as returned)
Padding is not stored for every row: row i is ids[id_offsets[i]:id_offsets[i+1]] followed by the pad
id up to 77, and its attention mask is 1 over the stored ids (checked here before writing).
"""
import json
import os
import random
import sys
import tempfile
import unicodedata

import numpy as np
from safetensors.numpy import save_file

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools", "train"))
from vocab import clip_vocabulary  # noqa: E402

OUT = os.path.join(ROOT, "Tests", "UnCLIPStagesTests", "Resources")
MAX_LEN = 77
SEED = 20261122


def derive_vocab():
    vocab, merges = clip_vocabulary()
    return {t: i for i, t in enumerate(vocab)}, merges


WORDS = ("a photo of an astronaut riding horse on the moon oil painting portrait cat dog sitting table "
         "high quality detailed 4k render cinematic lighting sunset over mountains city street at night "
         "watercolor sketch of fox forest misty morning red blue green yellow purple vintage poster "
         "steampunk robot cyberpunk neon rain macro shot flower bee close-up studio ghibli style "
         "anime girl boy old man woman child castle dragon knight wizard ocean wave surfing beach "
         "bowl fruit still life impressionist van gogh monet picasso cubist abstract geometric shapes "
         "teddy bear skateboard times square corgi wearing sunglasses avocado armchair").split()
PUNCT = list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") + ["...", "--", "!!", "?!", "«", "»", "“", "”", "‘", "’",
         "—", "–", "…", "•", "·", "¡", "¿", "§", "¶", "†", "‡", "‰", "′", "″", "€", "£", "¥", "©", "®", "™", "°"]
ACCENTED = "café naïve résumé jalapeño façade crème brûlée smörgåsbord Ångström Zürich São Paulo Kraków Dvořák Ñandú Łódź Bjørn Þór Ærø ĳssel œuvre straße Ελλάδα Ὀδυσσεύς".split()
SCRIPTS = [
    "一只猫坐在桌子上", "東京の夜景、ネオンサイン", "ひらがなとカタカナ", "한국어 문장입니다", "漢字テスト中文繁體",
    "قطة تجلس على الطاولة", "مرحبا بالعالم ١٢٣٤", "חתול יושב על השולחן", "שָׁלוֹם עוֹלָם",
    "एक बिल्ली मेज़ पर बैठी है", "नमस्ते दुनिया १२३", "แมวนั่งอยู่บนโต๊ะ", "สวัสดีครับ ๑๒๓",
    "Кошка сидит на столе", "Γάτα κάθεται στο τραπέζι", "Ծիծեռնակ", "ქართული ენა", "ሰላም ለዓለም", "தமிழ் மொழி",
    "বাংলা ভাষা", "ਪੰਜਾਬੀ", "ગુજરાતી", "ತೆಲುಗು ಕನ್ನಡ", "മലയാളം", "සිංහල", "ພາສາລາວ", "ភាសាខ្មែរ", "မြန်မာ", "བོད་ཡིག",
    "ᠮᠣᠩᠭᠣᠯ", "ᏣᎳᎩ", "ᐃᓄᒃᑎᑐᑦ", "ꦧꦱꦗꦮ", "𐌰𐌱𐌲 gothic", "𝔣𝔯𝔞𝔨𝔱𝔲𝔯 𝕕𝕠𝕦𝕓𝕝𝕖", "ｆｕｌｌｗｉｄｔｈ　ＡＢＣ１２３",
]
EMOJI = ["😀", "🐱", "🚀", "🎨", "❤️", "👍🏽", "👩‍🚀", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇯🇵", "🇺🇸", "🇪🇺", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "1️⃣", "#️⃣",
         "🧑🏿‍🤝‍🧑🏻", "👋🏻", "👋🏼", "👋🏾", "👋🏿", "🤷‍♀️", "🐕‍🦺", "😶‍🌫️", "❤️‍🔥", "🫠", "🪿", "☕", "⚡", "✨", "🌊", "🍕", "🦄"]
SPACES = ["\t", "\n", "\r\n", "\r", "\x0b", "\x0c", "\u00a0", "\u1680", "\u2000", "\u2003", "\u2009", "\u200a",
          "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\u0085", "\u200b", "\u200c", "\u200d", "\u2060",
          "\ufeff", "\u180e", "  ", "   \t  "]
CONTROLS = [chr(c) for c in list(range(0, 32)) + [127] + list(range(0x80, 0xA0))] + ["\u200e", "\u200f", "\u202a", "\u202e", "\u00ad"]
APOS = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'Ve", "'M", "'LL", "'D", "’s", "'", "''", "'x", "'ss", "'dd"]
SPECIAL = ["<|endoftext|>", "<|startoftext|>", "<|ENDOFTEXT|>", "<|endoftext|", "<|startoftext|><|endoftext|>", "<|end of text|>"]
CASING = ["İstanbul", "ıi", "STRASSE ẞ", "ΣΊΣΥΦΟΣ", "ǅemal ǈ ǋ", "ﬁne ﬂow", "Å Ω K", "ΐ ΰ", "Ⅻ ⅻ", "ＡＢＣ", "Ꭰꭰ", "𐐀𐐨", "ᲀ", "ꟹ"]


def rand_words(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def rand_number(rng):
    forms = [
        lambda: str(rng.randint(0, 10 ** rng.randint(1, 12))),
        lambda: f"{rng.randint(0, 10**7):,}",
        lambda: f"{rng.uniform(-1000, 1000):.{rng.randint(1, 5)}f}",
        lambda: f"{rng.randint(1, 31):02d}/{rng.randint(1, 12):02d}/{rng.randint(1900, 2100)}",
        lambda: f"{rng.randint(0, 23)}:{rng.randint(0, 59):02d}",
        lambda: f"{rng.randint(1, 9)}.{rng.randint(0, 999)}.{rng.randint(0, 999)} 1_000_000 1'000'000",
        lambda: f"{rng.randint(1, 100)}% {rng.randint(1, 9)}x{rng.randint(1, 9)} {rng.randint(100, 9999)}px",
        lambda: "١٢٣ ४५६ ๗๘๙ ²³ ½ ⅓ Ⅳ ① 〇 𝟙𝟚",
        lambda: f"1e{rng.randint(-9, 9)} 0x{rng.randint(0, 2**32):x} #{rng.randint(0, 999)}",
    ]
    return rng.choice(forms)()


def random_scalar(rng):
    while True:
        r = rng.random()
        if r < 0.4:
            c = rng.randint(0x20, 0x2FF)
        elif r < 0.8:
            c = rng.randint(0x300, 0xFFFD)
        else:
            c = rng.randint(0x10000, 0x1FAFF)
        if 0xD800 <= c <= 0xDFFF:
            continue
        return chr(c)


def make_corpus():
    rng = random.Random(SEED)
    corpus = ["", " ", "\t\n", "a", "A", "'", "<|endoftext|>", "<|startoftext|>", "hello world", "   leading and trailing   "]

    def add(n, make):
        for _ in range(n):
            corpus.append(make())

    add(2400, lambda: rand_words(rng, rng.randint(1, 20)) + rng.choice(["", ",", ".", "!", " ,", ", 8k"]))
    add(500, lambda: rng.choice(WORDS) + "".join(rng.choice(PUNCT) for _ in range(rng.randint(1, 8))) + rng.choice(["", " ", "x"]) + rand_words(rng, 2))
    add(700, lambda: rand_words(rng, rng.randint(0, 4)) + " " + rand_number(rng) + " " + rand_words(rng, rng.randint(0, 3)))
    add(400, lambda: " ".join(rng.choice(ACCENTED) for _ in range(rng.randint(1, 6))))
    add(400, lambda: unicodedata.normalize("NFD", " ".join(rng.choice(ACCENTED) for _ in range(rng.randint(1, 6)))))
    add(200, lambda: unicodedata.normalize(rng.choice(["NFKD", "NFKC", "NFC", "NFD"]), rng.choice(SCRIPTS + CASING + ACCENTED)))
    add(800, lambda: rand_words(rng, rng.randint(0, 5)) + "".join(rng.choice(EMOJI) + rng.choice(["", "", " "]) for _ in range(rng.randint(1, 6))))
    add(1200, lambda: rng.choice(SCRIPTS) + rng.choice(["", " ", ", ", "。", "؟"]) + rng.choice(["", rng.choice(SCRIPTS), rand_words(rng, 2)]))
    add(500, lambda: "".join(ch.upper() if rng.random() < 0.5 else ch for ch in rand_words(rng, rng.randint(1, 8))))
    add(300, lambda: rng.choice(CASING) + " " + rng.choice(CASING + WORDS))
    add(600, lambda: rng.choice(WORDS) + rng.choice(APOS) + rng.choice(["", " ", "s", "'s"]) + rand_words(rng, rng.randint(0, 3)))
    add(700, lambda: rng.choice(SPACES).join(rand_words(rng, rng.randint(1, 6)).split(" ")) + rng.choice(SPACES + [""]))
    add(400, lambda: rand_words(rng, rng.randint(60, 120)))
    add(100, lambda: ", ".join(rng.choice(EMOJI + SCRIPTS + ACCENTED) for _ in range(rng.randint(20, 60))))
    add(300, lambda: rng.choice(WORDS) + "".join(rng.choice(CONTROLS) for _ in range(rng.randint(1, 3))) + rng.choice(WORDS))
    add(200, lambda: rand_words(rng, rng.randint(0, 3)) + rng.choice(SPECIAL) + rng.choice(["", " ", "x"]) + rand_words(rng, rng.randint(0, 3)))
    add(1200, lambda: "".join(random_scalar(rng) for _ in range(rng.randint(1, 30))))
    add(300, lambda: "".join(rng.choice([random_scalar(rng), rng.choice(WORDS), rng.choice(PUNCT), rng.choice(SPACES),
                                         rng.choice(EMOJI), rng.choice(APOS), rand_number(rng)]) for _ in range(rng.randint(1, 25))))
    return corpus


def main():
    from transformers import CLIPTokenizer
    import transformers, tokenizers
    vocab, merges = derive_vocab()
    merges_text = "#version: 0.2\n" + "\n".join(merges) + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "vocab.json"), "w", encoding="utf-8") as f:
            json.dump(vocab, f, ensure_ascii=False)
        with open(os.path.join(tmp, "merges.txt"), "w", encoding="utf-8") as f:
            f.write(merges_text)
        tok = CLIPTokenizer(vocab=os.path.join(tmp, "vocab.json"), merges=os.path.join(tmp, "merges.txt"), model_max_length=MAX_LEN)
    corpus = make_corpus()
    enc = tok(corpus, padding="max_length", truncation=True, max_length=MAX_LEN)
    ids_all = np.array(enc["input_ids"], dtype=np.int32)
    mask = np.array(enc["attention_mask"], dtype=np.int32)
    assert ids_all.shape == (len(corpus), MAX_LEN)
    pad_id = tok.pad_token_id
    flat, id_offsets = [], [0]
    for row, m in zip(ids_all, mask):
        n = int(m.sum())
        assert (m[:n] == 1).all() and (m[n:] == 0).all() and (row[n:] == pad_id).all()
        flat.extend(row[:n].tolist())
        id_offsets.append(len(flat))
    blob, text_offsets = bytearray(), [0]
    for s in corpus:
        blob += s.encode("utf-8")
        text_offsets.append(len(blob))
    tensors = {
        "text_utf8": np.frombuffer(bytes(blob), dtype=np.uint8).copy(),
        "text_offsets": np.array(text_offsets, dtype=np.int32),
        "ids": np.array(flat, dtype=np.int32),
        "id_offsets": np.array(id_offsets, dtype=np.int32),
        "padded": ids_all[:64].copy(),
    }
    meta = {"transformers": transformers.__version__, "tokenizers": tokenizers.__version__, "count": str(len(corpus)),
            "max_length": str(MAX_LEN), "pad_id": str(pad_id), "bos_id": str(tok.bos_token_id), "eos_id": str(tok.eos_token_id),
            "seed": str(SEED), "vocab": "CLIP (open_clip bpe_simple_vocab_16e6, 49408)"}
    path = os.path.join(OUT, "clip-tokenizer-corpus.safetensors")
    save_file(tensors, path, metadata=meta)
    os.chmod(path, 0o644)
    longest = int(max(np.diff(id_offsets)))
    print(f"{len(corpus)} strings, {len(blob)} text bytes, {len(flat)} ids (longest {longest}), {os.path.getsize(path)} bytes -> {path}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
