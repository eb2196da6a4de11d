"""Size limits every layer agrees on: variants per request, images per request, text length."""

MAX_VARIANTS = 16
MAX_IMAGES = 64
MAX_TEXT_CHARS = 100_000
