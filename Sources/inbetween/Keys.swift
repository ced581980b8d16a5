import ArgumentParser
import Foundation
import InbetweenAPI
import InbetweenJobs
import InbetweenSQLite

/// `inbetween keys create|list|revoke`: API keys, stored only as SHA-256.
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list and revoke API keys.",
        subcommands: [Create.self, List.self, Limits.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key. Prints the key alone on the first line, then its webhook secret; neither is shown again.")

        @OptionGroup var store: StoreOptions
        @Option(help: "A name to tell the key apart.") var name: String
        @Option(help: "Spending budget in USD (e.g. 25 or 0.50); creates beyond it are refused with 402.") var budget: String?
        @OptionGroup var limits: RateLimitOptions
        @Option(
            help:
                "How long after a job ends its results and input copies are removed, like 7d, 12h, 30m or 3600s (default: kept until deleted)."
        )
        var retention: String?

        func run() async throws {
            let retentionSeconds = try retention.map { text in
                guard let seconds = Self.seconds(text) else {
                    throw ValidationError("--retention must be a positive whole number of s, m, h or d, like 7d or 12h; got \"\(text)\".")
                }
                return seconds
            }
            let limit = try budget.map { text in
                guard let value = Self.thousandths(text) else {
                    throw ValidationError("--budget must be an amount in USD with at most 3 decimals, like 25 or 0.125; got \"\(text)\".")
                }
                return value
            }
            let key = Secrets.newAPIKey()
            let secret = Secrets.newWebhookSecret()
            let record = APIKeyRecord(
                id: "key_" + Secrets.randomToken(12), name: name, prefix: String(key.prefix(11)), hash: Secrets.sha256(key),
                webhookSecret: secret, budget: limit, createdAt: Date(), rateLimits: try limits.limits(), retentionSeconds: retentionSeconds)
            try await store.withStore { try await $0.createKey(record) }
            print(key)
            print(secret)
            FileHandle.standardError.write(
                Data(
                    "created \(record.id) (\(name))\(limit.map { ", budget $\(Pricing.format(thousandths: $0))" } ?? ""): the key and the webhook secret above are shown only once.\n"
                        .utf8))
        }

        /// "7d", "12h", "30m", "45s" or "45" → seconds; nil when it is none of these or not positive.
        static func seconds(_ text: String) -> Int? {
            let text = text.trimmingCharacters(in: .whitespaces).lowercased()
            let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
            let (digits, unit) = text.last.flatMap { units[$0] }.map { (text.dropLast(), $0) } ?? (Substring(text), 1)
            guard let value = Int(digits), value > 0, value <= Int(Int32.max) / unit else { return nil }
            return value * unit
        }

        static func thousandths(_ text: String) -> Int? {
            let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ".", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), let whole = Int(parts[0]), whole >= 0, whole < 1_000_000_000 else { return nil }
            var fraction = 0
            if parts.count == 2 {
                let digits = parts[1]
                guard (1...3).contains(digits.count), digits.allSatisfy(\.isNumber), let value = Int(digits) else { return nil }
                fraction = value * [100, 10, 1][digits.count - 1]
            }
            return whole * 1000 + fraction
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never the keys themselves).")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let keys = try await store.withStore { try await $0.keys() }
            print(["ID", "NAME", "PREFIX", "BUDGET", "SPENT", "CREATES/MIN", "READS/MIN", "RETENTION", "CREATED", "REVOKED"].joined(separator: "\t"))
            for (key, spent) in keys {
                let budget: String = key.budget.map { "$" + Pricing.format(thousandths: $0) } ?? "-"
                let retention: String = key.retentionSeconds.map { "\($0)s" } ?? "-"
                let columns: [String] = [
                    key.id, key.name, key.prefix + "…", budget, "$" + Pricing.format(thousandths: spent),
                    key.rateLimits.creates.map(String.init) ?? "default", key.rateLimits.reads.map(String.init) ?? "default", retention,
                    key.createdAt.ISO8601Format(), key.revokedAt?.ISO8601Format() ?? "-",
                ]
                print(columns.joined(separator: "\t"))
            }
        }
    }

    struct Limits: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a key's request budgets per minute, by its id or prefix; a budget not given goes back to the server's default.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The key's id (key_...) or prefix (ib_...).") var key: String
        @OptionGroup var limits: RateLimitOptions

        func run() async throws {
            let key = key
            let limits = try limits.limits()
            guard try await store.withStore({ try await $0.setRateLimits(key, limits) }) else {
                FileHandle.standardError.write(Data("error: no key with id or prefix \"\(key)\".\n".utf8))
                throw ExitCode(1)
            }
            print(
                "\(key): \(limits.creates.map { "\($0)" } ?? "the default") creates and \(limits.reads.map { "\($0)" } ?? "the default") other requests a minute"
            )
        }
    }

    /// A key's own request budgets (`serve`'s defaults otherwise).
    struct RateLimitOptions: ParsableArguments {
        @Option(name: .customLong("creates-per-minute"), help: "Creates a minute for this key (default: the server's, 600).")
        var creates: Int?
        @Option(
            name: .customLong("reads-per-minute"),
            help: "Other requests (queries, cancels, listings) a minute for this key (default: the server's, 6000).")
        var reads: Int?

        func limits() throws -> KeyRateLimits {
            for (flag, value) in [("--creates-per-minute", creates), ("--reads-per-minute", reads)] {
                if let value, value < 1 { throw ValidationError("\(flag) must be at least 1; got \(value).") }
            }
            return KeyRateLimits(creates: creates, reads: reads)
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by its id or prefix; requests with it get 401 from then on.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The key's id (key_...) or prefix (ib_...).") var key: String

        func run() async throws {
            let key = key
            guard try await store.withStore({ try await $0.revokeKey(key, at: Date()) }) else {
                FileHandle.standardError.write(Data("error: no active key with id or prefix \"\(key)\".\n".utf8))
                throw ExitCode(1)
            }
            print("revoked \(key)")
        }
    }
}
