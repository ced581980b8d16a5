import CZlib
import InbetweenAPI

extension ImageTraits {
    /// Most bytes an inflated `iCCP` profile may have; a larger one is ignored (as untagged).
    static let maxProfileBytes = 4 << 20

    /// Walks a PNG's chunks: `IHDR` (grey, alpha), `tRNS`, `iCCP`, `sRGB`, `gAMA`, `cHRM`,
    /// `eXIf`, `acTL` (APNG), and whether `IEND` is there. ffmpeg decodes an APNG's default
    /// image (its first frame) through its PNG decoder.
    static func png(_ b: [UInt8]) -> ImageTraits {
        var traits = ImageTraits()
        var profile: [UInt8]?
        var sRGB = false
        var gamma: Double?
        var chromaticities: Chromaticities?
        var at = 8
        var ended = false
        while let length = b.be32(at), let kind = b.tag(at + 4) {
            let data = at + 8
            guard length >= 0, data + length <= b.count else { break }
            let body = Array(b[data..<(data + length)])
            switch kind {
            case "IHDR" where length >= 13:
                traits.isGrey = body[9] == 0 || body[9] == 4
                traits.hasAlpha = body[9] == 4 || body[9] == 6
            case "tRNS":
                traits.hasAlpha = true
            case "iCCP":
                if let zero = body.firstIndex(of: 0), zero + 2 <= body.count, body[zero + 1] == 0 {
                    profile = inflate(Array(body[(zero + 2)...]), limit: maxProfileBytes)
                }
            case "sRGB":
                sRGB = true
            case "gAMA" where length == 4:
                if let value = body.be32(0), value > 0 { gamma = Double(value) / 100_000 }
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

    /// zlib-inflates `data` into at most `limit` bytes; nil when it is corrupt or larger.
    static func inflate(_ data: [UInt8], limit: Int) -> [UInt8]? {
        var size = Swift.min(limit, Swift.max(64 * 1024, data.count * 8))
        while true {
            var output = [UInt8](repeating: 0, count: size)
            var length = uLongf(size)
            let status = output.withUnsafeMutableBufferPointer { out in
                data.withUnsafeBufferPointer { input in
                    uncompress(out.baseAddress, &length, input.baseAddress, uLong(input.count))
                }
            }
            if status == Z_OK { return Array(output.prefix(Int(length))) }
            guard status == Z_BUF_ERROR, size < limit else { return nil }
            size = Swift.min(limit, size * 4)
        }
    }
}
