// The tool version recorded in every result's provenance and mixed into result hashes, so
// results computed by an older version are recomputed rather than silently reused.
export const TOOL_VERSION = '0.1.0';
