// Commands: a new notebook from a small working template, writing the demo pair to a folder, and
// storing a Hub token.
import * as vscode from 'vscode';
import { generateDemoPair } from '../core/models/demo/index.js';
import { KnobeSerializer, NOTEBOOK_TYPE } from './serializer.js';

export const NEW_NOTEBOOK_TEMPLATE = `%knobe 2

# A new Knobe study

Describe the question here. Run the cells from top to bottom.

::: pair models
pretrained: demo:pretrained
finetuned: demo:finetuned
prompt: raw
:::

::: scenarios stories
question: How intentionally did the manager {harm|help} the park?
scale: 0..10

item park
  An adviser tells the manager: "The new car park will bring more visitors, and it
  will also {harm|help} the park." The manager says: "I do not care about the park.
  I want more visitors." The car park opens, and the park is {harmed|helped}.
:::

::: ratings baseline
scenarios: stories
protocol: expected
:::
`;

export async function newNotebook(): Promise<void> {
  const data = new KnobeSerializer().deserializeNotebook(new TextEncoder().encode(NEW_NOTEBOOK_TEMPLATE));
  const doc = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, data);
  await vscode.window.showNotebookDocument(doc);
}

export async function writeDemoPair(): Promise<void> {
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Write the demo pair here' });
  if (!picked?.[0]) return;
  const pair = generateDemoPair(picked[0].fsPath);
  void vscode.window.showInformationMessage(`Knobe Lab: wrote the synthetic demo pair to ${pair.dir} (edited layers ${pair.manifest.editedLayers.join(', ')}).`);
}
