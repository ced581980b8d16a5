import Foundation
import InbetweenAPI
import Testing

/// Sizes read from headers, and the limits applied to data URIs at create.
@Suite("Image headers")
struct ImageHeaderTests {
    static func pngHeader(width: UInt32, height: UInt32) -> [UInt8] {
        func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8) + be(width) + be(height) + [8, 2, 0, 0, 0]
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// ffmpeg -f lavfi -i testsrc=size=40x30 -frames:v 1 -c:v libwebp (lossy), and 50x20 lossless.
    static let lossyWebP = Data(
        base64Encoded:
            "UklGRqwCAABXRUJQVlA4IKACAAAwEgCdASooAB4APpE8mEiloyIhKqoAsBIJbACdMwS6t6f+Kv5AdKrr7gAc3uwDzBOHP7N+Xf909jPxAPUO/qu6A/gH8m/yP8793j+5f2brAP6P/Y/U3/xnsMfsB7EX7AejN+wHwU/sh+y3ss/9R5XvuUWZ3ETz389XMA/Ssw4ynCUs1MhOiHXPkN911fqBGfux3QqulUxf1KyAAP7+zikVZcxmZIbnYnV7wT9fc8H1najo/wX0LdVnILSqkuycCnm0s5H4pVQUd5qoNsNoq5UewI4Ap7NysC81yuPoPbJCf+UtC8PhPJBjV2VV/MiCdsu2+68QB/LQ9sQW73b+Pn/t6iZn0IL1iX+WAlzkKOL0c/94dmUw0kqjEBK42Hd/vDsym/fGr6YDzIxVqGv9KctfZ23vJpjr8HqPKWgqzKalfqMiYL7nq6PdDIelTXPtPm4tuG43JlycxhBcOje9R367od9yIfhEcmxKw1WFvbEtZRvTJ1FnE7C4FMiTu8EGcOKevd4xxT+NmKyULK2PwOh0oF1F6E8uhzpW6e3B9Kl4dAEVuLpOR7YEsxyN5fWuYlGF5k/JZjj518JJ6s5LPKaqStW00oLhlX7wtCjb2dirpAE6dZRu4ASY+TvAcyOODkNs1rnv4Ffj7DHU0G2EFa7isECuuwB2GekB4jM9SBr3YUjGX7KVl2Yz+W0UN1GsjQ6aymy/r3PppFZhI/yHIFM+ak6e/dB1j9mxjGJBLjnHhdyLf13z1EM+Dxv3ZQBw7VNz3VcudkDqR1xPv8JH//V6Dufdkm/yKtyJsNF2A3vMP4Z/9fTyv0sK8eLtyl6yJCn8BmVl8A5wMKEmb6r8lCNuUDDf+ZeXzTqVvn3N0ebn8tjyqjUYWQ05mTyQK/IAAAA="
    )!
    static let losslessWebP = Data(
        base64Encoded:
            "UklGRqYAAABXRUJQVlA4TJoAAAAvMcAEAJkuRPQ/NhED3v/Q4CaSJEeqJXL8cR2Gcy9ea+3lM4okSUq2hl3gh1Dk7p9LQaNt2zb0CdmD/n9XD+jW2aG2bRsGbmvqE45RBTbpqIACbBpnixhs9Li4i9ikcQuG/OMxuCpvjGfJ2+N3RDVxgv60sLkCdXOOUN5iZmBeWA+djjBujZ97hHgJFCe/f/QDt/x+bBRVPAgA"
    )!

    @Test("PNG, JPEG, lossy and lossless WebP sizes come from their headers")
    func sizes() throws {
        let png = ImageHeader.size(Self.pngHeader(width: 640, height: 480), format: .png)
        #expect(png?.width == 640 && png?.height == 480)
        let jpeg = try [UInt8](Data(contentsOf: Self.root.appendingPathComponent("samples/start.jpg")))
        let jpegSize = ImageHeader.size(jpeg, format: .jpeg)
        #expect(jpegSize?.width == 1280 && jpegSize?.height == 720)
        let lossy = ImageHeader.size([UInt8](Self.lossyWebP), format: .webp)
        #expect(lossy?.width == 40 && lossy?.height == 30)
        let lossless = ImageHeader.size([UInt8](Self.losslessWebP), format: .webp)
        #expect(lossless?.width == 50 && lossless?.height == 20)
        #expect(ImageHeader.size(Array(jpeg.prefix(100)), format: .jpeg) == nil)
    }

    @Test("JPEG codings ffmpeg does not decode are named from the start-of-frame marker alone")
    func unsupportedCodings() {
        func jpeg(_ marker: UInt8) -> [UInt8] {
            // SOI, then a start-of-frame segment: precision 8, 16x8, 3 components.
            [0xFF, 0xD8, 0xFF, marker, 0, 17, 8, 0, 8, 0, 16, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 0xFF, 0xD9]
        }
        for marker: UInt8 in [0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF] {
            #expect(ImageHeader.unsupportedCoding(jpeg(marker), format: .jpeg)?.contains("arithmetic-coded JPEG") == true)
        }
        for marker: UInt8 in [0xC5, 0xC6, 0xC7] {
            #expect(ImageHeader.unsupportedCoding(jpeg(marker), format: .jpeg)?.contains("hierarchical") == true)
        }
        for marker: UInt8 in [0xC0, 0xC1, 0xC2, 0xC3] {
            #expect(ImageHeader.unsupportedCoding(jpeg(marker), format: .jpeg) == nil)
            #expect(ImageHeader.size(jpeg(marker), format: .jpeg)?.width == 16)
        }
        #expect(throws: APIError.self) { try ImageReference.checked(jpeg(0xC9), format: .jpeg, field: "image") }
    }

    @Test(
        "data URIs that are not images, are truncated, bombs or too narrow are refused at create, naming the image",
        arguments: [
            (Array("#EXTM3U\n#EXT-X-TARGETDURATION:10\n".utf8), "not a PNG, JPEG or WebP"),
            (Array(pngHeader(width: 64, height: 48).prefix(14)), "truncated or corrupt PNG"),
            (pngHeader(width: 12000, height: 12000), "12000x12000 (144.0 megapixels)"),
            (pngHeader(width: 4000, height: 1000), "aspect ratio of 4.00:1"),
            (pngHeader(width: 0, height: 10), "corrupt"),
        ])
    func refusals(bytes: [UInt8], words: String) {
        let uri = "data:image/png;base64," + Data(bytes).base64EncodedString()
        #expect {
            _ = try ImageReference.parse(uri, field: "image_tail")
        } throws: { error in
            guard let error = error as? APIError else { return false }
            return error.code == .invalidImage && error.message.contains("`image_tail`") && error.message.contains(words)
        }
    }
}
