public import Foundation
public import InbetweenAPI
public import InbetweenEngine

/// An input image copied into our work directory and checked against the limits; only files
/// staged here are ever handed to ffmpeg.
public struct StagedImage: Sendable, Hashable {
    /// `image` or `image_tail`: named in every message about this image.
    public var field: String
    public var path: String
    public var format: ImageFormat
    public var byteCount: Int
    /// The size as shown: after the EXIF orientation is applied.
    public var size: PixelSize
    /// EXIF orientation (1 upright ... 8), from JPEG APP1, PNG `eXIf` or WebP `EXIF`.
    public var orientation: Int = 1
    /// What the container says beside the pixels: colour tag, alpha, animation.
    public var traits = ImageTraits()
}

/// Fetches an image URL. The server supplies one that passes its SSRF guard.
public protocol ImageFetcher: Sendable {
    /// The body at `url`, at most `maxBytes` long.
    func fetch(_ url: URL, maxBytes: Int) async throws -> [UInt8]
}

/// Turns image references (paths, URLs, data URIs) into staged, probed, limit-checked files,
/// and decodes them fitted to an output size.
public struct ImageStager: Sendable {
    /// The colour transparent parts of an image are composited over, in sRGB: white. The CLI,
    /// the API and the playground's preview all show transparency over this colour.
    public static let background: (r: UInt8, g: UInt8, b: UInt8) = (255, 255, 255)

    public var ffmpeg: FFmpeg
    public var limits: ImageLimits
    /// A private directory that only we write to.
    public var directory: URL
    public var fetcher: (any ImageFetcher)?

    public init(ffmpeg: FFmpeg, directory: URL, limits: ImageLimits = .contract, fetcher: (any ImageFetcher)? = nil) {
        self.ffmpeg = ffmpeg
        self.directory = directory
        self.limits = limits
        self.fetcher = fetcher
    }

    /// Reads `reference` into the work directory and checks its format, size, pixel count and
    /// aspect ratio. Problems with the image throw `APIError.invalidImage` naming `field`.
    public func stage(_ reference: ImageReference, field: String) async throws -> StagedImage {
        let (bytes, format) = try await read(reference, field: field)
        return try await stage(bytes: bytes, format: format, field: field)
    }

    /// Writes image bytes already read and checked by `read` (their sniffed `format`) into the
    /// work directory, and checks their size, as shown, against the pixel and aspect limits.
    /// An animated WebP is staged as its first frame. Problems with the image (a coding we do
    /// not decode included) throw `APIError.invalidImage` naming `field`.
    public func stage(bytes: [UInt8], format: ImageFormat, field: String) async throws -> StagedImage {
        var traits = ImageTraits.read(bytes, format: format)
        if let unsupported = traits.unsupported {
            throw APIError.invalidImage(field, "`\(field)` cannot be used: \(unsupported).")
        }
        let path = directory.appendingPathComponent("\(field)-\(UUID().uuidString).\(format.rawValue)").path
        guard
            FileManager.default.createFile(
                atPath: path, contents: Data(traits.firstFrame?.bytes ?? bytes), attributes: [.posixPermissions: 0o600])
        else {
            throw MediaError(.ioFailed, "could not write \(path)")
        }
        traits.firstFrame?.bytes = []  // written; only its place on the canvas is needed from here
        let orientation = traits.orientation
        // The header gives the size without starting a process; ffprobe is asked only when
        // it cannot be read, for the decoder's own words on what is wrong.
        let stored =
            if let header = ImageHeader.size(bytes, format: format) {
                PixelSize(width: header.width, height: header.height)
            } else {
                try await probe(path: path, format: format, traits: traits, field: field)
            }
        let size = ExifOrientation.swapsSides(orientation) ? PixelSize(width: stored.height, height: stored.width) : stored
        try limits.check(width: size.width, height: size.height, field: field)
        return StagedImage(
            field: field, path: path, format: format, byteCount: bytes.count, size: size, orientation: orientation, traits: traits)
    }

    /// The bytes of `reference` (fetched, read or decoded) and their sniffed format, checked to
    /// be a non-empty PNG, JPEG or WebP within the byte limit; not decoded.
    public func read(_ reference: ImageReference, field: String) async throws -> (bytes: [UInt8], format: ImageFormat) {
        let bytes: [UInt8]
        switch reference {
        case .data(_, let data):
            bytes = data
        case .file(let path):
            bytes = try readLocal(path, field: field)
        case .url(let url):
            guard let fetcher else {
                throw APIError.invalidImage(field, "`\(field)` is a URL, but fetching URLs is not enabled here.")
            }
            do {
                bytes = try await fetcher.fetch(url, maxBytes: limits.maxBytes)
            } catch let error as APIError {
                throw error
            } catch {
                throw APIError.invalidImage(
                    field, "`\(field)` could not be fetched from \(ImageReference.excerpt(url.host ?? "its host")): \(error).")
            }
        }
        guard !bytes.isEmpty else { throw APIError.invalidImage(field, "`\(field)` is empty (0 bytes).") }
        guard bytes.count <= limits.maxBytes else { throw tooLarge(field) }
        guard let format = ImageFormat.sniff(bytes) else {
            throw APIError.invalidImage(field, ImageFormat.notAccepted(bytes, field: field))
        }
        return (bytes, format)
    }

