import Foundation
import InbetweenAPI
import InbetweenEngine
import InbetweenMedia
import Testing

/// The corpus `scripts/make-input-corpus.py` writes at test time, with what each file must become.
struct InputCorpus: Decodable {
    struct Case: Decodable, CustomStringConvertible {
        var name: String
        var file: String
        /// Width and height as shown (after orientation).
        var size: [Int]
        /// [x, y, r, g, b] in the picture as shown, sRGB.
        var samples: [[Int]]
        /// Words the refusal must contain, for a file that must be refused.
        var refusal: String?
        var description: String { name }
    }

    var background: [Int]
    var cases: [Case]
    var directory: URL

    enum CodingKeys: String, CodingKey { case background, cases }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        background = try container.decode([Int].self, forKey: .background)
        cases = try container.decode([Case].self, forKey: .cases)
        directory = URL(fileURLWithPath: "/")
    }

    /// Runs the script into `directory` and reads its list.
    static func make(in directory: URL) throws -> InputCorpus {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root.appendingPathComponent("scripts/make-input-corpus.py").path, directory.path]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "scripts/make-input-corpus.py failed (scripts/install-deps.sh installs Pillow and cjpeg)")
        var corpus = try JSONDecoder().decode(InputCorpus.self, from: Data(contentsOf: directory.appendingPathComponent("corpus.json")))
        corpus.directory = directory
        return corpus
    }

    func path(_ item: Case) -> String { directory.appendingPathComponent(item.file).path }
}

/// Issue 17: what the service does with colour profiles, transparency, animation and
/// orientation, checked pixel by pixel against Little CMS (through Pillow's ImageCms) and
/// Pillow's own compositing and EXIF transposition, within 3 levels.
@Suite("Input fidelity")
struct InputFidelityTests {
    static let tolerance = 3

