import ArgumentParser

/// The `inbetween` command: thin wrappers that hand off to the libraries.
@main
struct Inbetween: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbetween",
        abstract: "Start frame + end frame + prompt → an H.264 MP4 that travels from one to the other.",
        subcommands: [Generate.self, Serve.self, Worker.self, Keys.self, Submit.self, Status.self, Cancel.self, Bench.self]
    )
}
