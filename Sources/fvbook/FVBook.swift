import ArgumentParser
import Foundation

@main
struct FVBook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fvbook",
        abstract: "A feature-visualization book that runs: build the site, run chapters, visualize.",
        subcommands: [Build.self, Run.self, Test.self, Serve.self, Classify.self, Visualize.self, AtlasCommand.self, Bench.self, Spectrum.self])

    /// Like ArgumentParser's `main`, with the project's exit codes in one place: 0 success, 1 a
    /// failing chapter or check (the command throws `ExitCode(1)`), 2 bad usage (not EX_USAGE,
    /// 64) or bad input — any error a command throws is printed as one line,
    /// `fvbook <command>: <error>` (a missing file, missing weights, an unknown layer, a folder
    /// that cannot be written). An interrupted command exits with 128 + the signal (130 for
    /// Ctrl-C; see ``Signals``). `serve` is asynchronous.
    static func main() async {
        var name = "fvbook"
        do {
            var command = try parseAsRoot()
            name += " " + type(of: command)._commandName
            Signals.install()
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let error as ExitCode {
            exit(withError: error)
        } catch {
            switch exitCode(for: error) {
            case .validationFailure:
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            case .failure:   // an error of ours, not the parser's
                FileHandle.standardError.write(Data("\(name): \(error)\n".utf8))
                Foundation.exit(2)
            default:         // --help, --version
                exit(withError: error)
            }
        }
    }
}
