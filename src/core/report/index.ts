export { renderReport } from './report.js';
export type { ReportCell, ReportInput } from './types.js';
export { specToSvg, compileStrict, ChartCompileError } from './svg.js';
