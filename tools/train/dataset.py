"""Captioned emoji images from the Noto Color Emoji font (Debian fonts-noto-color-emoji).

Tier A set: distinct, common, single-code-point emoji (faces, animals, food, plants, objects,
symbols), no skin-tone variants or flags. Each emoji gets its CLDR name and aliases (the `emoji`
package) and its Unicode name as captions, spoken through training templates; evaluation uses
held-out templates that never appear in training.
"""
import io
import unicodedata
from dataclasses import dataclass

import emoji
import numpy as np
from fontTools.ttLib import TTFont
from PIL import Image

FONT_PATH = "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"

# Chosen by hand: recognisable at 32 px, one subject each, balanced across categories.
CURATED = {
    "faces": "😀😂😍😎😭😡🤔😴🥶🤢😱🥳😇🤡👻💀👽🤖💩😈",
    "animals": "🐶🐱🐭🐰🦊🐻🐼🐨🐯🦁🐮🐷🐸🐵🐔🐧🐤🦉🐴🦄🐝🐞🦋🐌🐢🐍🐙🦀🐠🐬🐳🦈🐘🦒🐪🦓",
    "food": "🍎🍊🍋🍌🍉🍇🍓🍒🍑🍍🥝🍅🥕🌽🥦🍄🥐🍞🧀🍔🍟🍕🌭🌮🍩🍪🎂🍰🍫🍭🍿🥚🍦🍣",
    "plants": "🌵🌲🌴🌷🌹🌻🍀🍁🌸🌾",
    "objects": "⚽🏀🏈🎾🎸🎺🚗🚌🚲🚀⛵⌚📱💻📷💡📚🔑🔨🎁🎈🏠🌙⭐🌈⚡🔥💧⛄☂👑💎🔔🎃🧸🪁",
    "symbols": "❤💔💯✅❌⚠♻☮➕❓💤🎵",
}

TRAIN_TEMPLATES = ["{}", "an emoji of {}", "{} emoji", "a {} icon", "a picture of {}"]
HELD_OUT_TEMPLATES = ["a small drawing of {}", "{}, emoji style"]


@dataclass
class EmojiItem:
    char: str
    category: str
    names: list  # distinct lower-case names (CLDR name first)
    image: np.ndarray  # uint8 [136, 136, 3] on white


def emoji_names(char: str) -> list:
    names = []
    data = emoji.EMOJI_DATA.get(char) or emoji.EMOJI_DATA.get(char + "\ufe0f") or {}
    for raw in [data.get("en", "")] + list(data.get("alias", [])):
        name = raw.strip(":").replace("_", " ").strip().lower()
        if name and name not in names:
            names.append(name)
    try:
        unicode_name = unicodedata.name(char).lower()
        if unicode_name not in names:
            names.append(unicode_name)
    except ValueError:
        pass
    return names


def load_items() -> list:
    font = TTFont(FONT_PATH)
    cmap = font.getBestCmap()
    strike = font["CBDT"].strikeData[0]
    items = []
    for category, chars in CURATED.items():
        for char in chars:
            glyph = cmap.get(ord(char))
            if glyph is None or glyph not in strike:
                raise SystemExit(f"{FONT_PATH}: no bitmap for {char!r} (U+{ord(char):04X}); edit CURATED")
            bitmap = Image.open(io.BytesIO(strike[glyph].imageData)).convert("RGBA")
            canvas = Image.new("RGBA", (136, 136), (255, 255, 255, 255))
            canvas.alpha_composite(bitmap, ((136 - bitmap.width) // 2, (136 - bitmap.height) // 2))
            items.append(EmojiItem(char, category, emoji_names(char), np.asarray(canvas.convert("RGB"))))
    return items


def captions(item: EmojiItem, held_out: bool = False) -> list:
    templates = HELD_OUT_TEMPLATES if held_out else TRAIN_TEMPLATES
    return [t.format(name) for name in item.names for t in templates]


def resized(items: list, size: int) -> np.ndarray:
    """float32 [N, 3, size, size] in -1...1 (PIL bicubic with antialias)."""
    arrays = [np.asarray(Image.fromarray(i.image).resize((size, size), Image.BICUBIC), dtype=np.float32)
              for i in items]
    return np.stack(arrays).transpose(0, 3, 1, 2) / 127.5 - 1.0


if __name__ == "__main__":
    items = load_items()
    print(len(items), "emoji;", sum(len(captions(i)) for i in items), "training captions")
    for item in items[:5]:
        print(item.char, item.category, item.names)
