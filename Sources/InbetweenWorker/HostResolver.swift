import Foundation
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// One address a host name resolved to.
public struct ResolvedAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 (IPv6).
    public var bytes: [UInt8]

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Parses a numeric address the way the C library does for connects (so "2130706433",
    /// "0177.0.0.1" and "127.1" are 127.0.0.1), or nil.
    public init?(numeric text: String) {
        var v4 = in_addr()
        if inet_aton(text, &v4) != 0 {
            self.bytes = withUnsafeBytes(of: v4.s_addr) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            self.bytes = withUnsafeBytes(of: v6) { Array($0) }
            return
        }
        return nil
    }

    /// The canonical text form (what connections are pinned to).
    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        _ = bytes.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Turns a host name into addresses. The seam where SSRF tests inject answers.
public protocol HostResolver: Sendable {
    func resolve(_ host: String) async throws -> [ResolvedAddress]
}

/// The C library's resolver (`getaddrinfo`), run on NIO's blocking-I/O pool.
public struct SystemHostResolver: HostResolver {
    public init() {}

    public func resolve(_ host: String) async throws -> [ResolvedAddress] {
        if let numeric = ResolvedAddress(numeric: host) { return [numeric] }
        return try await NIOThreadPool.singleton.runIfActive {
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(host, nil, &hints, &list)
            guard status == 0, let first = list else {
                throw ResolveError(host: host, reason: String(cString: gai_strerror(status)))
            }
            defer { freeaddrinfo(first) }
            var addresses: [ResolvedAddress] = []
            var cursor: UnsafeMutablePointer<addrinfo>? = first
            while let entry = cursor {
                if entry.pointee.ai_family == AF_INET, let raw = entry.pointee.ai_addr {
                    raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                        addresses.append(ResolvedAddress(bytes: withUnsafeBytes(of: address.pointee.sin_addr.s_addr) { Array($0) }))
                    }
                } else if entry.pointee.ai_family == AF_INET6, let raw = entry.pointee.ai_addr {
                    raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                        addresses.append(ResolvedAddress(bytes: withUnsafeBytes(of: address.pointee.sin6_addr) { Array($0) }))
                    }
                }
                cursor = entry.pointee.ai_next
            }
            var seen = Set<ResolvedAddress>()
            return addresses.filter { seen.insert($0).inserted }
        }
    }
}

struct ResolveError: Error, CustomStringConvertible {
    var host: String
    var reason: String
    var description: String { "the host name \(host) does not resolve (\(reason))" }
}
