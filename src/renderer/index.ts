// Notebook renderer entry point (activation boilerplate); drawing lives in render.ts.
export const activate = () => ({
  renderOutputItem(item: { json(): unknown }, element: HTMLElement) {
    element.textContent = JSON.stringify(item.json());
  },
});
