import Foundation
import InbetweenAPI
import Testing

@testable import InbetweenWorker

@Suite("Engine routes")
struct EngineRoutesTests {
    @Test("routes: the most specific rule wins, later targets are fall backs, and bad rules are refused with the reason")
    func routes() throws {
        let routes = EngineRoutes(rules: [
            try EngineRoutes.parseRule("*=upstream:gpu"), try EngineRoutes.parseRule("pro=upstream:gpu,local"),
            try EngineRoutes.parseRule("\(modelID):turbo=local"),
        ])
        #expect(routes.targets(model: modelID, mode: .proFast) == [.upstream("gpu")])
        #expect(routes.targets(model: modelID, mode: .pro) == [.upstream("gpu"), .local])
        #expect(routes.targets(model: modelID, mode: .turbo) == [.local])
        #expect(EngineRoutes.local.targets(model: modelID, mode: .pro) == [.local])
        for (rule, words) in [
            ("pro", "SELECTOR=TARGET"), ("pro=gpu", "local or upstream:NAME"), ("fast:x=local", "MODEL:MODE"),
            ("pro=local,local", "twice"), ("pro=upstream:a/b", "local or upstream:NAME"),
        ] {
            #expect { try EngineRoutes.parseRule(rule) } throws: { ($0 as? RouteError)?.description.contains(words) == true }
        }
        var configuration = RuntimeConfiguration(dataDirectory: FileManager.default.temporaryDirectory)
        configuration.routes = routes
        #expect { try configuration.checkRoutes() } throws: { "\($0)".contains("upstream:gpu") }
        configuration.upstreams = [UpstreamConfiguration(name: "gpu", baseURL: "http://10.0.0.5:8080/", apiKey: "k")]
        try configuration.checkRoutes()
        #expect(configuration.upstreams[0].baseURL == "http://10.0.0.5:8080")
    }
}
