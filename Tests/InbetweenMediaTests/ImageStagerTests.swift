import Foundation
import InbetweenAPI
import InbetweenEngine
import InbetweenMedia
import Testing

@Suite("Image inputs")
struct ImageStagerTests {
    /// Stages `path` as `field`; returns the refusal, or records an issue if there is none.
    func refusal(_ fixtures: borrowing Fixtures, _ reference: ImageReference, field: String = "image", limits: ImageLimits = .contract) async
        -> APIError?
    {
        let stager = ImageStager(ffmpeg: fixtures.ffmpeg, directory: fixtures.directory, limits: limits)
        do {
            let staged = try await stager.stage(reference, field: field)
            _ = try await stager.decode(staged, fit: OutputGeometry.coverFit(source: staged.size, target: PixelSize(width: 64, height: 64)))
            Issue.record("\(reference) was accepted")
            return nil
        } catch let error as APIError {
            #expect(error.field == field)
            #expect(error.message.hasPrefix("`\(field)`"), "\(error.message)")
            #expect(error.code.httpStatus == 422)
            return error
        } catch {
            Issue.record("\(reference) failed with \(error), not a 422 APIError")
            return nil
        }
    }

    @Test(arguments: ["png", "jpg", "webp"])
    func stagesEveryAcceptedFormat(ext: String) async throws {
        let fixtures = try Fixtures()
        let path = try fixtures.image("in.\(ext)", width: 320, height: 240)
        let stager = ImageStager(ffmpeg: fixtures.ffmpeg, directory: fixtures.directory)
        let staged = try await stager.stage(.file(path), field: "image")
        #expect(staged.size == PixelSize(width: 320, height: 240))
        #expect(staged.format.rawValue == (ext == "jpg" ? "jpeg" : ext))
        #expect(staged.path != path, "ffmpeg must only read our own copy")
        let fitted = try await stager.decode(staged, fit: OutputGeometry.coverFit(source: staged.size, target: PixelSize(width: 96, height: 96)))
        #expect(fitted.size == PixelSize(width: 96, height: 96))
    }

    @Test func coverCropKeepsTheCentre() async throws {
        // Left third red, middle green, right third blue; a square crop of the 3:1 picture keeps only green.
        let fixtures = try Fixtures()
        let path = fixtures.path("bands.png")
        try fixtures.ffmpegRun([
            "-f", "lavfi", "-i", "color=red:size=100x100", "-f", "lavfi", "-i", "color=lime:size=100x100", "-f", "lavfi", "-i",
            "color=blue:size=100x100", "-filter_complex", "[0][1][2]hstack=inputs=3", "-frames:v", "1", path,
        ])
        let stager = ImageStager(ffmpeg: fixtures.ffmpeg, directory: fixtures.directory)
        let staged = try await stager.stage(.file(path), field: "image")
        let fitted = try await stager.decode(staged, fit: OutputGeometry.coverFit(source: staged.size, target: PixelSize(width: 90, height: 90)))
        for (x, y) in [(2, 2), (45, 45), (87, 87), (2, 87)] {
            let pixel = fitted[x, y]
            #expect(pixel.g > 240 && pixel.r < 15 && pixel.b < 15, "pixel \(x),\(y) is \(pixel)")
        }
    }

    @Test func zeroByteFile() async throws {
        let fixtures = try Fixtures()
        let error = await refusal(fixtures, .file(try fixtures.file("empty.png", [])))
        #expect(error?.message.contains("empty (0 bytes)") == true)
    }

    @Test func textFileNamedPNG() async throws {
        let fixtures = try Fixtures()
        let error = await refusal(
            fixtures, .file(try fixtures.file("notes.png", Array("just some words, not a picture\n".utf8))), field: "image_tail")
        #expect(error?.message.contains("not a PNG, JPEG or WebP image") == true)
    }

    @Test func unsupportedFormat() async throws {
        let fixtures = try Fixtures()
        let gif = try fixtures.image("anim.gif", width: 64, height: 64)
        let error = await refusal(fixtures, .file(gif))
        #expect(error?.message.contains("not a PNG, JPEG or WebP image") == true)
    }

    @Test func truncatedJPEG() async throws {
        let fixtures = try Fixtures()
        let whole = try Data(contentsOf: URL(fileURLWithPath: try fixtures.image("whole.jpg", width: 800, height: 600)))
        let cut = try fixtures.file("cut.jpg", Array(whole.prefix(whole.count * 2 / 3)))
        let error = await refusal(fixtures, .file(cut))
        #expect(error?.message.contains("damaged or truncated") == true, "\(error?.message ?? "")")
    }

    @Test func truncatedPNGHeader() async throws {
        let fixtures = try Fixtures()
        let whole = try Data(contentsOf: URL(fileURLWithPath: try fixtures.image("whole.png", width: 64, height: 64)))
        let error = await refusal(fixtures, .file(try fixtures.file("cut.png", Array(whole.prefix(20)))))
        #expect(error?.message == "`image` is truncated: the PNG file ends inside its header.", "\(error?.message ?? "")")
    }

