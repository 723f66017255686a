// The `.knobe` format: parse, validate, print, read cells as specs, and map to notebook cells.
export * from './diagnostics.js';
export * from './nodes.js';
export { scan, scanLines, type Token, type TokenType, type Line } from './scanner.js';
export { parse } from './parser.js';
export { validate, validateCell } from './validation.js';
export { print, dominantEol, decodeOutputBlock, upgradeCellText } from './printer.js';
export { renderOutputBlock, stableJson } from './output.js';
export * from './specs.js';
export * from './schema.js';
export type { Layers, Positions, ModelSource } from './values.js';
export { template } from './templates.js';
export * from './notebook.js';
export * from './language.js';
export { summaryMarkdown } from './summary.js';
