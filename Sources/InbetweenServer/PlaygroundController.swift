import Foundation
import HTTPTypes
import Hummingbird
import InbetweenAPI
import NIOCore

/// The playground at `/`: plain HTML, CSS and JavaScript shipped as resources (no build
/// step) that use the public API with a key the user types, kept in their browser only.
struct PlaygroundController: Sendable {
    static let types = [
        "index.html": "text/html; charset=utf-8", "app.js": "text/javascript; charset=utf-8", "controls.js": "text/javascript; charset=utf-8",
        "style.css": "text/css; charset=utf-8",
    ]

    func addRoutes(to router: Router<InbetweenRequestContext>) {
        router.get("/") { _, _ in try Self.file("index.html") }
        router.get("playground/:file") { _, context in try Self.file(try context.parameters.require("file")) }
    }

    static func file(_ name: String) throws -> Response {
        guard let type = types[name],
            let url = Bundle.module.url(
                forResource: (name as NSString).deletingPathExtension, withExtension: (name as NSString).pathExtension, subdirectory: "playground"),
            let data = try? Data(contentsOf: url)
        else { throw APIError(.notFound, "no playground file \"\(name.prefix(40))\".") }
        return Response(
            status: .ok,
            headers: [
                .contentType: type,
                .cacheControl: "no-cache",
                HTTPField.Name("Content-Security-Policy")!:
                    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' http: https:; connect-src 'self'; frame-ancestors 'none'",
                HTTPField.Name("X-Content-Type-Options")!: "nosniff",
                HTTPField.Name("Referrer-Policy")!: "no-referrer",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
