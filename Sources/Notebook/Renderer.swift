import Foundation

/// The render pass: turns a book and its results into a site. One method, so other outputs
/// (a PDF, a JSON dump) could sit beside the HTML one.
public protocol Renderer {
    /// Writes the pages of the chapters in `pages` (slugs), with their images, and the index into
    /// `site`. `results` holds what is known (run now or cached), keyed by slug.
    func render(_ book: Book, results: [String: ChapterResult], pages: [String], into site: URL) throws
}
