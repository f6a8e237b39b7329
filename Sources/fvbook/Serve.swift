import ArgumentParser
import BookServer
import Foundation
import Notebook

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the site, re-run chapters when they change, and edit cells in the page.",
        discussion: """
        Serves the site at http://127.0.0.1:PORT/, watches chapters/ and data/, re-runs a changed \
        chapter (as `fvbook run` does) and reloads the open page. Each code cell gets an Edit button: \
        Run writes the cell into its Markdown file and re-runs the chapter. Only this machine can \
        connect unless --host is given; writes need the token embedded in the served pages.
        """)

    @Option(help: "The port to listen on.")
    var port = 8000

    @Option(help: ArgumentHelp("The address to listen on (other machines can connect unless it is a loopback address).", valueName: "address"))
    var host = "127.0.0.1"

    @Flag(help: "Do not open the site in a browser.")
    var noOpen = false

    @OptionGroup var options: BookOptions

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be in 1…65535, got \(port)") }
    }

    func run() async throws {
        let builder = try options.builder()
        let progress = TerminalProgress()
        let server = BookServer(settings: builder.settings, toolchain: builder.toolchain, host: host, port: port,
                                terminal: progress.handle)
        let open = !noOpen
        try await server.run { url in
            print("fvbook: serving \(builder.settings.site.path) at \(url) — Ctrl-C stops")
            fflush(stdout)
            if open { openBrowser(url) }
        }
    }

    private func openBrowser(_ url: URL) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["xdg-open", url.absoluteString]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        if (try? process.run()) == nil { print("fvbook: open \(url) in a browser") }
    }
}
