// Draws a vega-lite spec to an SVG string in Node with vega's headless view, for the report.
import { compile, type TopLevelSpec } from 'vega-lite';
import { loader, parse, View } from 'vega';

/** Thrown when vega-lite reports a problem compiling a spec: a chart with warnings is a bug. */
export class ChartCompileError extends Error {}

interface Logger {
  level(): number;
  level(_: number): Logger;
  error(...args: readonly unknown[]): Logger;
  warn(...args: readonly unknown[]): Logger;
  info(...args: readonly unknown[]): Logger;
  debug(...args: readonly unknown[]): Logger;
}

/** A vega-lite logger that collects warnings and errors instead of printing them. */
export function collectingLogger(messages: string[]): Logger {
  const logger: Logger = {
    level: ((_?: number) => (_ === undefined ? 2 : logger)) as Logger['level'],
    error: (...args) => (messages.push(`error: ${args.join(' ')}`), logger),
    warn: (...args) => (messages.push(`warn: ${args.join(' ')}`), logger),
    info: () => logger,
    debug: () => logger,
  };
  return logger;
}

/** Compiles a vega-lite spec to vega, failing on any compiler warning. */
export function compileStrict(spec: TopLevelSpec) {
  const messages: string[] = [];
  const vg = compile(spec, { logger: collectingLogger(messages) }).spec;
  if (messages.length) throw new ChartCompileError(`chart spec has problems:\n${messages.join('\n')}`);
  return vg;
}

// Charts carry their data inline; a loader that refuses every URL guarantees nothing is fetched.
const offline = loader();
offline.load = async (uri: string) => {
  throw new Error(`charts load no data: refused ${uri}`);
};

/** The chart as a standalone SVG document string (no scripts, no external references). */
export async function specToSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compileStrict(spec)), { renderer: 'none', loader: offline });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
