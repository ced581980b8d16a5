import Foundation
import InbetweenAPI
import Testing

@Suite("Argument validation")
struct GenerationArgumentsTests {
    /// A PNG signature and IHDR chunk for 64x48: all that create reads of a PNG.
    static let png = "data:image/png;base64," + Data(ImageHeaderTests.pngHeader(width: 64, height: 48)).base64EncodedString()

    func valid(_ changes: [String: JSONValue] = [:]) -> [String: JSONValue] {
        var args: [String: JSONValue] = [
            "prompt": .string("The camera zooms in, and the character slowly emerges from the water."),
            "image": .string("https://example.com/a.png"),
            "image_tail": .string(Self.png),
        ]
        for (key, value) in changes { args[key] = value }
        return args
    }

    @Test("a data URI's base64 may be wrapped with line breaks and spaces (ASCII or not); any other stray character is refused")
    func wrappedBase64() throws {
        let bytes = ImageHeaderTests.pngHeader(width: 64, height: 48)
        let encoded = Data(bytes).base64EncodedString()
        let index = encoded.index(encoded.startIndex, offsetBy: 8)
        for gap in ["\r\n", " \t", "\u{2028}", "\u{00A0}"] {
            let wrapped = "data:image/png;base64," + encoded[..<index] + gap + encoded[index...]
            let parsed = try ImageReference.parse(wrapped, field: "image")
            #expect(parsed == .data(.png, bytes), "with \(gap.unicodeScalars.map { $0.value })")
        }
        #expect(throws: APIError.self) {
            try ImageReference.parse("data:image/png;base64," + encoded[..<index] + "é" + encoded[index...], field: "image")
        }
    }

    /// Validates and returns the error, failing the test if there is none.
    func failure(_ changes: [String: JSONValue], removing: [String] = [], allowFiles: Bool = false) -> APIError? {
        var args = valid(changes)
        for key in removing { args[key] = nil }
        do {
            _ = try GenerationArguments(validating: args, allowFilePaths: allowFiles)
            Issue.record("expected \(changes) to be refused")
            return nil
        } catch {
            return error
        }
    }

    @Test func defaults() throws {
        let args = try GenerationArguments(validating: valid())
        #expect(args.mode == .pro)
        #expect(args.duration == 5)
        #expect(args.resolution == .p720)
        #expect(args.fps == 24)
        #expect(args.frameCount == 120)
        #expect(args.movementAmplitude == .auto)
        #expect(args.seed == nil)
        #expect(args.image == .url(URL(string: "https://example.com/a.png")!))
        #expect(args.imageTail == .data(.png, ImageHeaderTests.pngHeader(width: 64, height: 48)))
    }

    @Test func durationAsStringOrNumber() throws {
        #expect(try GenerationArguments(validating: valid(["duration": .string("8")])).duration == 8)
        #expect(try GenerationArguments(validating: valid(["duration": .number(1)])).duration == 1)
        #expect(try GenerationArguments(validating: valid(["duration": .string("3s")])).duration == 3)
    }

    @Test func everyOption() throws {
        let args = try GenerationArguments(
            validating: valid([
                "mode": .string("pro-fast"), "resolution": .string("1080p"), "fps": .number(30), "seed": .number(42),
                "movement_amplitude": .string("large"),
            ]))
        #expect(args.mode == .proFast)
        #expect(args.resolution == .p1080)
        #expect(args.fps == 30)
        #expect(args.seed == 42)
        #expect(args.movementAmplitude == .large)
    }

    @Test(
        "each broken rule names its field and rule",
        arguments: [
            (["mode": JSONValue.string("fast")], "mode", "must be one of turbo, pro, pro-fast"),
            (["mode": .string("pro-fast"), "resolution": .string("540p")], "resolution", "540p is not available in pro-fast"),
            (["resolution": .string("4k")], "resolution", "must be one of 540p, 720p, 1080p"),
            (["duration": .number(0)], "duration", "from 1 to 8 seconds; got 0"),
            (["duration": .number(9)], "duration", "from 1 to 8 seconds; got 9"),
            (["duration": .string("9")], "duration", "from 1 to 8 seconds; got \"9\""),
            (["duration": .number(2.5)], "duration", "whole number"),
            (["duration": .bool(true)], "duration", "got a boolean"),
            (["fps": .number(7)], "fps", "from 8 to 60"),
            (["fps": .number(61)], "fps", "from 8 to 60"),
            (["fps": .string("24")], "fps", "got \"24\""),
            (["seed": .number(-1)], "seed", "whole number from 0"),
            (["seed": .number(1.5)], "seed", "whole number from 0"),
            (["movement_amplitude": .string("huge")], "movement_amplitude", "auto, small, medium, large"),
            (["prompt": .string("")], "prompt", "required"),
            (["prompt": .string("   ")], "prompt", "required"),
            (["prompt": .string(String(repeating: "a", count: 5001))], "prompt", "1 to 5000 characters long; it has 5001"),
            (["prompt": .number(3)], "prompt", "must be a string"),
            (["image": .string("ftp://example.com/a.png")], "image", "https:// or http:// URL"),
            (["image": .string("/tmp/a.png")], "image", "https:// or http:// URL"),
            (["image": .string("data:image/gif;base64,R0lGOD")], "image", "accepted: image/png, image/jpeg, image/webp"),
            (["image_tail": .string("data:image/png;base64,@@@@")], "image_tail", "not valid base64"),
            (["image_tail": .string("data:image/png,abc")], "image_tail", "base64"),
            (["image_tail": .string("data:image/png;base64,")], "image_tail", "empty"),
            (["image_tail": .string("https://")], "image_tail", "not a valid URL"),
            (["bogus": .string("x")], "bogus", "unknown argument `bogus`"),
        ])
    func rule(changes: [String: JSONValue], field: String, words: String) {
        guard let error = failure(changes) else { return }
        #expect(error.field == field)
        #expect(error.message.contains("`\(field)`"), "\(error.message)")
        #expect(error.message.contains(words), "\(error.message)")
        #expect(error.code.httpStatus == 422)
    }

    @Test(arguments: ["image", "image_tail", "prompt"])
    func requiredFieldMissing(field: String) {
        guard let error = failure([:], removing: [field]) else { return }
        #expect(error.field == field)
        #expect(error.message.contains("`\(field)` is required"))
    }

    @Test func unknownKeysAreTheirOwnCode() {
        #expect(failure(["style": .string("x")])?.code == .unknownArgument)
    }

    @Test func filePathsOnlyWhenAllowed() throws {
        let args = try GenerationArguments(validating: valid(["image": .string("samples/start.jpg")]), allowFilePaths: true)
        #expect(args.image == .file("samples/start.jpg"))
    }

    @Test func oversizeDataURIRefusedBeforeDecoding() {
        let limits = ImageLimits(maxBytes: 1000)
        let big = "data:image/png;base64," + Data(repeating: 0x41, count: 2000).base64EncodedString()
        do {
            _ = try GenerationArguments(validating: valid(["image": .string(big)]), limits: limits)
            Issue.record("an oversize data URI was accepted")
        } catch {
            #expect(error.code == .invalidImage)
            #expect(error.message.contains("larger than"))
        }
    }

    @Test func sniffing() {
        #expect(ImageFormat.sniff([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]) == .png)
        #expect(ImageFormat.sniff([0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(ImageFormat.sniff(Array("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8 ".utf8)) == .webp)
        #expect(ImageFormat.sniff(Array("GIF89a".utf8)) == nil)
        #expect(ImageFormat.sniff(Array("hello, I am text".utf8)) == nil)
        #expect(ImageFormat.sniff([]) == nil)
    }
}
