import Foundation
import Hummingbird
import HummingbirdTesting
import InbetweenAPI
import InbetweenClient
import InbetweenTestSupport
import NIOCore
import Testing

@testable import InbetweenWorker

/// Creative controls and upstreams: an upstream gets them only when its own `GET /api/v1/models`
/// lists them; a job routed only to one that does not is refused at create naming the field,
/// and one with a local fall back renders locally.
@Suite("Upstreams and creative controls", .serialized, .tags(.slow), .timeLimit(.minutes(5)))
struct UpstreamControlsTests {
    /// `GET /api/v1/models` of a service that predates the controls: the contract's own
    /// arguments only. Any create it receives is recorded (and refused).
    static func olderUpstream(_ recorder: Recorder) -> (Router<BasicRequestContext>) -> Void {
        { router in
            router.get("api/v1/models") { _, _ in
                var model = ModelDescription.startEndToVideo
                model.arguments = model.arguments.filter {
                    ["mode", "prompt", "duration", "image", "image_tail", "resolution", "seed", "movement_amplitude", "fps"].contains($0.name)
                }
                let body = try JSONEncoder().encode(Envelope(data: ["models": [model]]))
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
            }
            router.post("api/v1/job/create") { request, _ in
                try await recorder.record(request)
                return Response(status: .internalServerError)
            }
        }
    }

    @Test("routed only to an upstream that does not list a control: 422 at create naming it; without controls, taken as before")
    func refusedAtCreate() async throws {
        let recorder = Recorder()
        try await LoopbackServer.run(Self.olderUpstream(recorder)) { port in
            let gateway = try await UpstreamTests.gateway(to: "http://127.0.0.1:\(port)", key: "k", route: "*=upstream:b")
            try await gateway.application().test(.live) { live in
                let client = InbetweenClient(baseURL: "http://127.0.0.1:\(live.port!)", apiKey: gateway.apiKey)
                do {
                    _ = try await client.createJob(UpstreamTests.arguments(["loop": true]))
                    Issue.record("a loop routed only to an upstream that does not list it was taken")
                } catch let error as APIError {
                    #expect(error.code.httpStatus == 422)
                    #expect(error.message.hasPrefix("`loop` cannot be used for this job: it is routed only to upstream:b"), "\(error.message)")
                }
                do {
                    _ = try await client.createJob(UpstreamTests.arguments(["camera_control": .object(["type": "forward_up"])]))
                    Issue.record("camera_control was taken")
                } catch let error as APIError {
                    #expect(error.message.hasPrefix("`camera_control` cannot be used"), "\(error.message)")
                }
                // No control: the job is created as before (the upstream then refuses it).
                let plain = try await client.createJob(UpstreamTests.arguments())
                #expect(plain.jobID.hasPrefix("job_"))
            }
        }
    }

    @Test("with a local fall back the job renders locally, and the upstream never sees it")
    func fallsBackLocally() async throws {
        let recorder = Recorder()
        try await LoopbackServer.run(Self.olderUpstream(recorder)) { port in
            let gateway = try await UpstreamTests.gateway(to: "http://127.0.0.1:\(port)", key: "k", route: "*=upstream:b,local")
            try await gateway.application().test(.live) { live in
                let client = InbetweenClient(baseURL: "http://127.0.0.1:\(live.port!)", apiKey: gateway.apiKey)
                let created = try await client.createJob(UpstreamTests.arguments(["loop": true, "negative_prompt": "zoom"]))
                let done = try await client.waitUntilDone(created.jobID, timeout: .seconds(120))
                #expect(done.status == .succeeded, "\(String(describing: done.error))")
                #expect(done.result?.engine == "local:motion" && done.result?.fallback == nil)
                #expect(recorder.count("/api/v1/job/create") == 0)
            }
        }
    }

    @Test("an upstream that lists the controls gets them")
    func upstreamThatListsThemGetsThem() async throws {
        let b = try await Fixture(workers: 1)
        try await b.application().test(.live) { liveB in
            let baseB = "http://127.0.0.1:\(liveB.port!)"
            let a = try await UpstreamTests.gateway(to: baseB, key: b.apiKey, route: "*=upstream:b")
            try await a.application().test(.live) { liveA in
                let clientA = InbetweenClient(baseURL: "http://127.0.0.1:\(liveA.port!)", apiKey: a.apiKey)
                let created = try await clientA.createJob(UpstreamTests.arguments(["loop": true]))
                let done = try await clientA.waitUntilDone(created.jobID, timeout: .seconds(120))
                #expect(done.status == .succeeded, "\(String(describing: done.error))")
                #expect(done.result?.engine == "upstream:b")
                // B made it with the loop: the same bytes as B's own job with loop, not as one without.
                let clientB = InbetweenClient(baseURL: baseB, apiKey: b.apiKey)
                let viaA = try await UpstreamTests.download(done, clientA)
                let looped = try await clientB.waitUntilDone(
                    try await clientB.createJob(UpstreamTests.arguments(["loop": true])).jobID, timeout: .seconds(120))
                let plain = try await clientB.waitUntilDone(try await clientB.createJob(UpstreamTests.arguments()).jobID, timeout: .seconds(120))
                #expect(try await UpstreamTests.download(looped, clientB) == viaA)
                #expect(try await UpstreamTests.download(plain, clientB) != viaA)
            }
        }
    }
}
