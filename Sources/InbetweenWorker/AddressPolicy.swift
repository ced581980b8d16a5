/// Which IP addresses fetched URLs and callbacks may reach. By default only the public
/// internet: loopback, private, link-local, CGNAT, multicast, reserved, documentation and
/// cloud-metadata addresses are refused, including IPv4 written inside IPv6 (mapped,
/// compatible, NAT64, 6to4). `allowPrivateNetworks` opens loopback, private and CGNAT
/// ranges for local setups; link-local and metadata stay closed.
public struct AddressPolicy: Sendable, Hashable {
    public var allowPrivateNetworks: Bool

    public init(allowPrivateNetworks: Bool = false) {
        self.allowPrivateNetworks = allowPrivateNetworks
    }

    /// Why `address` (4 or 16 bytes) is refused, or nil when it may be reached.
    public func refusal(_ address: [UInt8]) -> String? {
        switch address.count {
        case 4: return refusal(v4: address)
        case 16: return refusal(v6: address)
        default: return "not an IP address"
        }
    }

    private func refusal(v4 a: [UInt8]) -> String? {
        // Always closed, whatever the setting.
        if a == [169, 254, 169, 254] || a == [100, 100, 100, 200] || a == [169, 254, 170, 2] { return "a cloud metadata address" }
        if a[0] == 169 && a[1] == 254 { return "link-local" }
        if a[0] == 0 { return "the unspecified network 0.0.0.0/8" }
        if a[0] >= 224 && a[0] <= 239 { return "multicast" }
        if a[0] >= 240 { return "reserved (240.0.0.0/4 or broadcast)" }
        if allowPrivateNetworks { return nil }
        if a[0] == 127 { return "loopback" }
        if a[0] == 10 || (a[0] == 172 && (16...31).contains(a[1])) || (a[0] == 192 && a[1] == 168) { return "a private network" }
        if a[0] == 100 && (64...127).contains(a[1]) { return "carrier-grade NAT (100.64.0.0/10)" }
        if a[0] == 192 && a[1] == 0 && a[2] == 0 { return "IETF protocol assignments (192.0.0.0/24)" }
        if (a[0] == 192 && a[1] == 0 && a[2] == 2) || (a[0] == 198 && a[1] == 51 && a[2] == 100) || (a[0] == 203 && a[1] == 0 && a[2] == 113) {
            return "a documentation network"
        }
        if a[0] == 198 && (a[1] == 18 || a[1] == 19) { return "a benchmarking network (198.18.0.0/15)" }
        if a[0] == 192 && a[1] == 88 && a[2] == 99 { return "6to4 relay anycast" }
        return nil
    }

    private func refusal(v6 a: [UInt8]) -> String? {
        let zeroPrefix = a[0..<10].allSatisfy { $0 == 0 }
        // IPv4-mapped ::ffff:a.b.c.d and the deprecated IPv4-compatible ::a.b.c.d.
        if zeroPrefix && a[10] == 0xff && a[11] == 0xff {
            return refusal(v4: Array(a[12..<16])).map { "IPv4-mapped \($0)" }
        }
        if a.allSatisfy({ $0 == 0 }) { return "the unspecified address ::" }
        if a[0..<15].allSatisfy({ $0 == 0 }) && a[15] == 1 { return allowPrivateNetworks ? nil : "loopback (::1)" }
        if zeroPrefix && a[10] == 0 && a[11] == 0 {
            return refusal(v4: Array(a[12..<16])).map { "IPv4-compatible \($0)" } ?? "IPv4-compatible (deprecated)"
        }
        // NAT64 64:ff9b::/96 and 64:ff9b:1::/48 carry an IPv4 address in the last 32 bits.
        if a[0] == 0x00 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b {
            return refusal(v4: Array(a[12..<16])).map { "NAT64 \($0)" }
        }
        // 6to4 2002:AABB:CCDD::/48 carries one in bits 16–48.
        if a[0] == 0x20 && a[1] == 0x02 { return refusal(v4: Array(a[2..<6])).map { "6to4 \($0)" } }
        if a == [0xfd, 0x00, 0x0e, 0xc2] + [UInt8](repeating: 0, count: 10) + [0x02, 0x54] { return "a cloud metadata address" }
        if a[0] == 0xff { return "multicast" }
        if a[0] == 0xfe && (a[1] & 0xc0) == 0x80 { return "link-local" }
        if a[0] == 0xfe && (a[1] & 0xc0) == 0xc0 { return allowPrivateNetworks ? nil : "site-local (deprecated)" }
        if (a[0] & 0xfe) == 0xfc { return allowPrivateNetworks ? nil : "a private network (unique local fc00::/7)" }
        if a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8 { return "a documentation network (2001:db8::/32)" }
        if a[0] == 0x01 && a[1] == 0x00 && a[2..<8].allSatisfy({ $0 == 0 }) { return "the discard prefix (100::/64)" }
        // Teredo 2001:0::/32 hides an address too.
        if a[0] == 0x20 && a[1] == 0x01 && a[2] == 0 && a[3] == 0 { return "Teredo (2001::/32)" }
        return nil
    }
}
