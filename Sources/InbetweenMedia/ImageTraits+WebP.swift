import InbetweenAPI

extension ImageTraits {
    /// Walks a WebP's RIFF chunks: `VP8X` (canvas, flags), `ICCP` (when VP8X's ICC flag is
    /// set), `EXIF`, `ALPH`, `VP8L`'s alpha bit, and the `ANMF` frames of an animation, the
    /// first of which is rebuilt as a still WebP.
    static func webp(_ b: [UInt8]) -> ImageTraits {
        var traits = ImageTraits()
        guard b.count >= 12, b.tag(0) == "RIFF", b.tag(8) == "WEBP", let riffSize = b.le32(4) else { return traits }
        traits.truncated = riffSize + 8 > b.count
        var canvas: (width: Int, height: Int)?
        var frames = 0
        var profile: [UInt8]?
        var iccFlag = false
        var at = 12
        while let kind = b.tag(at), let length = b.le32(at + 4) {
            let data = at + 8
            guard data + length <= b.count else {
                traits.truncated = true
                break
            }
            let body = Array(b[data..<(data + length)])
            switch kind {
            case "VP8X" where length >= 10:
                traits.hasAlpha = body[0] & 0x10 != 0
                iccFlag = body[0] & 0x20 != 0
                canvas = ((body.le24(4) ?? 0) + 1, (body.le24(7) ?? 0) + 1)
            case "ICCP" where profile == nil:
                profile = body
            case "EXIF":
                traits.orientation = ExifOrientation.tiffOrientation(body) ?? 1
            case "ALPH":
                traits.hasAlpha = true
            case "VP8L" where length >= 5:
                traits.hasAlpha = traits.hasAlpha || (body.le32(1) ?? 0) >> 28 & 1 == 1
            case "ANMF" where length >= 16:
                frames += 1
                if frames == 1, let canvas {
                    traits.firstFrame = stillFrame(body, canvas: canvas)
                }
            default:
                break
            }
            at = data + length + (length & 1)
        }
        // As libwebp and browsers read it: the ICCP chunk counts only when VP8X's ICC flag is set.
        if let profile, iccFlag { traits.colour = .iccProfile(profile) }
        if frames > 0 {
            traits.frameCount = frames
            // Where the first frame leaves part of the canvas uncovered, the background shows.
            if let first = traits.firstFrame {
                traits.hasAlpha = traits.hasAlpha || !first.coversCanvas
            }
        }
        return traits
    }

    /// An `ANMF` payload (offset, size, duration, flags, then the frame's own `ALPH`/`VP8 ` or
    /// `VP8L` chunks) rebuilt as a still WebP file; nil when it holds no image chunk.
    static func stillFrame(_ anmf: [UInt8], canvas: (width: Int, height: Int)) -> FirstFrame? {
        guard let x = anmf.le24(0), let y = anmf.le24(3), let w = anmf.le24(6), let h = anmf.le24(9) else { return nil }
        var chunks: [(kind: String, body: ArraySlice<UInt8>)] = []
        var at = 16
        while let kind = anmf.tag(at), let length = anmf.le32(at + 4), at + 8 + length <= anmf.count {
            chunks.append((kind, anmf[(at + 8)..<(at + 8 + length)]))
            at += 8 + length + (length & 1)
        }
        guard let image = chunks.first(where: { $0.kind == "VP8 " || $0.kind == "VP8L" }) else { return nil }
        let alpha = image.kind == "VP8 " ? chunks.first { $0.kind == "ALPH" } : nil
        func chunk(_ kind: String, _ body: some Collection<UInt8>) -> [UInt8] {
            let n = body.count
            return Array(kind.utf8) + [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24 & 0xFF)] + body
                + (n & 1 == 1 ? [0] : [])
        }
        var content: [UInt8] = []
        if let alpha {
            // A lossy frame with separate alpha needs the extended header (flag: alpha).
            let header: [UInt8] =
                [0x10, 0, 0, 0, UInt8(w & 0xFF), UInt8(w >> 8 & 0xFF), UInt8(w >> 16 & 0xFF)] + [
                    UInt8(h & 0xFF), UInt8(h >> 8 & 0xFF), UInt8(h >> 16 & 0xFF),
                ]
            content = chunk("VP8X", header) + chunk("ALPH", alpha.body)
        }
        content += chunk(image.kind, image.body)
        let size = 4 + content.count
        let file =
            Array("RIFF".utf8) + [UInt8(size & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size >> 16 & 0xFF), UInt8(size >> 24 & 0xFF)]
            + Array("WEBP".utf8) + content
        return FirstFrame(bytes: file, x: x * 2, y: y * 2, width: w + 1, height: h + 1, canvasWidth: canvas.width, canvasHeight: canvas.height)
    }
}
