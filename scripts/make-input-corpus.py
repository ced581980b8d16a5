#!/usr/bin/env python3
"""Writes the input-fidelity test corpus (issue 17) into a folder, with what each file must become.

    scripts/make-input-corpus.py OUT_DIR

Every file is small and made here at test time: colour charts tagged with ProPhoto RGB, Adobe RGB
(1998) and Display P3 profiles (PNG iCCP, JPEG APP2, WebP ICCP), PNG gAMA/cHRM/sRGB chunks,
transparency (RGBA, grey+alpha, palette+tRNS and RGB+tRNS PNG, WebP with alpha; with a profile too),
animated WebP and APNG, every EXIF orientation in PNG eXIf and WebP EXIF chunks, gAMA out of range,
an RGB profile on a grey PNG, and files that must be refused: an arithmetic-coded JPEG and a PNG
whose iCCP profile is a zlib bomb.

OUT_DIR/corpus.json lists the cases: {"name", "file", "size": [w, h] as shown, "samples":
[[x, y, r, g, b], ...] in sRGB, "refusal": null or words the refusal must contain}. The expected
colours come from Pillow: ImageCms (Little CMS, perceptual intent) for profiles, and straight
alpha compositing over white (255, 255, 255) for transparency.
"""
import io
import json
import math
import os
import struct
import subprocess
import sys

from PIL import Image, ImageCms, ImageOps
from PIL.PngImagePlugin import PngInfo

BACKGROUND = (255, 255, 255)
CHART = [(128, 128, 128), (200, 30, 30), (30, 200, 30), (30, 30, 200), (240, 200, 40), (60, 200, 220), (250, 250, 250), (10, 10, 10)]
D50 = (0.9642, 1.0, 0.8249)


def xy_to_xyz(x, y):
    return (x / y, 1.0, (1 - x - y) / y)


def mat_mul(a, b):
    return [[sum(a[i][k] * b[k][j] for k in range(3)) for j in range(3)] for i in range(3)]


def mat_vec(a, v):
    return [sum(a[i][k] * v[k] for k in range(3)) for i in range(3)]