    /// Stages both images (`image`, `image_tail`) and decodes them cover-cropped to the aspect
    /// bucket that the start image picks at `resolution`.
    public func fittedPair(start: ImageReference, end: ImageReference, resolution: Resolution) async throws -> (start: RGBImage, end: RGBImage) {
        async let stagedStart = stage(start, field: "image")
        async let stagedEnd = stage(end, field: "image_tail")
        let (startFile, endFile) = try await (stagedStart, stagedEnd)
        return try await fittedPair(staged: startFile, endFile, resolution: resolution)
    }

    /// Decodes two staged images cover-cropped to the aspect bucket that the start image picks
    /// at `resolution`.
    public func fittedPair(staged startFile: StagedImage, _ endFile: StagedImage, resolution: Resolution) async throws -> (
        start: RGBImage, end: RGBImage
    ) {
        let size = OutputGeometry.bucket(for: startFile.size, shortSide: resolution.shortSide)
        async let decodedStart = decode(startFile, fit: OutputGeometry.coverFit(source: startFile.size, target: size))
        async let decodedEnd = decode(endFile, fit: OutputGeometry.coverFit(source: endFile.size, target: size))
        return try await (decodedStart, decodedEnd)
    }

    /// Decodes a staged image and fits it to `fit.target` by cover-crop (lanczos), as sRGB.
    ///
    /// In order: the first frame of an animation; transparency premultiplied (so hidden colours
    /// of transparent pixels do not bleed into their neighbours when scaled); the EXIF
    /// orientation; scale and crop; an embedded profile or PNG gAMA/cHRM converted to sRGB
    /// (`ColourConverter`) at the fitted size, where it costs a few milliseconds whatever the
    /// input's size; then transparency composited over `ImageStager.background`, in sRGB (as
    /// browsers do it: convert, then composite).
    /// - Returns: `fit.target` pixels, 3 bytes each.
    /// - Throws: `APIError.invalidImage` naming the field when the pixels cannot be decoded.
    public func decode(_ image: StagedImage, fit: CoverFit) async throws -> RGBImage {
        let target = fit.target
        let traits = image.traits
        var filters = traits.hasAlpha ? ["format=gbrap"] : []
        if let frame = traits.firstFrame, !frame.coversCanvas {
            filters.append("pad=\(frame.canvasWidth):\(frame.canvasHeight):\(frame.x):\(frame.y):color=black@0")
        }
        if traits.hasAlpha { filters.append("premultiply=inplace=1") }
        filters +=
            ExifOrientation.filters(image.orientation) + [
                "scale=\(fit.scaled.width):\(fit.scaled.height):flags=lanczos+accurate_rnd+full_chroma_int",
                "crop=\(target.width):\(target.height):\(fit.cropX):\(fit.cropY)",
            ]
        let pixelFormat = traits.hasAlpha ? "rgba" : "rgb24"
        filters.append("format=\(pixelFormat)")
        let expected = target.pixelCount * (traits.hasAlpha ? 4 : 3)
        let outcome = try await ffmpeg.run(
            ffmpeg.ffmpegPath,
            // ffmpeg may or may not turn a JPEG by its EXIF tag depending on its version; we
            // turn it ourselves (the same on every version) and tell ffmpeg not to.
            FFmpeg.hardening + inputOptions(image.format) + [
                "-noautorotate", "-i", image.path, "-frames:v", "1", "-vf", filters.joined(separator: ","), "-f", "rawvideo", "-pix_fmt",
                pixelFormat, "pipe:1",
            ],
            outputLimit: expected + 1, timeout: ffmpeg.decodeTimeout)
        guard outcome.succeeded, outcome.output.count == expected else {
            throw decodeFailure(image)
        }
        guard traits.hasAlpha else { return ColourConverter.toSRGB(RGBImage(size: target, pixels: outcome.output), traits: traits) }
        guard ColourConverter.needsConversion(traits) else {
            return RGBImage(size: target, pixels: Self.flatten(premultiplied: outcome.output))
        }
        // As browsers do: the colour is converted to sRGB first, and composited over the
        // (sRGB) background after; blending in the source space would tint the edges.
        let (colour, alpha) = Self.unpremultiply(outcome.output)
        let converted = ColourConverter.toSRGB(RGBImage(size: target, pixels: colour), traits: traits)
        return RGBImage(size: target, pixels: Self.composite(converted.pixels, alpha: alpha))
    }