    @Test func oversizePixelCount() async throws {
        // A decompression bomb in miniature: a small file that decodes to 42 megapixels.
        let fixtures = try Fixtures()
        let bomb = try fixtures.image("bomb.png", width: 7000, height: 6000, source: "color=c=black")
        let bytes = try #require(try FileManager.default.attributesOfItem(atPath: bomb)[.size] as? Int)
        #expect(bytes < 1_000_000)
        let error = await refusal(fixtures, .file(bomb))
        #expect(error?.message.contains("7000x6000 (42.0 megapixels)") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("at most 40 megapixels") == true)
    }

    @Test func aspectRatioOfFourToOneIsRefused() async throws {
        let fixtures = try Fixtures()
        let error = await refusal(fixtures, .file(try fixtures.image("wide.png", width: 800, height: 200)))
        #expect(error?.message.contains("aspect ratio of 4.00:1; it must be under 4:1") == true, "\(error?.message ?? "")")
        let stager = ImageStager(ffmpeg: fixtures.ffmpeg, directory: fixtures.directory)
        _ = try await stager.stage(.file(try fixtures.image("ok.png", width: 780, height: 200)), field: "image")
    }

    @Test func oversizeFile() async throws {
        let fixtures = try Fixtures()
        let limits = ImageLimits(maxBytes: 50_000)
        let big = try fixtures.file("big.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 7, count: 60_000))
        let error = await refusal(fixtures, .file(big), limits: limits)
        #expect(error?.message.contains("larger than") == true)
    }

    @Test func missingFile() async throws {
        let fixtures = try Fixtures()
        let error = await refusal(fixtures, .file(fixtures.path("nope.png")))
        #expect(error?.message.contains("file not found") == true)
    }

    @Test func dataURIBytesAreStaged() async throws {
        let fixtures = try Fixtures()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try fixtures.image("d.webp", width: 40, height: 30))))
        let stager = ImageStager(ffmpeg: fixtures.ffmpeg, directory: fixtures.directory)
        let staged = try await stager.stage(.data(.webp, bytes), field: "image_tail")
        #expect(staged.size == PixelSize(width: 40, height: 30))
        #expect(staged.format == .webp)
    }

    @Test func urlsNeedAFetcher() async throws {
        let fixtures = try Fixtures()
        let error = await refusal(fixtures, .url(URL(string: "https://example.com/a.png")!))
        #expect(error?.message.contains("fetching URLs is not enabled") == true)
    }
}

@Suite("EXIF orientation")
struct ExifOrientationTests {
    /// A JPEG with an APP1 EXIF segment carrying `orientation`, inserted after SOI.
    static func withOrientation(_ jpeg: [UInt8], _ orientation: UInt8, bigEndian: Bool) -> [UInt8] {
        let tiff: [UInt8] =
            bigEndian
            ? [0x4D, 0x4D, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0]
            : [0x49, 0x49, 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, orientation, 0, 0, 0, 0, 0, 0, 0]
        let payload = Array("Exif\0\0".utf8) + tiff
        let length = payload.count + 2
        return [0xFF, 0xD8, 0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload + Array(jpeg.dropFirst(2))
    }

    @Test func readsTheTag() {
        let bare: [UInt8] = [0xFF, 0xD8, 0xFF, 0xD9]
        #expect(ExifOrientation.read(bare) == 1)
        for value in UInt8(1)...8 {
            #expect(ExifOrientation.read(Self.withOrientation(bare, value, bigEndian: true)) == Int(value))
            #expect(ExifOrientation.read(Self.withOrientation(bare, value, bigEndian: false)) == Int(value))
        }
        #expect(ExifOrientation.read(Array("not a jpeg".utf8)) == 1)
        #expect(ExifOrientation.read([0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 1, 2]) == 1, "a segment longer than the file is ignored")
    }

    @Test func aSidewaysPhotoIsShownUpright() async throws {
        // Stored landscape: red on the left, blue on the right. Orientation 6 says "turn a
        // quarter clockwise to show": upright it is portrait, red on top, blue below.
        let fixtures = try Fixtures()
        let stored = fixtures.path("stored.jpg")
        try fixtures.ffmpegRun([
            "-f", "lavfi", "-i", "color=red:size=160x240", "-f", "lavfi", "-i", "color=blue:size=160x240", "-filter_complex",
            "[0][1]hstack=inputs=2", "-frames:v", "1", "-q:v", "2", stored,
        ])
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: stored)))
        let rotated = try fixtures.file("phone.jpg", Self.withOrientation(bytes, 6, bigEndian: false))
        let stager = ImageStager(ffmpeg: fixtures.ffmpeg, directory: fixtures.directory)
        let staged = try await stager.stage(.file(rotated), field: "image")
        #expect(staged.orientation == 6)
        #expect(staged.size == PixelSize(width: 240, height: 320))
        let upright = try await stager.decode(staged, fit: OutputGeometry.coverFit(source: staged.size, target: PixelSize(width: 240, height: 320)))
        let top = upright[120, 40]
        let bottom = upright[120, 280]
        #expect(top.r > 200 && top.b < 60, "top is \(top)")
        #expect(bottom.b > 200 && bottom.r < 60, "bottom is \(bottom)")
    }
}