    /// Stages and decodes every case whose name passes `filter` at its own size (no scaling),
    /// checking its samples; returns how many were checked.
    @discardableResult
    func check(_ filter: (String) -> Bool) async throws -> Int {
        let fixtures = try Fixtures()
        let corpus = try InputCorpus.make(in: fixtures.directory)
        #expect(corpus.background == [255, 255, 255], "the script composites over ImageStager.background")
        let stager = ImageStager(ffmpeg: fixtures.ffmpeg, directory: fixtures.directory)
        var checked = 0
        for item in corpus.cases where filter(item.name) && item.refusal == nil {
            let staged = try await stager.stage(.file(corpus.path(item)), field: "image")
            let size = PixelSize(width: item.size[0], height: item.size[1])
            #expect(staged.size == size, "\(item): staged as \(staged.size)")
            let image = try await stager.decode(staged, fit: OutputGeometry.coverFit(source: staged.size, target: size))
            for sample in item.samples {
                let pixel = image[sample[0], sample[1]]
                let got = [Int(pixel.r), Int(pixel.g), Int(pixel.b)]
                let want = Array(sample[2...])
                #expect(
                    zip(got, want).allSatisfy { abs($0 - $1) <= Self.tolerance },
                    "\(item) at \(sample[0]),\(sample[1]): got \(got), Little CMS / Pillow give \(want)")
            }
            checked += 1
        }
        return checked
    }

    @Test func embeddedProfilesAreConvertedToSRGB() async throws {
        // ProPhoto RGB, Adobe RGB and Display P3 in PNG iCCP, JPEG APP2 and WebP ICCP, the
        // issue's grey square (128 tagged ProPhoto is about 146 in sRGB), and a grey profile.
        let count = try await check { name in ["prophoto", "adobergb", "displayp3", "grey 128", "grey profile"].contains { name.hasPrefix($0) } }
        #expect(count == 11)
    }

    @Test func pngColourChunksAreReadAsBrowsersDo() async throws {
        // gAMA alone, gAMA with cHRM, an sRGB chunk (which wins over gAMA), an untagged PNG,
        // and gAMA 1 and 0xFFFFFFFF (outside libpng's range: ignored, not all black or white).
        let count = try await check { $0.hasPrefix("png gAMA") || $0.hasPrefix("png sRGB") || $0.hasPrefix("untagged") }
        #expect(count == 6)
    }

    @Test func onlyTheProfileAReaderWouldUseCounts() async throws {
        // A PNG with two iCCP chunks (Display P3, then ProPhoto RGB) is converted from the
        // first; a WebP ICCP chunk without VP8X's ICC flag is not read (the file is untagged).
        let count = try await check { $0.hasPrefix("two iCCP png") || $0.hasPrefix("webp ICCP without") }
        #expect(count == 2)
    }

    @Test func otherFormatsAreNamedInTheRefusal() async throws {
        let fixtures = try Fixtures()
        let stager = ImageStager(ffmpeg: fixtures.ffmpeg, directory: fixtures.directory)
        let files: [(String, [UInt8], String)] = [
            ("a.gif", Array("GIF89a".utf8) + [1, 0, 1, 0, 0, 0, 0], "a GIF"),
            ("a.bmp", Array("BM".utf8) + [UInt8](repeating: 0, count: 20), "a BMP"),
            ("a.tiff", [0x49, 0x49, 0x2A, 0x00] + [UInt8](repeating: 0, count: 12), "a TIFF"),
        ]
        for (name, bytes, kind) in files {
            let want = "`image` is not a PNG, JPEG or WebP image: it is \(kind) image, which this service does not accept; save it as a PNG or JPEG."
            do {
                _ = try await stager.read(.file(try fixtures.file(name, bytes)), field: "image")
                Issue.record("\(name) was accepted")
            } catch let error as APIError {
                #expect(error.message == want)
            }
            // A data URI of it is refused the same way when the job is created.
            #expect {
                try ImageReference.checked(bytes, format: .png, field: "image")
            } throws: { error in
                (error as? APIError)?.message == want
            }
        }
    }

    @Test func anRGBProfileOnAGreyImageIsIgnored() async throws {
        let count = try await check { $0 == "RGB profile on grey png ignored" }
        #expect(count == 1)
    }

    @Test func transparencyWithAProfileIsConvertedThenComposited() async throws {
        // Display P3 (0, 200, 0) at alpha 128 is about (127, 229, 127): converted to sRGB first,
        // then composited over white, as Pillow's ImageCms and browsers do; PNG and WebP.
        let count = try await check { $0.hasSuffix("profile + alpha") }
        #expect(count == 2)
    }

    @Test func aPNGWhoseProfileIsAZlibBombIsRefusedBeforeDecoding() async throws {
        let fixtures = try Fixtures()
        let corpus = try InputCorpus.make(in: fixtures.directory)
        let item = try #require(corpus.cases.first { $0.name == "png iCCP zlib bomb" })
        let stager = ImageStager(ffmpeg: fixtures.ffmpeg, directory: fixtures.directory)
        do {
            _ = try await stager.stage(.file(corpus.path(item)), field: "image")
            Issue.record("a PNG whose profile inflates to 16 MiB was accepted")
        } catch let error as APIError {
            #expect(
                error.message
                    == "`image` cannot be used: its embedded ICC profile (PNG iCCP chunk) inflates to more than 4 MiB; a profile may be at most 4 MiB."
            )
            #expect(error.field == "image" && error.code.httpStatus == 422)
        }
    }

    @Test func damagedFilesAreRefusedInPlainWords() async throws {
        let fixtures = try Fixtures()
        let corpus = try InputCorpus.make(in: fixtures.directory)
        let jpeg = [UInt8](try Data(contentsOf: corpus.directory.appendingPathComponent("displayp3.jpg")))
        let stager = ImageStager(ffmpeg: fixtures.ffmpeg, directory: fixtures.directory)
        func refusal(_ bytes: [UInt8], _ name: String) async throws -> String {
            do {
                let staged = try await stager.stage(.file(try fixtures.file(name, bytes)), field: "image")
                _ = try await stager.decode(staged, fit: OutputGeometry.coverFit(source: staged.size, target: staged.size))
                Issue.record("\(name) was accepted")
                return ""
            } catch let error as APIError {
                return error.message
            }
        }
        // Cut off inside its APP2 profile segment, before the frame header.
        #expect(try await refusal(Array(jpeg.prefix(200)), "cut.jpg") == "`image` is truncated: the JPEG file ends inside its header.")
        // The frame header claims 2 components but lists 3 (ffmpeg: "decode_sof0: error, len(17) mismatch 2 components").
        var badFrame = jpeg
        let sof = try #require((0..<(jpeg.count - 1)).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 })
        badFrame[sof + 9] = 2
        #expect(try await refusal(badFrame, "badsof.jpg") == "`image` is damaged or truncated: its JPEG data could not be decoded.")
        // A PNG whose image data is not zlib (ffmpeg: "inflate returned error -3").
        var png = [UInt8](try Data(contentsOf: corpus.directory.appendingPathComponent("untagged.png")))
        let idat = try #require((0..<(png.count - 4)).first { png[$0..<($0 + 4)].elementsEqual("IDAT".utf8) })
        png[idat + 4] = 0xFF
        png[idat + 5] = 0xFF
        #expect(try await refusal(png, "badidat.png") == "`image` is damaged or truncated: its PNG data could not be decoded.")
    }

    @Test func transparencyIsCompositedOverWhite() async throws {
        let names = [
            "png RGBA", "png grey+alpha", "png palette+tRNS", "png RGB+tRNS", "png grey+tRNS", "webp alpha", "black logo on transparent png",
        ]
        let count = try await check { names.contains($0) }
        #expect(count == 7)
    }

    @Test func animationsGiveTheirFirstFrame() async throws {
        // APNG (also one whose default image is not part of the animation), animated WebP with
        // and without alpha, and one whose first frame covers only the middle of its canvas
        // (the rest is background).
        let count = try await check { $0.hasPrefix("apng") || $0.hasPrefix("animated webp") }
        #expect(count == 5)
    }

    @Test func everyOrientationInPNGAndWebP() async throws {
        let count = try await check { $0.contains("orientation") }
        #expect(count == 16)
    }

    @Test func anArithmeticJPEGIsRefusedSayingWhy() async throws {
        let fixtures = try Fixtures()
        let corpus = try InputCorpus.make(in: fixtures.directory)
        let item = try #require(corpus.cases.first { $0.name == "arithmetic jpeg" })
        let stager = ImageStager(ffmpeg: fixtures.ffmpeg, directory: fixtures.directory)
        await #expect {
            _ = try await stager.stage(.file(corpus.path(item)), field: "image_tail")
        } throws: { error in
            guard let error = error as? APIError else { return false }
            return error.field == "image_tail" && error.message.hasPrefix("`image_tail`") && error.message.contains(item.refusal ?? "")
                && error.code.httpStatus == 422
        }
        // A data URI of it is refused when the job is created, from its header alone.
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: corpus.path(item))))
        #expect(throws: APIError.self) { try ImageReference.checked(bytes, format: .jpeg, field: "image") }
    }

    @Test func anAnimatedWebPWithoutAReadableFirstFrameSaysSo() async throws {
        let fixtures = try Fixtures()
        let corpus = try InputCorpus.make(in: fixtures.directory)
        var bytes = [UInt8](try Data(contentsOf: corpus.directory.appendingPathComponent("anim.webp")))
        // The first frame's own image chunk, 16 bytes into the first ANMF payload, renamed.
        let anmf = try #require((0..<(bytes.count - 4)).first { bytes[$0..<($0 + 4)].elementsEqual("ANMF".utf8) })
        bytes.replaceSubrange((anmf + 24)..<(anmf + 28), with: Array("JUNK".utf8))
        let stager = ImageStager(ffmpeg: fixtures.ffmpeg, directory: fixtures.directory)
        do {
            let staged = try await stager.stage(.file(try fixtures.file("broken.webp", bytes)), field: "image")
            _ = try await stager.decode(staged, fit: OutputGeometry.coverFit(source: staged.size, target: staged.size))
            Issue.record("a broken animated WebP was accepted")
        } catch let error as APIError {
            #expect(error.message == "`image` is an animated WebP (3 frames) whose first frame could not be read; it is damaged.")
        }
    }

    @Test func decoderWordsLoseTheirInternals() async throws {
        // A WebP whose image chunk is garbage: ffmpeg says "[webp @ 0x55…] …"; the message
        // names the field and the format, and carries no address or library name.
        let fixtures = try Fixtures()
        let body = Array("VP8 ".utf8) + [10, 0, 0, 0] + [UInt8](repeating: 0x5A, count: 10)
        let size = UInt32(4 + body.count)
        let riff = Array("RIFF".utf8) + withUnsafeBytes(of: size.littleEndian, Array.init) + Array("WEBP".utf8) + body
        let stager = ImageStager(ffmpeg: fixtures.ffmpeg, directory: fixtures.directory)
        do {
            let staged = try await stager.stage(.file(try fixtures.file("bad.webp", riff)), field: "image")
            _ = try await stager.decode(staged, fit: OutputGeometry.coverFit(source: staged.size, target: PixelSize(width: 16, height: 16)))
            Issue.record("a garbage WebP was accepted")
        } catch let error as APIError {
            #expect(error.message.hasPrefix("`image` is"), "\(error.message)")
            let message = error.message
            #expect(!message.contains("0x") && !message.contains("@") && !message.lowercased().contains("ffmpeg"), "\(message)")
        }
    }
}
