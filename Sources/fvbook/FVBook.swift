import ArgumentParser

@main
struct FVBook: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fvbook",
        abstract: "A feature-visualization book that runs: build the site, run chapters, visualize.",
        subcommands: [Visualize.self])
}
