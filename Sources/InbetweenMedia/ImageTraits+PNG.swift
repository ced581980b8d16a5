import CZlib
import InbetweenAPI

extension ImageTraits {
    /// Most bytes an inflated `iCCP` profile may have; an image whose profile inflates past
    /// this is refused (ffmpeg's PNG decoder would inflate all of it: a 1 MB file can hold a
    /// "profile" of gigabytes).
    static let maxProfileBytes = 4 << 20

    /// Walks a PNG's chunks: `IHDR` (grey, alpha), `tRNS`, `iCCP`, `sRGB`, `gAMA`, `cHRM`,
    /// `eXIf`, `acTL` (APNG), and whether `IEND` is there. ffmpeg decodes an APNG's default
    /// image through its PNG decoder; that is the first frame unless the file says the default
    /// image is not part of the animation (no `fcTL` before `IDAT`), in which case the first
    /// `fcTL`/`fdAT` frame is rebuilt as a PNG of its own.
    static func png(_ b: [UInt8]) -> ImageTraits {
        var traits = ImageTraits()
        var profile: [UInt8]?
        var sawProfile = false
        var sRGB = false
        var gamma: Double?
        var chromaticities: Chromaticities?
        var at = 8
        var ended = false
        var animation = APNGFirstFrame()
        while let length = b.be32(at), let kind = b.tag(at + 4) {
            let data = at + 8
            guard length >= 0, data + length <= b.count else { break }
            let body = Array(b[data..<(data + length)])
            animation.read(kind, body)
            switch kind {
            case "IHDR" where length >= 13:
                traits.isGrey = body[9] == 0 || body[9] == 4
                traits.hasAlpha = body[9] == 4 || body[9] == 6
            case "tRNS":
                traits.hasAlpha = true
            case "iCCP" where !sawProfile:
                // Only the first counts, as in libpng.
                sawProfile = true
                if let zero = body.firstIndex(of: 0), zero + 2 <= body.count, body[zero + 1] == 0 {
                    switch inflate(Array(body[(zero + 2)...]), limit: maxProfileBytes) {
                    case .inflated(let bytes): profile = bytes
                    case .tooLarge:
                        traits.unsupported =
                            "its embedded ICC profile (PNG iCCP chunk) inflates to more than \(maxProfileBytes >> 20) MiB; a profile may be at most \(maxProfileBytes >> 20) MiB"
                    case .corrupt: break
                    }
                }
            case "sRGB":
                sRGB = true
            case "gAMA" where length == 4:
                // libpng's accepted range (a gamma of 0.00016 ... 6250); outside it the chunk is
                // ignored, as browsers do, rather than turning the picture black or white.
                if let value = body.be32(0), (16...625_000_000).contains(value) { gamma = Double(value) / 100_000 }
            case "cHRM" where length == 32:
                let v = (0..<8).map { Double(body.be32($0 * 4) ?? 0) / 100_000 }
                if v.enumerated().allSatisfy({ $0.offset % 2 == 0 || $0.element > 0 }) {
                    chromaticities = Chromaticities(white: [v[0], v[1]], red: [v[2], v[3]], green: [v[4], v[5]], blue: [v[6], v[7]])
                }
            case "eXIf":
                traits.orientation = ExifOrientation.tiffOrientation(body) ?? 1
            case "acTL" where length >= 8:
                traits.frameCount = Swift.max(1, body.be32(0) ?? 1)
            case "IEND":
                ended = true
            default:
                break
            }
            if ended { break }
            at = data + length + 4
        }
        traits.truncated = !ended
        if traits.isAnimated, let frame = animation.still() {
            traits.firstFrame = frame
            traits.hasAlpha = traits.hasAlpha || !frame.coversCanvas
        }
        // As browsers rank them: a profile, then the sRGB chunk, then gAMA/cHRM.
        if let profile {
            traits.colour = .iccProfile(profile)
        } else if sRGB {
            traits.colour = .sRGB
        } else if gamma != nil || chromaticities != nil {
            traits.colour = .pngChunks(gamma: gamma, chromaticities: chromaticities)
        }
        return traits
    }

    /// What inflating a compressed chunk gave.
    enum Inflated: Equatable {
        case inflated([UInt8])
        /// It would inflate past the limit; inflating stopped there.
        case tooLarge
        case corrupt
    }

    /// zlib-inflates `data` a block at a time, stopping as soon as the output passes `limit`
    /// bytes: memory stays within `limit` plus one block whatever the data claims.
    static func inflate(_ data: [UInt8], limit: Int) -> Inflated {
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return .corrupt }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var block = [UInt8](repeating: 0, count: 64 * 1024)
        return data.withUnsafeBufferPointer { input -> Inflated in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = uInt(input.count)
            while true {
                let (status, produced) = block.withUnsafeMutableBufferPointer { out -> (Int32, Int) in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    return (status, out.count - Int(stream.avail_out))
                }
                output += block.prefix(produced)
                if output.count > limit { return .tooLarge }
                switch status {
                case Z_STREAM_END: return .inflated(output)
                case Z_OK: continue
                default: return .corrupt  // Z_BUF_ERROR here: the input ended before the stream did
                }
            }
        }
    }
}

/// Collects what it takes to rebuild an APNG's first frame when its default image is not
/// part of the animation: the chunks before `IDAT`, the first `fcTL` after it and its `fdAT`s.
struct APNGFirstFrame {
    var header: [(kind: String, body: [UInt8])] = []
    var seenImage = false
    var defaultIsFrame = false
    var control: [UInt8]?
    var data: [[UInt8]] = []
    var collecting = false

    mutating func read(_ kind: String, _ body: [UInt8]) {
        switch kind {
        case "IDAT":
            seenImage = true
        case "fcTL":
            if !seenImage {
                defaultIsFrame = true
            } else if !defaultIsFrame, control == nil {
                control = body
                collecting = true
            } else {
                collecting = false
            }
        case "fdAT":
            if collecting, body.count > 4 { data.append(Array(body.dropFirst(4))) }
        case "acTL", "IEND":
            break
        default:
            if !seenImage { header.append((kind, body)) }
        }
    }

    /// The first frame as a still PNG, or nil when the default image is that frame (or the
    /// file does not hold one).
    func still() -> ImageTraits.FirstFrame? {
        guard !defaultIsFrame, let control, control.count >= 26, !data.isEmpty,
            let ihdr = header.first(where: { $0.kind == "IHDR" })?.body, ihdr.count >= 13,
            let canvasWidth = ihdr.be32(0), let canvasHeight = ihdr.be32(4),
            let width = control.be32(4), let height = control.be32(8), let x = control.be32(12), let y = control.be32(16),
            width > 0, height > 0, x + width <= canvasWidth, y + height <= canvasHeight
        else { return nil }
        func chunk(_ kind: String, _ body: [UInt8]) -> [UInt8] {
            let typed = Array(kind.utf8) + body
            let crc = typed.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
            return bigEndian(body.count) + typed + bigEndian(Int(crc))
        }
        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        for (kind, body) in header {
            file += chunk(kind, kind == "IHDR" ? bigEndian(width) + bigEndian(height) + Array(body[8...]) : body)
        }
        for part in data { file += chunk("IDAT", part) }
        file += chunk("IEND", [])
        return ImageTraits.FirstFrame(
            bytes: file, x: x, y: y, width: width, height: height, canvasWidth: canvasWidth, canvasHeight: canvasHeight)
    }

    private func bigEndian(_ value: Int) -> [UInt8] {
        [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}
