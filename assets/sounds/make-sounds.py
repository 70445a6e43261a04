#!/usr/bin/env python3
"""Makes the kiosk's three short sounds (check-in, check-out, error) as
16-bit mono WAVs. Written for Tilstede and dedicated to the public domain
(CC0, see LICENSE); run it to regenerate the files byte for byte."""
import math
import struct
import wave

RATE = 22050


def tone(notes, volume=0.45):
    """notes: (frequency Hz, seconds) pairs played in turn, each with a soft
    attack and release so nothing clicks on a small speaker."""
    samples = []
    for freq, seconds in notes:
        count = int(RATE * seconds)
        fade = int(RATE * 0.012)
        for i in range(count):
            env = min(1.0, i / fade, (count - i) / fade)
            # A little second harmonic makes it audible on a thin speaker.
            s = math.sin(2 * math.pi * freq * i / RATE) + 0.3 * math.sin(4 * math.pi * freq * i / RATE)
            samples.append(int(32767 * volume * env * s / 1.3))
    return samples


def write(name, samples):
    with wave.open(name, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(b"".join(struct.pack("<h", s) for s in samples))


write("in.wav", tone([(660, 0.12), (880, 0.22)]))          # rising: welcome
write("out.wav", tone([(880, 0.12), (660, 0.22)]))         # falling: goodbye
write("error.wav", tone([(330, 0.18), (0.001, 0.06), (330, 0.18)]))  # low double: look at the screen
