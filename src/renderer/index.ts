// Notebook renderer entry point: activation boilerplate only; drawing lives in render.ts.
import type { ActivationFunction } from 'vscode-notebook-renderer';
import { fallbackElement } from './fallback.js';
import { OutputRegistry } from './render.js';
import { reviveResult } from '../common/results.js';

export const activate: ActivationFunction = () => {
  const outputs = new OutputRegistry(document.body);
  return {
    renderOutputItem(item, element, signal) {
      let data: unknown;
      try {
        data = reviveResult(item.json());
      } catch (err) {
        element.replaceChildren(fallbackElement(new Error(`the output is not valid JSON: ${err instanceof Error ? err.message : String(err)}`), undefined));
        return;
      }
      return outputs.render(item.id, data, element, signal);
    },
    disposeOutputItem(id) {
      outputs.dispose(id);
    },
  };
};
