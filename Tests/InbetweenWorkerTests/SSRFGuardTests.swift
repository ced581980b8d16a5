import Foundation
import HTTPTypes
import Hummingbird
import InbetweenTestSupport
import NIOCore
import Synchronization
import Testing

@testable import InbetweenWorker

@Suite("SSRF guard")
struct SSRFGuardTests {
    @Test(
        "hostile addresses are refused by default, with the reason named",
        arguments: [
            ("127.0.0.1", "loopback"), ("2130706433", "loopback"), ("0177.0.0.1", "loopback"), ("0x7f.1", "loopback"), ("127.1", "loopback"),
            ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"), ("100.64.0.1", "carrier-grade NAT"),
            ("169.254.169.254", "metadata"), ("169.254.10.1", "link-local"), ("0.0.0.0", "unspecified"), ("224.0.0.1", "multicast"),
            ("255.255.255.255", "reserved"), ("::1", "loopback"), ("::", "unspecified"), ("::ffff:127.0.0.1", "IPv4-mapped loopback"),
            ("::ffff:169.254.169.254", "IPv4-mapped a cloud metadata"), ("::ffff:10.0.0.1", "IPv4-mapped a private"),
            ("::127.0.0.1", "IPv4-compatible"), ("64:ff9b::7f00:1", "NAT64 loopback"), ("2002:7f00:1::", "6to4 loopback"), ("fe80::1", "link-local"),
            ("fc00::1", "unique local"), ("fd00:ec2::254", "metadata"), ("ff02::1", "multicast"), ("2001:db8::1", "documentation"),
        ])
    func refused(address: String, reason: String) throws {
        let parsed = try #require(ResolvedAddress(numeric: address), "\(address) should parse")
        let refusal = AddressPolicy().refusal(parsed.bytes)
        #expect(refusal?.contains(reason) == true, "\(address): \(refusal ?? "allowed")")
    }

    @Test("public addresses pass; --allow-private-networks opens loopback and private ranges but never metadata or link-local")
    func allowed() throws {
        for address in ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "93.184.216.34"] {
            #expect(AddressPolicy().refusal(try #require(ResolvedAddress(numeric: address)).bytes) == nil, "\(address)")
        }
        let open = AddressPolicy(allowPrivateNetworks: true)
        for address in ["127.0.0.1", "10.0.0.1", "::1", "fd12::1", "100.64.1.1"] {
            #expect(open.refusal(try #require(ResolvedAddress(numeric: address)).bytes) == nil, "\(address)")
        }
        for address in ["169.254.169.254", "fd00:ec2::254", "fe80::1", "::ffff:169.254.169.254", "100.100.100.200"] {
            #expect(open.refusal(try #require(ResolvedAddress(numeric: address)).bytes) != nil, "\(address)")
        }
        #expect(ResolvedAddress(numeric: "2130706433")?.description == "127.0.0.1")
    }

    @Test("a name with any forbidden answer is refused, as are odd URLs")
    func names() async throws {
        let client = GuardedHTTPClient(
            policy: AddressPolicy(), resolver: FakeResolver(["mixed.test": [["8.8.8.8", "127.0.0.1"]], "meta.test": [["fd00:ec2::254"]]]))
        for (url, words) in [
            ("http://mixed.test/a.png", "127.0.0.1, which is loopback"), ("http://meta.test/", "metadata"),
            ("http://2130706433/a.png", "loopback"), ("http://[::ffff:127.0.0.1]/a.png", "loopback"), ("ftp://example.com/a.png", "http"),
            ("http://user:pass@example.com/a.png", "credentials"),
        ] {
            await #expect {
                _ = try await client.get(URL(string: url)!, maxBytes: 1024, timeout: .seconds(5))
            } throws: { error in
                "\(error)".contains(words)
            }
        }
    }

    @Test("redirects are checked hop by hop; a DNS answer that changes cannot move a pinned connection; sizes and times are limited")
    func liveHops() async throws {
        let routes: (Router<BasicRequestContext>) -> Void = { router in
            router.get("img") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "image-bytes"))) }
            router.get("to-metadata") { _, _ in Response(status: .found, headers: [.location: "http://169.254.169.254/latest/meta-data/"]) }
            router.get("to-mapped") { _, _ in Response(status: .movedPermanently, headers: [.location: "http://[::ffff:a9fe:a9fe]/"]) }
            router.get("to-img") { _, _ in Response(status: .temporaryRedirect, headers: [.location: "/img"]) }
            router.get("loop") { _, _ in Response(status: .found, headers: [.location: "/loop"]) }
            router.get("big") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(repeating: 65, count: 4096))) }
            router.get("slow") { _, _ -> Response in
                try await Task.sleep(for: .seconds(10))
                return Response(status: .ok)
            }
            router.post("hook") { _, _ in Response(status: .found, headers: [.location: "/img"]) }
        }
        // Requests that must succeed get 30 s: the whole suite keeps both cores busy, and a
        // loopback answer has been seen to take over 5 s then.
        try await LoopbackServer.run(routes) { port in
            let resolver = FakeResolver(["rebind.test": [["127.0.0.1"], ["169.254.169.254"]]])
            let client = GuardedHTTPClient(policy: AddressPolicy(allowPrivateNetworks: true), resolver: resolver)
            let base = "http://127.0.0.1:\(port)"
            #expect(try await client.get(URL(string: "\(base)/to-img")!, maxBytes: 1024, timeout: .seconds(30)) == Array("image-bytes".utf8))
            for (path, words) in [
                ("/to-metadata", "169.254.169.254, which is a cloud metadata address"), ("/to-mapped", "metadata"), ("/loop", "more than 5"),
                ("/big", "larger"), ("/slow", "did not answer within 1 s"),
            ] {
                await #expect {
                    _ = try await client.get(URL(string: base + path)!, maxBytes: 1024, timeout: .seconds(path == "/slow" ? 1 : 20))
                } throws: { error in
                    "\(error)".contains(words)
                }
            }
            // First answer loopback (allowed here), later answers metadata: one lookup, pinned.
            let bytes = try await client.get(URL(string: "http://rebind.test:\(port)/img")!, maxBytes: 1024, timeout: .seconds(30))
            #expect(bytes == Array("image-bytes".utf8))
            #expect(resolver.count("rebind.test") == 1)
            // Callbacks never follow redirects: the 302 is the answer.
            #expect(try await client.post(URL(string: "\(base)/hook")!, headers: [], body: [1], timeout: .seconds(30)) == 302)

            let closed = GuardedHTTPClient(policy: AddressPolicy(), resolver: resolver)
            await #expect {
                _ = try await closed.get(URL(string: "\(base)/img")!, maxBytes: 1024, timeout: .seconds(5))
            } throws: { error in
                "\(error)".contains("127.0.0.1, which is loopback")
            }
        }
    }
}
