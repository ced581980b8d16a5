import InbetweenAPI

extension ImageTraits {
    /// Walks a JPEG's segments up to the scan: `APP1 Exif` (orientation), `APP2 ICC_PROFILE`
    /// (a profile split over numbered segments), the start-of-frame marker (how many
    /// components; its coding through `ImageHeader.unsupportedCoding`); then looks for the
    /// end-of-image marker near the end.
    static func jpeg(_ b: [UInt8]) -> ImageTraits {
        var traits = ImageTraits()
        traits.orientation = ExifOrientation.read(b)
        traits.unsupported = ImageHeader.unsupportedCoding(b, format: .jpeg)
        var profileParts: [Int: [UInt8]] = [:]
        var profileCount = 0
        var at = 2
        scan: while at + 4 <= b.count, b[at] == 0xFF {
            let marker = b[at + 1]
            if marker == 0xFF {
                at += 1
                continue
            }
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) {
                at += 2
                continue
            }
            guard let length = b.be16(at + 2), length >= 2, at + 2 + length <= b.count else { break }
            let body = Array(b[(at + 4)..<(at + 2 + length)])
            switch marker {
            case 0xE2 where body.count > 14 && body.starts(with: Array("ICC_PROFILE\0".utf8)):
                profileParts[Int(body[12])] = Array(body[14...])
                profileCount = Int(body[13])
            case 0xC0...0xCF where marker != 0xC4 && marker != 0xC8 && marker != 0xCC:
                traits.isGrey = body.count > 5 && body[5] == 1
            case 0xDA, 0xD9:
                break scan
            default:
                break
            }
            at += 2 + length
        }
        // A profile counts only when every numbered part (1...count) is there.
        if profileCount > 0, (1...profileCount).allSatisfy({ profileParts[$0] != nil }) {
            traits.colour = .iccProfile((1...profileCount).flatMap { profileParts[$0]! })
        }
        let tail = b.suffix(1024)
        traits.truncated = !zip(tail, tail.dropFirst()).contains { $0 == 0xFF && $1 == 0xD9 }
        return traits
    }
}
