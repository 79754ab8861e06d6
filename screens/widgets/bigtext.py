"""Text three rows tall, for a reference number read from across the counter."""

from __future__ import annotations

# A 3x5 pixel font, drawn with half blocks into three text rows, so the
# customer can read the reference from across the counter.
_FONT = {
    "A": "010101111101101", "B": "110101110101110", "C": "111100100100111", "D": "110101101101110",
    "E": "111100110100111", "F": "111100110100100", "G": "111100101101111", "H": "101101111101101",
    "I": "111010010010111", "J": "001001001101111", "K": "101101110101101", "L": "100100100100111",
    "M": "101111111101101", "N": "111101101101101", "O": "010101101101010", "P": "111101111100100",
    "Q": "111101101111001", "R": "111101110101101", "S": "111100111001111", "T": "111010010010010",
    "U": "101101101101111", "V": "101101101101010", "W": "101101111111101", "X": "101101010101101",
    "Y": "101101111010010", "Z": "111001010100111",
    "0": "111101101101111", "1": "110010010010111", "2": "111001111100111", "3": "111001111001111",
    "4": "101101111001001", "5": "111100111001111", "6": "111100111101111", "7": "111001001001001",
    "8": "111101111101111", "9": "111101111001111", "-": "000000111000000", " ": "000000000000000",
}


def big_text(text: str) -> str:
    """``text`` three rows tall (letters, digits and hyphens)."""
    rows = ["", "", ""]
    for char in text.upper():
        bits = _FONT.get(char, _FONT[" "])
        pixels = [bits[i:i + 3] for i in range(0, 15, 3)] + ["000"]
        for row in range(3):
            top, bottom = pixels[2 * row], pixels[2 * row + 1]
            rows[row] += "".join(
                "█" if t == "1" and b == "1" else "▀" if t == "1" else "▄" if b == "1" else " "
                for t, b in zip(top, bottom)
            ) + " "
    return "\n".join(row.rstrip() for row in rows)