def mat_inv(m):
    (a, b, c), (d, e, f), (g, h, i) = m
    det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    return [
        [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
        [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
        [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det],
    ]


def rgb_to_xyz(primaries, white):
    """The RGB → XYZ matrix of linear RGB with these xy primaries and xy white point."""
    columns = [xy_to_xyz(*p) for p in primaries]
    m = [[columns[j][i] for j in range(3)] for i in range(3)]
    s = mat_vec(mat_inv(m), xy_to_xyz(*white))
    return [[m[i][j] * s[j] for j in range(3)] for i in range(3)]


BRADFORD = [[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]]


def adapt(source_white_xyz, target_white_xyz):
    """The Bradford matrix that carries colours seen under one white to another."""
    s = mat_vec(BRADFORD, source_white_xyz)
    t = mat_vec(BRADFORD, target_white_xyz)
    scale = [[t[0] / s[0], 0, 0], [0, t[1] / s[1], 0], [0, 0, t[2] / s[2]]]
    return mat_mul(mat_inv(BRADFORD), mat_mul(scale, BRADFORD))


def s15(value):
    return struct.pack(">i", int(round(value * 65536)))


def icc_profile(name, primaries, white, trc):
    """A matrix/TRC ICC v2 display profile. trc: a gamma number, or "srgb" for the sRGB curve."""
    m = mat_mul(adapt(xy_to_xyz(*white), D50), rgb_to_xyz(primaries, white))
    if trc == "srgb":
        table = [srgb_decode(i / 1023) for i in range(1024)]
        curve = b"curv" + bytes(4) + struct.pack(">I", 1024) + b"".join(struct.pack(">H", round(v * 65535)) for v in table)
    else:
        curve = b"curv" + bytes(4) + struct.pack(">IH", 1, round(trc * 256))
    text = name.encode() + b"\0"
    desc = b"desc" + bytes(4) + struct.pack(">I", len(text)) + text + bytes(4) + bytes(4) + bytes(2) + bytes(1) + bytes(67)
    tags = [
        (b"desc", desc),
        (b"wtpt", b"XYZ " + bytes(4) + b"".join(s15(v) for v in D50)),
        (b"rXYZ", b"XYZ " + bytes(4) + b"".join(s15(m[i][0]) for i in range(3))),
        (b"gXYZ", b"XYZ " + bytes(4) + b"".join(s15(m[i][1]) for i in range(3))),
        (b"bXYZ", b"XYZ " + bytes(4) + b"".join(s15(m[i][2]) for i in range(3))),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
        (b"cprt", b"text" + bytes(4) + b"No copyright, test data\0"),
    ]
    return assemble(tags, b"RGB ")


def grey_profile(gamma):
    """A grey ICC v2 display profile: D50 white and one gamma curve (kTRC)."""
    text = b"Grey (test)\0"
    tags = [
        (b"desc", b"desc" + bytes(4) + struct.pack(">I", len(text)) + text + bytes(4) + bytes(4) + bytes(2) + bytes(1) + bytes(67)),
        (b"wtpt", b"XYZ " + bytes(4) + b"".join(s15(v) for v in D50)),
        (b"kTRC", b"curv" + bytes(4) + struct.pack(">IH", 1, round(gamma * 256))),
        (b"cprt", b"text" + bytes(4) + b"No copyright, test data\0"),
    ]
    return assemble(tags, b"GRAY")


def assemble(tags, space):
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        while (offset + len(data)) % 4:
            data += b"\0"
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    body = struct.pack(">I", len(tags)) + table + data
    header = struct.pack(">I4sI4s4s4s", 128 + len(body), b"lcms", 0x02100000, b"mntr", space, b"XYZ ") + bytes(12) + b"acsp" + bytes(24)
    header += struct.pack(">I", 0) + b"".join(s15(v) for v in D50) + bytes(4)
    return header + bytes(128 - len(header)) + body


def srgb_decode(v):
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def srgb_encode(v):
    v = min(max(v, 0.0), 1.0)
    return 12.92 * v if v <= 0.0031308 else 1.055 * v ** (1 / 2.4) - 0.055


D65 = (0.3127, 0.3290)
SRGB_PRIMARIES = [(0.64, 0.33), (0.30, 0.60), (0.15, 0.06)]
PROFILES = {
    "prophoto": icc_profile("ProPhoto RGB (test)", [(0.7347, 0.2653), (0.1596, 0.8404), (0.0366, 0.0001)], (0.3457, 0.3585), 1.8),
    "adobergb": icc_profile("Adobe RGB (1998) compatible (test)", [(0.64, 0.33), (0.21, 0.71), (0.15, 0.06)], D65, 563 / 256),
    "displayp3": icc_profile("Display P3 (test)", [(0.680, 0.320), (0.265, 0.690), (0.150, 0.060)], D65, "srgb"),
}


def chart():
    image = Image.new("RGB", (32, 16))
    for index, colour in enumerate(CHART):
        x, y = (index % 4) * 8, (index // 4) * 8
        image.paste(colour, (x, y, x + 8, y + 8))
    return image


CHART_POINTS = [((index % 4) * 8 + 4, (index // 4) * 8 + 4) for index in range(len(CHART))]


def samples(image, points):
    rgb = image.convert("RGB")
    return [[x, y, *rgb.getpixel((x, y))] for x, y in points]


def to_srgb(image, icc):
    source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), renderingIntent=ImageCms.Intent.PERCEPTUAL)


def composite(image):
    rgba = image.convert("RGBA")
    flat = Image.new("RGBA", rgba.size, BACKGROUND + (255,))
    return Image.alpha_composite(flat, rgba).convert("RGB")


def png_chunk(kind, data):
    import zlib

    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def gamma_curve_to_srgb(image, gamma, matrix=None):
    """What a browser shows for a PNG with gAMA `gamma` (and primaries `matrix`, linear RGB → linear sRGB)."""
    out = Image.new("RGB", image.size)
    for y in range(image.size[1]):
        for x in range(image.size[0]):
            linear = [(c / 255) ** (1 / gamma) for c in image.getpixel((x, y))]
            if matrix:
                linear = mat_vec(matrix, linear)
            out.putpixel((x, y), tuple(round(srgb_encode(v) * 255) for v in linear))
    return out


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    cases = []

    def add(name, file, size, sample_list, refusal=None):
        cases.append({"name": name, "file": file, "size": list(size), "samples": sample_list, "refusal": refusal})

    # 1. Embedded ICC profiles in every container, plus the issue's own grey square.
    source = chart()
    for profile, icc in PROFILES.items():
        for ext, options in [("png", {}), ("jpg", {"quality": 100, "subsampling": 0}), ("webp", {"lossless": True})]:
            file = f"{profile}.{ext}"
            source.save(os.path.join(out, file), icc_profile=icc, **options)
            decoded = Image.open(os.path.join(out, file)).convert("RGB")
            add(f"{profile} {ext}", file, source.size, samples(to_srgb(decoded, icc), CHART_POINTS))
    grey_icc = grey_profile(2.2)
    ramp = Image.new("L", (32, 16))
    for index, level in enumerate([16, 64, 128, 200]):
        ramp.paste(level, (index * 8, 0, index * 8 + 8, 16))
    ramp.save(os.path.join(out, "grey-gamma22.png"), icc_profile=grey_icc)
    expected = ImageCms.profileToProfile(
        ramp, ImageCms.ImageCmsProfile(io.BytesIO(grey_icc)), ImageCms.createProfile("sRGB"), ImageCms.Intent.PERCEPTUAL, outputMode="RGB")
    add("grey profile on grey png", "grey-gamma22.png", ramp.size, samples(expected, [(4, 4), (12, 4), (20, 4), (28, 4)]))
    grey = Image.new("RGB", (8, 8), (128, 128, 128))
    grey.save(os.path.join(out, "grey-prophoto.png"), icc_profile=PROFILES["prophoto"])
    add("grey 128 ProPhoto png", "grey-prophoto.png", grey.size, samples(to_srgb(grey, PROFILES["prophoto"]), [(4, 4)]))

    # PNG colour chunks without a profile: gAMA alone, gAMA with cHRM, and sRGB (which wins).
    info = PngInfo()
    info.add(b"gAMA", struct.pack(">I", 55556))
    source.save(os.path.join(out, "gama18.png"), pnginfo=info)
    add("png gAMA 1/1.8", "gama18.png", source.size, samples(gamma_curve_to_srgb(source, 1 / 1.8), CHART_POINTS))
    adobe = [(0.64, 0.33), (0.21, 0.71), (0.15, 0.06)]
    info = PngInfo()
    info.add(b"gAMA", struct.pack(">I", 45455))
    info.add(b"cHRM", struct.pack(">8I", *[round(v * 100000) for point in [D65] + adobe for v in point]))
    source.save(os.path.join(out, "chrm-adobe.png"), pnginfo=info)
    matrix = mat_mul(mat_inv(rgb_to_xyz(SRGB_PRIMARIES, D65)), rgb_to_xyz(adobe, D65))
    add("png gAMA+cHRM", "chrm-adobe.png", source.size, samples(gamma_curve_to_srgb(source, 0.45455, matrix), CHART_POINTS))
    info = PngInfo()
    info.add(b"sRGB", b"\0")
    info.add(b"gAMA", struct.pack(">I", 55556))
    source.save(os.path.join(out, "srgb-chunk.png"), pnginfo=info)
    add("png sRGB chunk wins", "srgb-chunk.png", source.size, samples(source, CHART_POINTS))
    # Untagged stays as it is.
    source.save(os.path.join(out, "untagged.png"))
    add("untagged png", "untagged.png", source.size, samples(source, CHART_POINTS))
    # gAMA outside libpng's range (16 ... 625000000) is ignored, as browsers do: untagged.
    for name, value in [("gama1", 1), ("gamahuge", 0xFFFFFFFF)]:
        info = PngInfo()
        info.add(b"gAMA", struct.pack(">I", value))
        source.save(os.path.join(out, f"{name}.png"), pnginfo=info)
        add(f"png gAMA {value} out of range", f"{name}.png", source.size, samples(source, CHART_POINTS))
    # An RGB profile on a greyscale PNG is for other pixels: ignored, as libpng does.
    grey_ramp_rgb_icc = Image.new("L", (32, 16))
    for index, level in enumerate([16, 64, 128, 200]):
        grey_ramp_rgb_icc.paste(level, (index * 8, 0, index * 8 + 8, 16))
    grey_ramp_rgb_icc.save(os.path.join(out, "grey-with-prophoto.png"), icc_profile=PROFILES["prophoto"])
    add("RGB profile on grey png ignored", "grey-with-prophoto.png", (32, 16), samples(grey_ramp_rgb_icc, [(4, 4), (12, 4), (20, 4), (28, 4)]))

    # Of two PNG iCCP chunks the first counts (libpng); a WebP ICCP chunk counts only when the
    # VP8X header's ICC flag is set (libwebp, browsers).
    source.save(os.path.join(out, "two-iccp.png"), icc_profile=PROFILES["displayp3"])
    with open(os.path.join(out, "two-iccp.png"), "rb") as handle:
        data = handle.read()
    end = data.index(b"iCCP") - 4
    end += 12 + struct.unpack(">I", data[end:end + 4])[0]
    import zlib as zlib_module

    second = png_chunk(b"iCCP", b"second\0\0" + zlib_module.compress(PROFILES["prophoto"]))
    with open(os.path.join(out, "two-iccp.png"), "wb") as handle:
        handle.write(data[:end] + second + data[end:])
    add("two iCCP png: the first counts", "two-iccp.png", source.size, samples(to_srgb(source, PROFILES["displayp3"]), CHART_POINTS))
    buffer = io.BytesIO()
    source.save(buffer, "WEBP", lossless=True, icc_profile=PROFILES["displayp3"])
    data = bytearray(buffer.getvalue())
    assert data[12:16] == b"VP8X" and data[20] & 0x20
    data[20] &= ~0x20 & 0xFF
    with open(os.path.join(out, "iccp-noflag.webp"), "wb") as handle:
        handle.write(data)
    add("webp ICCP without the VP8X flag: untagged", "iccp-noflag.webp", source.size, samples(source, CHART_POINTS))

    # 2. Transparency: quadrants of invisible magenta, half red, opaque black, quarter blue.
    quads = [(255, 0, 255, 0), (255, 0, 0, 128), (0, 0, 0, 255), (0, 0, 255, 64)]
    quad_points = [(2, 2), (6, 2), (2, 6), (6, 6)]
    rgba = Image.new("RGBA", (8, 8))
    for (x, y), colour in zip([(0, 0), (4, 0), (0, 4), (4, 4)], quads):
        rgba.paste(colour, (x, y, x + 4, y + 4))
    rgba.save(os.path.join(out, "rgba.png"))
    add("png RGBA", "rgba.png", rgba.size, samples(composite(rgba), quad_points))
    rgba.save(os.path.join(out, "alpha.webp"), lossless=True, exact=True)
    add("webp alpha", "alpha.webp", rgba.size, samples(composite(rgba), quad_points))
    grey_alpha = Image.new("LA", (8, 8))
    for (x, y), colour in zip([(0, 0), (4, 0), (0, 4), (4, 4)], [(200, 0), (60, 128), (0, 255), (100, 64)]):
        grey_alpha.paste(colour, (x, y, x + 4, y + 4))
    grey_alpha.save(os.path.join(out, "grey-alpha.png"))
    add("png grey+alpha", "grey-alpha.png", grey_alpha.size, samples(composite(grey_alpha), quad_points))
    palette = Image.new("P", (8, 8))
    palette.putpalette([255, 0, 255, 255, 0, 0, 0, 0, 0, 0, 0, 255] + [0] * (256 - 4) * 3)
    for (x, y), index in zip([(0, 0), (4, 0), (0, 4), (4, 4)], range(4)):
        palette.paste(index, (x, y, x + 4, y + 4))
    palette.save(os.path.join(out, "palette-trns.png"), transparency=bytes([0, 128, 255, 64]))
    add("png palette+tRNS", "palette-trns.png", palette.size, samples(composite(Image.open(os.path.join(out, "palette-trns.png"))), quad_points))
    keyed = Image.new("RGB", (8, 8), (0, 0, 0))
    keyed.paste((255, 0, 255), (0, 0, 4, 8))
    keyed.save(os.path.join(out, "rgb-trns.png"), transparency=(255, 0, 255))
    add("png RGB+tRNS", "rgb-trns.png", keyed.size, [[2, 4, 255, 255, 255], [6, 4, 0, 0, 0]])
    grey_keyed = Image.new("L", (8, 8), 0)
    grey_keyed.paste(200, (0, 0, 4, 8))
    grey_keyed.save(os.path.join(out, "grey-trns.png"), transparency=200)
    add("png grey+tRNS", "grey-trns.png", grey_keyed.size, [[2, 4, 255, 255, 255], [6, 4, 0, 0, 0]])
    # Transparency with a profile: the colour is converted to sRGB first and composited over
    # white after, as browsers do (P3 (0, 200, 0) at alpha 128 is about (127, 229, 127)).
    p3 = PROFILES["displayp3"]
    semi = Image.new("RGBA", (8, 8))
    for (x, y), colour in zip([(0, 0), (4, 0), (0, 4), (4, 4)], [(0, 200, 0, 128), (200, 30, 30, 64), (30, 30, 200, 192), (240, 200, 40, 255)]):
        semi.paste(colour, (x, y, x + 4, y + 4))
    converted = to_srgb(semi.convert("RGB"), p3).convert("RGBA")
    converted.putalpha(semi.getchannel("A"))
    for ext, options in [("png", {}), ("webp", {"lossless": True, "exact": True})]:
        semi.save(os.path.join(out, f"p3-semi.{ext}"), icc_profile=p3, **options)
        add(f"{ext} profile + alpha", f"p3-semi.{ext}", semi.size, samples(composite(converted), quad_points))
    logo = Image.new("RGBA", (16, 16), (0, 0, 0, 0))
    logo.paste((0, 0, 0, 255), (4, 4, 12, 12))
    logo.save(os.path.join(out, "logo.png"))
    add("black logo on transparent png", "logo.png", logo.size, [[1, 1, 255, 255, 255], [8, 8, 0, 0, 0]])

    # 3. Animation: the first frame is used.
    frames = [Image.new("RGB", (16, 16), colour) for colour in [(255, 0, 0), (0, 255, 0), (0, 0, 255)]]
    frames[0].save(os.path.join(out, "anim.png"), save_all=True, append_images=frames[1:], duration=100, loop=0)
    add("apng", "anim.png", (16, 16), [[8, 8, 255, 0, 0]])
    # An APNG whose default image (grey, shown by viewers without APNG) is not part of the
    # animation: the first frame of the animation is red.
    Image.new("RGB", (16, 16), (128, 128, 128)).save(
        os.path.join(out, "anim-default.png"), save_all=True, append_images=frames, default_image=True, duration=100, loop=0)
    add("apng whose default image is not a frame", "anim-default.png", (16, 16), [[8, 8, 255, 0, 0]])
    frames[0].save(os.path.join(out, "anim.webp"), save_all=True, append_images=frames[1:], duration=100, loop=0, lossless=True)
    add("animated webp", "anim.webp", (16, 16), [[8, 8, 255, 0, 0]])
    alpha_frames = [Image.new("RGBA", (16, 16), colour) for colour in [(255, 0, 0, 128), (0, 255, 0, 255)]]
    alpha_frames[0].save(os.path.join(out, "anim-alpha.webp"), save_all=True, append_images=alpha_frames[1:], duration=100, lossless=True)
    add("animated webp with alpha", "anim-alpha.webp", (16, 16), samples(composite(alpha_frames[0]), [(8, 8)]))

    # An animation whose first frame covers only the middle of its canvas: the rest shows the
    # background (white), whatever the file's own ANIM background colour says.
    def vp8l(image):
        buffer = io.BytesIO()
        image.save(buffer, "WEBP", lossless=True)
        data = buffer.getvalue()
        assert data[12:16] == b"VP8L"
        return data[12:]

    def anmf(x, y, image):
        w, h = image.size
        header = b"".join(v.to_bytes(3, "little") for v in [x // 2, y // 2, w - 1, h - 1, 100]) + b"\x00"
        body = header + vp8l(image)
        return b"ANMF" + struct.pack("<I", len(body)) + body + (b"\0" if len(body) % 2 else b"")

    chunks = b"VP8X" + struct.pack("<I", 10) + bytes([0x12, 0, 0, 0]) + (15).to_bytes(3, "little") + (15).to_bytes(3, "little")
    chunks += b"ANIM" + struct.pack("<I", 6) + bytes([0, 0, 0, 255, 0, 0])
    chunks += anmf(4, 4, Image.new("RGB", (8, 8), (255, 0, 0))) + anmf(0, 0, Image.new("RGB", (16, 16), (0, 0, 255)))
    with open(os.path.join(out, "anim-offset.webp"), "wb") as handle:
        handle.write(b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + chunks)
    add("animated webp, first frame inside its canvas", "anim-offset.webp", (16, 16), [[1, 1, 255, 255, 255], [8, 8, 255, 0, 0], [14, 14, 255, 255, 255]])

    # 4. Orientation in PNG eXIf and WebP EXIF: quadrants red, green / blue, white, stored 24x16.
    stored = Image.new("RGB", (24, 16))
    for (x, y), colour in zip([(0, 0), (12, 0), (0, 8), (12, 8)], [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)]):
        stored.paste(colour, (x, y, x + 12, y + 8))
    for orientation in range(1, 9):
        exif = Image.Exif()
        exif[0x0112] = orientation
        tagged = stored.copy()
        tagged.info["exif"] = exif.tobytes()
        upright = ImageOps.exif_transpose(tagged)
        w, h = upright.size
        points = [(w // 4, h // 4), (3 * w // 4, h // 4), (w // 4, 3 * h // 4), (3 * w // 4, 3 * h // 4)]
        for ext, options in [("png", {}), ("webp", {"lossless": True})]:
            file = f"orientation-{orientation}.{ext}"
            stored.save(os.path.join(out, file), exif=exif.tobytes(), **options)
            add(f"{ext} orientation {orientation}", file, upright.size, samples(upright, points))

    # An arithmetic-coded JPEG: refused, saying why.
    source.save(os.path.join(out, "chart.ppm"))
    with open(os.path.join(out, "arithmetic.jpg"), "wb") as handle:
        subprocess.run(["cjpeg", "-arithmetic", os.path.join(out, "chart.ppm")], stdout=handle, check=True)
    os.remove(os.path.join(out, "chart.ppm"))
    add("arithmetic jpeg", "arithmetic.jpg", source.size, [], refusal="arithmetic")

    # A PNG whose iCCP chunk is a zlib bomb (8 KiB inflating to 16 MiB): refused, saying why,
    # before any decoder inflates it.
    import zlib

    bomb = io.BytesIO()
    Image.new("RGB", (8, 8), (128, 128, 128)).save(bomb, "PNG")
    data = bomb.getvalue()
    iccp = png_chunk(b"iCCP", b"bomb\0\0" + zlib.compress(bytes(16 << 20), 9))
    with open(os.path.join(out, "iccp-bomb.png"), "wb") as handle:
        handle.write(data[:33] + iccp + data[33:])
    add("png iCCP zlib bomb", "iccp-bomb.png", (8, 8), [], refusal="embedded ICC profile (PNG iCCP chunk) inflates to more than 4 MiB")

    with open(os.path.join(out, "corpus.json"), "w") as handle:
        json.dump({"background": list(BACKGROUND), "cases": cases}, handle, indent=1)


if __name__ == "__main__":
    main()
