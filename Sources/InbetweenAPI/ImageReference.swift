public import Foundation

/// Where an input image comes from, as a client wrote it.
public enum ImageReference: Sendable, Hashable {
    /// An `http://` or `https://` URL, fetched later (by the worker, through the SSRF guard).
    case url(URL)
    /// The bytes of a `data:image/<png|jpeg|webp>;base64,...` URI, with its declared format.
    case data(ImageFormat, [UInt8])
    /// A local file; only the command line accepts these, never the HTTP API.
    case file(String)

    /// Parses `text` as the value of `field`, applying the contract's rules.
    /// - Parameter allowFiles: accept a local path (the CLI), not only URLs and data URIs.
    public static func parse(_ text: String, field: String, limits: ImageLimits = .contract, allowFiles: Bool = false) throws(APIError)
        -> ImageReference
    {
        let forms =
            allowFiles
            ? "a file path, an https:// or http:// URL, or a data:image/png|jpeg|webp;base64 URI"
            : "an https:// or http:// URL or a data:image/png|jpeg|webp;base64 URI"
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw .invalid(field, "`\(field)` is required: \(forms).")
        }
        // The scheme is all that is compared: a data URI is megabytes long.
        let lower = String(trimmed.prefix(16)).lowercased()
        if lower.hasPrefix("data:") {
            return try parseDataURI(trimmed, field: field, limits: limits)
        }
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            guard trimmed.utf8.count <= 2048, let url = URL(string: trimmed), let host = url.host, !host.isEmpty else {
                throw .invalid(field, "`\(field)` is not a valid URL: it must be an absolute http(s) URL with a host, at most 2048 bytes.")
            }
            return .url(url)
        }
        if allowFiles, !lower.contains("://") {
            return .file(trimmed)
        }
        throw .invalid(field, "`\(field)` must be \(forms).")
    }

    /// `text` as a message may quote it: whole when short, else its first 40 characters, an
    /// ellipsis and the full length, so that no message echoes a whole data URI or path back.
    public static func excerpt(_ text: some StringProtocol, limit: Int = 48) -> String {
        guard text.count > limit else { return String(text) }
        return "\(text.prefix(40))… (\(text.utf8.count) bytes)"
    }

    private static func parseDataURI(_ text: String, field: String, limits: ImageLimits) throws(APIError) -> ImageReference {
        guard let comma = text.firstIndex(of: ",") else {
            throw .invalid(field, "`\(field)` is a data URI without a comma; expected data:image/<png|jpeg|webp>;base64,<data>.")
        }
        let header = text[text.index(text.startIndex, offsetBy: 5)..<comma].lowercased()
        let parts = header.split(separator: ";").map(String.init)
        let formats = ["image/png": ImageFormat.png, "image/jpeg": .jpeg, "image/jpg": .jpeg, "image/webp": .webp]
        guard let type = parts.first, let format = formats[type] else {
            throw .invalid(
                field,
                "`\(field)` has media type \"\(excerpt(parts.first ?? ""))\"; accepted: image/png, image/jpeg, image/webp."
            )
        }
        guard parts.contains("base64") else {
            throw .invalid(field, "`\(field)` data URI must be base64-encoded (data:\(type);base64,...).")
        }
        let payload = text[text.index(after: comma)...]
        // Base64 grows data by 4/3: refuse before decoding what is certainly too large.
        guard payload.utf8.count <= (limits.maxBytes / 3 + 1) * 4 + 16 else {
            throw .invalidImage(field, "`\(field)` is larger than \(limits.maxBytes / (1024 * 1024)) MiB; images may be at most that size.")
        }
        guard let data = decodeBase64(payload) else {
            throw .invalid(field, "`\(field)` data URI is not valid base64.")
        }
        return try checked([UInt8](data), format: format, field: field, limits: limits)
    }

    /// Base64 to bytes. Line breaks and spaces are tolerated (MIME wraps base64); any other
    /// stray character is not. Works on the UTF-8 bytes: megabytes of base64 take milliseconds
    /// (a scalar-by-scalar `CharacterSet` filter took a quarter of a second per image).
    static func decodeBase64(_ payload: Substring) -> Data? {
        var compact = [UInt8]()
        compact.reserveCapacity(payload.utf8.count)
        for byte in payload.utf8 {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D: continue
            case 0x80...:
                // Non-ASCII: only Unicode white space may be dropped; take the careful way.
                let filtered = String(payload.unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) })
                return Data(base64Encoded: filtered)
            default: compact.append(byte)
            }
        }
        return Data(base64Encoded: Data(compact))
    }

    /// An image's bytes as `.data`, after the checks a data URI gets: not empty, within the
    /// byte limit, a known signature, and a header whose size is within the limits (read from
    /// the header, never decoded). The worker uses it for bytes it fetched.
    public static func checked(_ bytes: [UInt8], format: ImageFormat, field: String, limits: ImageLimits = .contract) throws(APIError)
        -> ImageReference
    {
        guard !bytes.isEmpty else {
            throw .invalidImage(field, "`\(field)` is empty (0 bytes).")
        }
        guard bytes.count <= limits.maxBytes else {
            throw .invalidImage(field, "`\(field)` is larger than \(limits.maxBytes / (1024 * 1024)) MiB; images may be at most that size.")
        }
        guard let sniffed = ImageFormat.sniff(bytes) else {
            throw .invalidImage(field, ImageFormat.notAccepted(bytes, field: field))
        }
        guard let size = ImageHeader.size(bytes, format: sniffed) else {
            throw .invalidImage(field, "`\(field)` is a truncated or corrupt \(sniffed.rawValue.uppercased()): its header gives no image size.")
        }
        try limits.check(width: size.width, height: size.height, field: field)
        if let reason = ImageHeader.unsupportedCoding(bytes, format: sniffed) {
            throw .invalidImage(field, "`\(field)` cannot be used: \(reason).")
        }
        return .data(format, bytes)
    }
}
