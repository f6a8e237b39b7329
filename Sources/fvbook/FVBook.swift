import ArgumentParser
import Foundation

@main
struct FVBook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fvbook",
        abstract: "A feature-visualization book that runs: build the site, run chapters, visualize.",
        subcommands: [Build.self, Run.self, Test.self, Serve.self, Classify.self, Visualize.self, Bench.self])

    /// Like ArgumentParser's `main`, except that bad usage exits with status 2 (not EX_USAGE, 64):
    /// 0 success, 1 a failing chapter or check, 2 bad usage or input (a missing file, missing
    /// weights, an unknown layer, a folder that cannot be written). An interrupted build exits
    /// with 128 + the signal (130 for Ctrl-C).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
