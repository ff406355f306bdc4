// The public library product: one `import CAIR2Kit` brings in every module below it, in the order the bytes
// flow (docs/LIBRARY.md has the map). The modules themselves hold the code; this file only re-exports them.
//
//   CAIR2IO           the one syscall seam: descriptors, mapped input, temporary and atomic output, the
//                     out-dir lock, signal cleanup
//   CAIR2Compression  zstd (frames, streams, the decompressor) and gzip input over the system libraries
//   CAIR2Engine       input -> chunks -> workers -> ordered merge -> publish: convert, validate, decode, codes
//   CAIR2Archive      tar, MANIFEST.json, archive and verify of a published batch
//   CAIR2Generate     synthetic member extracts, return files and their answer key
//   CAIR2Hedis        the HEDIS CIS/IMA run over a batch (the rules are CAIR2Measures)
//
// CAIR2Core (the pure, standard-library-only core) and CAIR2Measures are products of their own and are not
// re-exported: import them where they are used, as before.

@_exported import CAIR2Archive
@_exported import CAIR2Compression
@_exported import CAIR2Engine
@_exported import CAIR2Generate
@_exported import CAIR2Hedis
@_exported import CAIR2IO
