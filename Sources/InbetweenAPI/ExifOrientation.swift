/// The EXIF orientation (1 upright ... 8) of a JPEG, read from its APP1 segment, or of any EXIF
/// block (a PNG `eXIf` or WebP `EXIF` chunk), so that a phone photo stored sideways is shown the
/// way it was taken.
public enum ExifOrientation {
    /// The orientation tag (1...8) of `jpeg`, or 1 when there is none or it cannot be read.
    public static func read(_ jpeg: [UInt8]) -> Int {
        guard jpeg.count > 4, jpeg[0] == 0xFF, jpeg[1] == 0xD8 else { return 1 }
        var offset = 2
        // Walk the segments before the image data; EXIF lives in an early APP1.
        while offset + 4 <= jpeg.count, jpeg[offset] == 0xFF {
            let marker = jpeg[offset + 1]
            if marker == 0xDA || marker == 0xD9 { break }
            let length = Int(jpeg[offset + 2]) << 8 | Int(jpeg[offset + 3])
            guard length >= 2, offset + 2 + length <= jpeg.count else { break }
            if marker == 0xE1, length >= 16, Array(jpeg[(offset + 4)..<(offset + 10)]) == Array("Exif\0\0".utf8) {
                return tiffOrientation(Array(jpeg[(offset + 10)..<(offset + 2 + length)])) ?? 1
            }
            offset += 2 + length
        }
        return 1
    }

    /// The orientation tag (0x0112) of IFD0 in an EXIF block: TIFF data, with or without the
    /// `Exif\0\0` prefix that JPEG's APP1 has (and some writers keep in PNG and WebP chunks).
    /// - Returns: 1...8, or nil when the block has no readable tag.
    public static func tiffOrientation(_ block: [UInt8]) -> Int? {
        let tiff = block.starts(with: Array("Exif\0\0".utf8)) ? Array(block.dropFirst(6)) : block
        guard tiff.count >= 8 else { return nil }
        let big: Bool
        switch (tiff[0], tiff[1]) {
        case (0x4D, 0x4D): big = true
        case (0x49, 0x49): big = false
        default: return nil
        }
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= tiff.count else { return nil }
            return big ? Int(tiff[at]) << 8 | Int(tiff[at + 1]) : Int(tiff[at + 1]) << 8 | Int(tiff[at])
        }
        func u32(_ at: Int) -> Int? {
            guard let high = u16(big ? at : at + 2), let low = u16(big ? at + 2 : at) else { return nil }
            return high << 16 | low
        }
        guard let ifd = u32(4), let count = u16(ifd), count < 512 else { return nil }
        for entry in 0..<count {
            let at = ifd + 2 + entry * 12
            guard let tag = u16(at) else { return nil }
            if tag == 0x0112, let value = u16(at + 8), (1...8).contains(value) { return value }
        }
        return nil
    }

    /// Whether `orientation` turns the picture a quarter turn (width and height swap).
    public static func swapsSides(_ orientation: Int) -> Bool { (5...8).contains(orientation) }

    /// The ffmpeg filters that bring a picture stored with `orientation` upright.
    public static func filters(_ orientation: Int) -> [String] {
        switch orientation {
        case 2: ["hflip"]
        case 3: ["hflip", "vflip"]
        case 4: ["vflip"]
        case 5: ["transpose=cclock_flip"]
        case 6: ["transpose=clock"]
        case 7: ["transpose=clock_flip"]
        case 8: ["transpose=cclock"]
        default: []
        }
    }
}
