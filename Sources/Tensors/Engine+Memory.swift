// Process-wide memory settings for the engine, applied once when the first tape is made.
internal import CKernels

/// Keeps freed tensor memory in the process for reuse.
///
/// A forward and backward pass allocates and frees the same large activation and gradient arrays
/// step after step. By default glibc serves big blocks with fresh `mmap`s and returns them on
/// `free`, so every step pays a page fault (and the kernel's zeroing) per 4 KB page — a third of
/// the time of a batch-8 pass at 224 px. Serving all blocks from the heap and never trimming it
/// makes the second and later steps reuse warm pages. The cost is that the process keeps its peak
/// heap size, which a rendering loop reaches again every step anyway.
let engineMemorySetup: Bool = {
    fv_keep_freed_memory()
    return true
}()
