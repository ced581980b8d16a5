import CLittleCMS
public import InbetweenEngine

/// Converts 8-bit RGB pixels from an image's tagged colour space to sRGB with Little CMS.
///
/// Intent: perceptual (what Pillow's `ImageCms.profileToProfile` and most image editors use by
/// default; for the matrix/TRC profiles that cameras, phones and design tools embed, such as
/// Display P3, Adobe RGB and ProPhoto RGB, it is the same as relative colorimetric: the
/// source white becomes sRGB white and colours outside sRGB are clipped). No black-point
/// compensation. Untagged and sRGB-tagged images are left as they are; a profile Little CMS
/// cannot read, or one for a colour space that does not match the pixels (CMYK, Lab, a grey
/// profile on a colour image, an RGB profile on a grey one, as libpng), is ignored as browsers ignore it.
public enum ColourConverter {
    /// Whether `traits` asks for a conversion at all.
    public static func needsConversion(_ traits: ImageTraits) -> Bool {
        switch traits.colour {
        case .untagged, .sRGB: false
        case .iccProfile: true
        case .pngChunks(let gamma, let chromaticities): !isSRGBLike(gamma: gamma, chromaticities: chromaticities)
        }
    }

    /// Converts `image` (RGB, 3 bytes a pixel) from the colour space `traits` names to sRGB.
    /// - Returns: the converted image, or `image` unchanged when there is nothing to convert or
    ///   the tag cannot be used.
    public static func toSRGB(_ image: RGBImage, traits: ImageTraits) -> RGBImage {
        guard needsConversion(traits), let source = profile(traits) else { return image }
        defer { cmsCloseProfile(source) }
        let space = cmsGetColorSpace(source)
        let input: cmsUInt32Number
        if space == cmsSigRgbData, !traits.isGrey {
            input = inbetween_lcms_rgb8()
        } else if space == cmsSigGrayData, traits.isGrey {
            input = inbetween_lcms_grey_in_rgb8()
        } else {
            return image
        }
        guard let sRGB = cmsCreate_sRGBProfile() else { return image }
        defer { cmsCloseProfile(sRGB) }
        guard
            let transform = cmsCreateTransform(
                source, input, sRGB, inbetween_lcms_rgb8(), cmsUInt32Number(INTENT_PERCEPTUAL), cmsUInt32Number(cmsFLAGS_NOCACHE))
        else { return image }
        defer { cmsDeleteTransform(transform) }
        var output = [UInt8](repeating: 0, count: image.pixels.count)
        image.pixels.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { target in
                cmsDoTransform(transform, source.baseAddress, target.baseAddress, cmsUInt32Number(image.size.pixelCount))
            }
        }
        return RGBImage(size: image.size, pixels: output)
    }

    /// What `toSRGB` does with an image of these traits, in words: the profile's own name when
    /// it has one, e.g. `ICC profile "Display P3" converted to sRGB (perceptual)`.
    public static func describe(_ traits: ImageTraits) -> String {
        switch traits.colour {
        case .untagged:
            return "untagged: taken as sRGB"
        case .sRGB:
            return "sRGB (PNG sRGB chunk)"
        case .pngChunks:
            return needsConversion(traits) ? "PNG gAMA/cHRM converted to sRGB (perceptual)" : "PNG gAMA 1/2.2: taken as sRGB"
        case .iccProfile:
            guard let source = profile(traits) else { return "ICC profile unreadable: ignored, taken as sRGB" }
            defer { cmsCloseProfile(source) }
            let space = cmsGetColorSpace(source)
            guard (space == cmsSigRgbData && !traits.isGrey) || (space == cmsSigGrayData && traits.isGrey) else {
                return "ICC profile for other pixels (\(space == cmsSigRgbData ? "an RGB profile on a grey image" : "not RGB")): ignored"
            }
            var buffer = [CChar](repeating: 0, count: 128)
            let length = cmsGetProfileInfoASCII(source, cmsInfoDescription, "en", "US", &buffer, cmsUInt32Number(buffer.count))
            let name = length > 1 ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
            return "ICC profile\(name.isEmpty ? "" : " \"\(name)\"") converted to sRGB (perceptual)"
        }
    }

    /// The source profile `traits` describes, or nil when it cannot be made.
    private static func profile(_ traits: ImageTraits) -> cmsHPROFILE? {
        switch traits.colour {
        case .untagged, .sRGB:
            return nil
        case .iccProfile(let bytes):
            return bytes.withUnsafeBytes { cmsOpenProfileFromMem($0.baseAddress, cmsUInt32Number($0.count)) }
        case .pngChunks(let gamma, let chromaticities):
            // As browsers read them: gAMA alone means sRGB primaries with that power curve;
            // cHRM alone, those primaries with the sRGB curve's usual stand-in, 1/2.2.
            let decoding = 1 / (gamma ?? 1 / 2.2)
            let c = chromaticities ?? Self.sRGBPrimaries
            var white = cmsCIExyY(x: c.white[0], y: c.white[1], Y: 1)
            var primaries = cmsCIExyYTRIPLE(
                Red: cmsCIExyY(x: c.red[0], y: c.red[1], Y: 1), Green: cmsCIExyY(x: c.green[0], y: c.green[1], Y: 1),
                Blue: cmsCIExyY(x: c.blue[0], y: c.blue[1], Y: 1))
            guard let curve = cmsBuildGamma(nil, decoding) else { return nil }
            defer { cmsFreeToneCurve(curve) }
            let curves: [OpaquePointer?] = [curve, curve, curve]
            return curves.withUnsafeBufferPointer { cmsCreateRGBProfile(&white, &primaries, $0.baseAddress) }
        }
    }

    /// A Display P3 ICC profile (D65 white, P3 primaries, the sRGB curve), made by Little CMS:
    /// what iPhones embed, for tests and the staging benchmark.
    /// - Returns: the profile's bytes, about 600.
    public static func displayP3Profile() -> [UInt8] {
        var white = cmsCIExyY(x: 0.3127, y: 0.3290, Y: 1)
        var primaries = cmsCIExyYTRIPLE(
            Red: cmsCIExyY(x: 0.680, y: 0.320, Y: 1), Green: cmsCIExyY(x: 0.265, y: 0.690, Y: 1), Blue: cmsCIExyY(x: 0.150, y: 0.060, Y: 1))
        let parameters: [cmsFloat64Number] = [2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045]
        guard let curve = parameters.withUnsafeBufferPointer({ cmsBuildParametricToneCurve(nil, 4, $0.baseAddress) }) else { return [] }
        defer { cmsFreeToneCurve(curve) }
        let curves: [OpaquePointer?] = [curve, curve, curve]
        guard let profile = curves.withUnsafeBufferPointer({ cmsCreateRGBProfile(&white, &primaries, $0.baseAddress) }) else { return [] }
        defer { cmsCloseProfile(profile) }
        var length: cmsUInt32Number = 0
        guard cmsSaveProfileToMem(profile, nil, &length) != 0, length > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: Int(length))
        guard bytes.withUnsafeMutableBytes({ cmsSaveProfileToMem(profile, $0.baseAddress, &length) }) != 0 else { return [] }
        return bytes
    }

    /// `jpeg` with `profile` embedded as APP2 `ICC_PROFILE` segments right after its SOI marker.
    public static func embedding(_ profile: [UInt8], inJPEG jpeg: [UInt8]) -> [UInt8] {
        let parts = stride(from: 0, to: profile.count, by: 65_519).map { Array(profile[$0..<min($0 + 65_519, profile.count)]) }
        var out = Array(jpeg.prefix(2))
        for (index, part) in parts.enumerated() {
            let length = 2 + 14 + part.count
            out += [0xFF, 0xE2, UInt8(length >> 8), UInt8(length & 0xFF)] + Array("ICC_PROFILE\0".utf8)
            out += [UInt8(index + 1), UInt8(parts.count)] + part
        }
        return out + jpeg.dropFirst(2)
    }

    static let sRGBPrimaries = ImageTraits.Chromaticities(white: [0.3127, 0.3290], red: [0.64, 0.33], green: [0.30, 0.60], blue: [0.15, 0.06])

    /// gAMA 1/2.2 (within 1%) with no cHRM or sRGB's own: what most PNG writers put beside
    /// sRGB pixels, shown as sRGB by browsers; converting it would only shift the shadows.
    static func isSRGBLike(gamma: Double?, chromaticities: ImageTraits.Chromaticities?) -> Bool {
        let gammaLike = gamma.map { abs($0 * 2.2 - 1) < 0.01 } ?? true
        let primariesLike =
            chromaticities.map { c in
                zip(
                    c.white + c.red + c.green + c.blue,
                    sRGBPrimaries.white + sRGBPrimaries.red + sRGBPrimaries.green + sRGBPrimaries.blue
                ).allSatisfy { abs($0 - $1) < 0.0015 }
            } ?? true
        return gammaLike && primariesLike
    }
}