    /// Premultiplied RGBA split into straight RGB (3 bytes a pixel; black where the pixel is
    /// fully transparent) and alpha (1 byte a pixel).
    static func unpremultiply(_ rgba: [UInt8]) -> (rgb: [UInt8], alpha: [UInt8]) {
        let count = rgba.count / 4
        var rgb = [UInt8](repeating: 0, count: count * 3)
        var alpha = [UInt8](repeating: 0, count: count)
        for pixel in 0..<count {
            let a = Int(rgba[pixel * 4 + 3])
            alpha[pixel] = UInt8(a)
            guard a > 0 else { continue }
            for channel in 0..<3 {
                rgb[pixel * 3 + channel] = UInt8(Swift.min(255, (Int(rgba[pixel * 4 + channel]) * 255 + a / 2) / a))
            }
        }
        return (rgb, alpha)
    }

    /// Straight RGB with its alpha composited over `background`: RGB, 3 bytes a pixel.
    static func composite(_ rgb: [UInt8], alpha: [UInt8]) -> [UInt8] {
        let background = [Int(Self.background.r), Int(Self.background.g), Int(Self.background.b)]
        var out = [UInt8](repeating: 0, count: rgb.count)
        for pixel in 0..<alpha.count {
            let a = Int(alpha[pixel])
            for channel in 0..<3 {
                out[pixel * 3 + channel] = UInt8((Int(rgb[pixel * 3 + channel]) * a + background[channel] * (255 - a) + 127) / 255)
            }
        }
        return out
    }

    /// Premultiplied RGBA composited over `background`: RGB, 3 bytes a pixel.
    static func flatten(premultiplied rgba: [UInt8]) -> [UInt8] {
        let count = rgba.count / 4
        let background = [Int(Self.background.r), Int(Self.background.g), Int(Self.background.b)]
        return [UInt8](unsafeUninitializedCapacity: count * 3) { out, initialised in
            rgba.withUnsafeBufferPointer { source in
                for pixel in 0..<count {
                    let uncovered = 255 - Int(source[pixel * 4 + 3])
                    for channel in 0..<3 {
                        let value = Int(source[pixel * 4 + channel]) + (background[channel] * uncovered + 127) / 255
                        out[pixel * 3 + channel] = UInt8(Swift.min(255, value))
                    }
                }
            }
            initialised = count * 3
        }
    }

    /// Most bytes the decoder may ask for in one allocation: the largest frame the pixel limit
    /// allows (16-bit RGBA, 8 bytes a pixel) and some room. Anything larger (a zlib bomb inside
    /// a chunk the decoder inflates) fails that allocation instead of taking the machine's memory.
    var maxAllocation: Int { limits.maxPixels * 8 + (64 << 20) }

    /// Demuxer, decoder and limits for one format; decoding stops at the first error.
    private func inputOptions(_ format: ImageFormat) -> [String] {
        let (demuxer, decoder) =
            switch format {
            case .png: ("png_pipe", "png")
            case .jpeg: ("jpeg_pipe", "mjpeg")
            case .webp: ("webp_pipe", "webp")
            }
        return [
            "-max_alloc", String(maxAllocation), "-xerror", "-err_detect", "explode", "-max_pixels", String(limits.maxPixels), "-format_whitelist",
            demuxer, "-codec_whitelist", decoder,
            "-f", demuxer,
        ]
    }

    private func probe(path: String, format: ImageFormat, traits: ImageTraits, field: String) async throws -> PixelSize {
        let (size, _) = try await ffmpeg.probeSize(path, options: inputOptions(format).filter { $0 != "-xerror" })
        guard let size else { throw headerFailure(format: format, traits: traits, field: field) }
        return size
    }

    private func readLocal(_ path: String, field: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw APIError.invalidImage(field, "`\(field)` file not found: \(ImageReference.excerpt(path)).")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw APIError.invalidImage(field, "`\(field)` file cannot be read: \(ImageReference.excerpt(path)).")
        }
        defer { try? handle.close() }
        // Read one byte past the limit so an oversize file is refused without reading it all.
        let data = (try? handle.read(upToCount: limits.maxBytes + 1)) ?? Data()
        guard data.count <= limits.maxBytes else { throw tooLarge(field) }
        return [UInt8](data)
    }

    private func tooLarge(_ field: String) -> APIError {
        .invalidImage(field, "`\(field)` is larger than \(limits.maxBytes / (1024 * 1024)) MiB; images may be at most that size.")
    }
}
